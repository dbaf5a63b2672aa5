package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// The analyses of a configuration's allow_origin_regexes share one budget:
// the largest configurations of costly patterns, and of ordinary ones,
// load, every pattern of them matching, and one pattern more is refused,
// alone, with regexes_too_complex (what they hold:
// TestRegexMemoryOfAConfiguration). The configuration reference (docs/configuration.md) says how many of each.
func TestRegexBudgetOfAConfiguration(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	costly := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes, Credentials: true}
	ordinary := testconfig.OrdinaryRegexes{N: testconfig.MaxOrdinaryRegexes}
	shared := testconfig.SharedRegexes{N: testconfig.MaxSharedRegexes}
	for _, tc := range []struct {
		desc          string
		largest, over []byte
		origin        func(int) string
		n             int
		readmeSays    string
	}{
		{"costly patterns", costly.JSON(), testconfig.CostlyRegexes{N: costly.N + 1, Credentials: true}.JSON(), costly.Origin, costly.N,
			fmt.Sprintf("%d of the costliest patterns the proof accepts", costly.N)},
		{"ordinary patterns", ordinary.JSON(), testconfig.OrdinaryRegexes{N: ordinary.N + 1}.JSON(), ordinary.Origin, ordinary.N,
			fmt.Sprintf("%d such as `%s`", ordinary.N, ordinary.Pattern(1))},
		{"patterns sharing a domain", shared.JSON(), testconfig.SharedRegexes{N: shared.N + 1}.JSON(), shared.Origin, shared.N,
			fmt.Sprintf("%d patterns, `%s` … `%s`", shared.N, shared.Pattern(0), shared.Pattern(shared.N-1))},
	} {
		p, err := Load(tc.largest)
		if err != nil {
			t.Fatalf("the largest configuration of %s: %v", tc.desc, err)
		}
		for _, i := range []int{0, tc.n - 1} {
			var d Decision
			p.Evaluate(actual("GET", tc.origin(i)), &d)
			if d.Kind() != ActualAllowed {
				t.Errorf("%s: %v; want it allowed", tc.origin(i), d.Kind())
			}
		}
		checkProblems(t, tc.over, []string{fmt.Sprintf("allow_origin_regexes[%d]", tc.n)}, CodeRegexesTooComplex)
		if !strings.Contains(string(readme), tc.readmeSays) {
			t.Errorf("docs/configuration.md does not say %q", tc.readmeSays)
		}
	}
}

// A pattern in several lists is analysed once; the lists of the rules and
// the top level's spend one budget.
func TestRegexBudgetAcrossRules(t *testing.T) {
	t.Parallel()
	largest := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes}
	patterns := make([]string, largest.N)
	for i := range patterns {
		patterns[i] = largest.Pattern(i)
	}
	rule := func(name string, regexes []string) map[string]any {
		return map[string]any{"name": name, "match": map[string]any{"hosts": []string{name + ".example"}}, "allow_origin_regexes": regexes}
	}
	var rules []any
	lists := origin.MaxConfigRegexes / largest.N
	for i := range lists - 1 {
		rules = append(rules, rule(fmt.Sprintf("same-%d", i), patterns))
	}
	same, _ := json.Marshal(map[string]any{"allow_origin_regexes": patterns, "rules": rules})
	if _, err := Load(same); err != nil {
		t.Errorf("the same patterns in %d lists: %v", lists, err)
	}
	other, _ := json.Marshal(map[string]any{"allow_origin_regexes": patterns, "rules": []any{rule("other", []string{largest.Pattern(largest.N)})}})
	checkProblems(t, other, []string{`rules[0] "other": allow_origin_regexes[0]`}, CodeRegexesTooComplex)
}

