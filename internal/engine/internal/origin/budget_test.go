package origin

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// worstShapes are the costliest patterns found for each bound of the
// analysis (size.go, budget.go) and each of its phases, with the fault
// each gets (0: accepted). Before the bounds, the first took 48 s and
// allocated 21 GB natively; the second 4 s and 1.7 GB.
var worstShapes = []struct {
	name, pattern string
	credentials   bool
	fault         Fault
}{
	// Refused on their size, before anything is built.
	{"stacked optional repetitions, 669 bytes", `https://(?:(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]*){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]?){1000}(?:[a-z]?){1000})\.example\.com`, true, FaultRegexTooLarge},
	{"stacked optional repetitions, 75 bytes", `https://(?:(?:[a-z]?){1000}(?:[a-z]?){1000}|(?:[a-z]*){1000})\.example\.com`, true, FaultRegexTooLarge},
	{"nested counted repetitions", `https://(?:(?:(?:[a-z]?){10}){10}){10}\.example\.com`, false, FaultRegexTooLarge},
	{"just over the program bound", `https://(?:[a-z]?){490}\.example\.com`, false, FaultRegexTooLarge},
	{"just over the length bound", "https://" + strings.Repeat("a", maxPatternBytes-7), false, FaultRegexTooLarge},
	{"a Unicode class", `https://[\pL\d-]+\.example\.com`, false, FaultRegexNotASCII},
	{"case-folded ranges beyond ASCII", "(?i)" + strings.Repeat(`[\x{100}-\x{10FFFF}]`, 50), false, FaultRegexNotASCII},
	{"a character beyond ASCII", `https://bücher\.example`, false, FaultRegexNotASCII},
	// Within the size bounds: Go's parser.
	{"a thousand empty alternatives", "https://app(?:" + strings.Repeat("|", 990) + `)\.example\.com`, false, 0},
	{"320 empty groups", "https://app" + strings.Repeat("()", 320) + `\.example\.com`, false, 0},
	// The subset construction.
	{"stacked optional classes", `https://(?:[a-z]?){480}\.example\.com`, false, FaultRegexComplex},
	{"stacked optional classes, case-insensitive", `(?i)https://(?:[a-z]?){480}\.example\.com`, false, FaultRegexComplex},
	{"stacked optional classes of many ranges", `https://(?:[acegikmoqsuwy02468]?){480}\.example\.com`, false, FaultRegexComplex},
	{"optional letters and digits, each its own", `https://(?:a?b?c?d?e?f?g?h?i?j?k?l?m?n?o?p?q?r?s?t?u?v?w?x?y?z?0?1?2?3?4?5?6?7?8?9?){13}\.example\.com`, false, FaultRegexComplex},
	{"optional labels of optional letters", `https://(?:(?:[a-z]?){40}\.){10}example\.com`, false, FaultRegexComplex},
	{"an a 13 characters from the end", `https://[a-z]*a[a-z]{12}\.example\.com`, false, FaultRegexComplex},
	{"an a 9 characters from the end", `https://[a-z]*a[a-z]{8}\.example\.com`, false, 0},
	{"any 0 to 490 characters", `https://.{0,490}`, false, FaultRegexComplex},
	{"a long literal run", "https://" + strings.Repeat("a", 400) + `\.example\.com`, false, FaultRegexNoMatch},
	// Its states, each over the whole alphabet, take most of a pattern's
	// steps.
	{"a longer literal run", "https://" + strings.Repeat("a", 970) + `\.example\.com`, false, FaultRegexNoMatch},
	// The schemes.
	{"scheme prefixes of optional letters", `(?:a|b|c|d)(?:[a-z]?){480}://app\.example\.com`, false, FaultRegexComplex},
	// The search over hosts.
	{"IPv4 addresses no browser sends", `https://(?:9[0-9][0-9]\.){3}9[0-9][0-9]`, false, FaultRegexComplex},
	{"IPv4 addresses with leading zeros first", `https://(?:[0-9]{1,3}\.){3}[0-9]{1,3}`, false, FaultRegexComplex},
	{"labels under a domain with public suffixes", `https://(?:[a-z]{1,20}\.){1,20}amazonaws\.com`, false, FaultRegexComplex},
	{"300 one-letter labels", `https://(?:[a-z]\.){1,300}example\.com`, false, 0},
	{"eight labels of up to 60 letters", `https://(?:[a-z]{0,60}\.){0,8}example\.com`, true, 0},
	{"four schemes, ten labels, eight sites", `(?:https|http|wss|ws)://(?:[a-z]{0,30}\.){0,10}(?:a|b|c|d|e|f|g|h)\.com`, true, FaultRegexInsecure},
	// The search for a valid origin, and the examples of messages.
	{"texts no browser sends first", `null|https://.{12,}|https://a:443`, false, FaultRegexSite},
	{"a public suffix among 490-letter hosts", `https://a:443|https://[a-z]{0,490}`, false, FaultRegexPublicSuffix},
	// The warnings' search for equivalent allow_origins entries.
	{"480 optional letters", `https://a{0,480}\.example\.com`, false, 0},
	{"sixteen hosts", `https://(?:app0|app1|app2|app3|app4|app5|app6|app7|app8|app9|app10|app11|app12|app13|app14|app15)\.example\.com`, false, 0},
}

// maxPatternAlloc is what the analysis of one pattern may allocate,
// natively: garbage included, so it bounds the memory it can hold too.
const maxPatternAlloc = 16 << 20

// analyse compiles a pattern against a budget of its own, and returns the
// fault (0: accepted), the steps spent and the bytes allocated.
func analyse(pattern string, credentials bool) (fault Fault, steps int, bytes uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b := NewBudget()
	_, err, _ := b.CompileRegex(pattern, credentials, false)
	runtime.ReadMemStats(&after)
	if err != nil {
		fault = err.Fault
	}
	return fault, maxConfigWork - b.left, after.TotalAlloc - before.TotalAlloc
}

// Each worst shape gets its verdict within the steps of one pattern and
// maxPatternAlloc bytes. Not parallel: TotalAlloc counts every goroutine's
// allocations.
func TestWorstShapesBounded(t *testing.T) {
	for _, tc := range worstShapes {
		fault, steps, bytes := analyse(tc.pattern, tc.credentials)
		if fault != tc.fault {
			t.Errorf("%s: fault %d; want %d", tc.name, fault, tc.fault)
		}
		if steps > maxWork+maxMessageWork {
			t.Errorf("%s: %d steps; want at most %d", tc.name, steps, maxWork+maxMessageWork)
		}
		if bytes > maxPatternAlloc {
			t.Errorf("%s: allocated %d bytes; want at most %d", tc.name, bytes, maxPatternAlloc)
		}
		t.Logf("%s: %d steps, %d KiB", tc.name, steps, bytes>>10)
	}
}

// BenchmarkRegexWorstShapes analyses each worst shape; steps/op is what it
// spent of its budget, and ns/step the time each step took (the bound of
// a step's time that budget.go states).
func BenchmarkRegexWorstShapes(b *testing.B) {
	for _, tc := range worstShapes {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			steps := 0
			cpu, _ := testconfig.CPUTime()
			for b.Loop() {
				budget := NewBudget()
				budget.CompileRegex(tc.pattern, tc.credentials, false)
				steps = maxConfigWork - budget.left
			}
			b.ReportMetric(float64(steps), "steps/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(steps), "ns/step")
			testconfig.ReportCPU(b, cpu, float64(steps), "step")
		})
	}
}

// A configuration's patterns spend one Budget: the worst shapes, over and
// over, are analysed until it is spent, within maxConfigWork and one
// pattern's steps; then every pattern, however simple, is refused
// unanalysed.
func TestBudgetOfAConfiguration(t *testing.T) {
	t.Parallel()
	b := NewBudget()
	analysed := 0
	for i := 0; b.left > 0; i++ {
		tc := worstShapes[i%len(worstShapes)]
		if _, err, _ := b.CompileRegex(tc.pattern, tc.credentials, false); err != nil && err.Fault == FaultRegexTotal {
			t.Fatalf("%s refused as over the configuration's budget with %d steps left", tc.name, b.left)
		}
		analysed++
	}
	if spent := maxConfigWork - b.left; spent > maxConfigWork+maxWork+maxMessageWork {
		t.Errorf("%d patterns spent %d steps; want at most %d", analysed, spent, maxConfigWork+maxWork+maxMessageWork)
	}
	left := b.left
	_, err, _ := b.CompileRegex(`https://app\.example\.com`, false, false)
	if err == nil || err.Fault != FaultRegexTotal {
		t.Errorf("once the budget is spent: %v; want fault %d", err, FaultRegexTotal)
	}
	if b.left != left {
		t.Errorf("a pattern refused unanalysed spent %d steps", left-b.left)
	}
}

// A configuration's tables take at most maxConfigTables bytes: a pattern
// whose table does not fit in what is left is refused, alone.
func TestBudgetOfTables(t *testing.T) {
	t.Parallel()
	b := NewBudget()
	b.left = 1 << 40 // the tables only
	held, accepted := 0, 0
	for i := 0; ; i++ {
		r, err, _ := b.CompileRegex(strings.Replace(widestPattern, "example", fmt.Sprintf("example%d", i), 1), false, false)
		if err != nil {
			if err.Fault != FaultRegexTotal || !strings.Contains(err.Reason, "bytes of tables") {
				t.Fatalf("pattern %d: %v; want it refused for its table", i, err)
			}
			break
		}
		held += r.match.size()
		accepted++
	}
	if held > maxConfigTables || held+b.tables != maxConfigTables {
		t.Errorf("%d patterns hold %d bytes of tables, %d left; want at most %d in all", accepted, held, b.tables, maxConfigTables)
	}
	if _, err, _ := b.CompileRegex(`https://app\.example\.com`, false, false); err != nil {
		t.Errorf("a pattern whose table fits: %v", err)
	}
}