// A configuration has at most origin.MaxConfigRegexes allow_origin_regexes
// entries, counted as written, the top level's first, then each rule's:
// the first entry of each list past it is refused, alone, and neither it
// nor the entries after it are analysed, so that what is refused costs
// next to nothing. The patterns are the cheapest the analysis accepts, so
// that the step budget is not what refuses them. Not parallel: TotalAlloc
// counts every goroutine's allocations.
func TestRegexEntriesOfAConfiguration(t *testing.T) {
	patterns := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(`null|%d`, i)
		}
		return out
	}
	rule := func(name string, regexes []string) map[string]any {
		return map[string]any{"name": name, "match": map[string]any{"hosts": []string{name + ".example"}}, "allow_origin_regexes": regexes}
	}
	config := func(top int, rules ...int) []byte {
		c := map[string]any{"allow_origin_regexes": patterns(top)}
		var rs []any
		for i, n := range rules {
			rs = append(rs, rule(fmt.Sprintf("r%d", i), patterns(n)))
		}
		if len(rs) > 0 {
			c["rules"] = rs
		}
		out, _ := json.Marshal(c)
		return out
	}
	const most = origin.MaxConfigRegexes
	if _, err := Load(config(most-56, 50, 6)); err != nil {
		t.Errorf("%d entries in three lists: %v", most, err)
	}
	checkProblems(t, config(most-56, 50, 7), []string{`rules[1] "r1": allow_origin_regexes[6]`}, CodeRegexesTooComplex)
	checkProblems(t, config(most+1), []string{fmt.Sprintf("allow_origin_regexes[%d]", most)}, CodeRegexesTooComplex)
	checkProblems(t, config(most, 1, 2), []string{`rules[0] "r0": allow_origin_regexes[0]`, `rules[1] "r1": allow_origin_regexes[0]`}, CodeRegexesTooComplex)

	// Each entry past the bound costs what reading it from the JSON
	// costs: a few dozen bytes, where an analysed pattern costs kilobytes.
	const many, perEntry = 200_000, 160
	alloc := func(config []byte) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		Load(config)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	over, huge := alloc(config(most+1)), alloc(config(many))
	per := (huge - over) / (many - most - 1)
	if per > perEntry {
		t.Errorf("%d entries: %d bytes for each past the first %d; want at most %d", many, per, most, perEntry)
	}
	t.Logf("%d entries: %d bytes for each past the first %d", many, per, most)
	checkProblems(t, config(many), []string{fmt.Sprintf("allow_origin_regexes[%d]", most)}, CodeRegexesTooComplex)
}

// checkProblems loads a configuration that must be refused with exactly
// the problems at paths, each with code.
func checkProblems(t *testing.T, config []byte, paths []string, code Code) {
	t.Helper()
	_, err := Load(config)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("loaded: %v; want problems %q", err, paths)
	}
	var got []string
	for _, e := range ce.Problems {
		got = append(got, e.Path)
		if e.Code != code {
			t.Errorf("%s: %q; want code %q", e.Path, e.Code, code)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(paths) {
		t.Errorf("problems at %q; want %q", got, paths)
	}
}

// BenchmarkRegexConfiguration loads the configurations of
// allow_origin_regexes whose start-up costs the most: the slowest, made of
// the shapes that take the most time a step (the first refused at the
// automaton's 2,048 states, the second after the search for a valid
// origin gives up), until they spend the budget, the rest refused
// unanalysed; the largest configurations the bounds accept
// (testconfig.LargestRegexShapes, SharedRegexes); and 200,000 entries,
// all but 256 refused unread. cpu-ns/op is the CPU time, the garbage
// collector's on other cores included.
func BenchmarkRegexConfiguration(b *testing.B) {
	many := func(n int, pattern string) []byte {
		patterns := make([]string, n)
		for i := range patterns {
			patterns[i] = fmt.Sprintf(pattern, i)
		}
		out, _ := json.Marshal(map[string]any{"allow_origin_regexes": patterns})
		return out
	}
	type config struct {
		name   string
		config []byte
	}
	configs := []config{
		{"slowest, states", many(origin.MaxConfigRegexes, `https://.{0,480}%d`)},
		{"slowest, texts", many(origin.MaxConfigRegexes, `null|https://.{12,}|https://a:4%d`)},
		{"sharing a domain", testconfig.SharedRegexes{N: testconfig.MaxSharedRegexes}.JSON()},
		{"200,000 entries", many(200_000, `null|%d`)},
	}
	for _, shape := range testconfig.LargestRegexShapes {
		configs = append(configs, config{shape.Name, shape.JSON(shape.N)})
	}
	for _, bc := range configs {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu, _ := testconfig.CPUTime()
			for b.Loop() {
				Load(bc.config)
			}
			testconfig.ReportCPU(b, cpu, 0, "")
		})
	}
}
