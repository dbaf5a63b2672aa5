package origin

import (
	"regexp/syntax"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/psl"
)

// BenchmarkStepCost measures, for each kind of work the budget charges by
// formula rather than counting it, the nanoseconds a charged step takes on
// its costliest inputs found: Go's parser (parseCost a byte), its compiler
// with the symbols each instruction consumes (compileCost), a Public
// Suffix List lookup (pslCost) and the origin parser (originCost). The
// budget's charges are set so that each stays at or under what the steps
// it counts itself take (BenchmarkRegexWorstShapes reports those, ns/step).
func BenchmarkStepCost(b *testing.B) {
	report := func(b *testing.B, steps int) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(steps), "ns/step")
	}
	for _, tc := range worstShapes {
		if tooLong(tc.pattern) != "" || nonASCII(tc.pattern) {
			continue
		}
		anchored := "^(?:" + tc.pattern + ")$"
		b.Run("parse/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				syntax.Parse(anchored, syntax.Perl)
			}
			report(b, parseCost*len(tc.pattern))
		})
		re, err := syntax.Parse(anchored, syntax.Perl)
		if err != nil {
			b.Fatal(err)
		}
		p := measure(re, maxProgram)
		if p.insts > maxProgram {
			continue
		}
		b.Run("compile/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				prog, _ := syntax.Compile(re.Simplify())
				symbolClasses(eats(prog))
			}
			report(b, compileCost(p))
		})
	}
	for _, d := range stepCostDomains {
		b.Run("psl/"+strconv.Itoa(len(d))+"/"+d[max(0, len(d)-16):], func(b *testing.B) {
			for b.Loop() {
				psl.IsPublicSuffix(d)
				psl.HasRuleBelow(d)
			}
			report(b, pslCost(d))
		})
	}
	for _, o := range stepCostOrigins {
		b.Run("origin/"+strconv.Itoa(len(o))+"/"+o[max(0, len(o)-16):], func(b *testing.B) {
			for b.Loop() {
				Parse(o)
			}
			report(b, originCost(o))
		})
	}
}

// stepCostDomains are the costliest domains found for a Public Suffix
// List lookup: short and long, of many labels, under listed rules and
// wildcards and none.
var stepCostDomains = []string{
	"x.z", "co.uk", "s3.amazonaws.com", "a.b.c.d.city.kawasaki.jp",
	strings.Repeat("x.", 126) + "z",
	strings.Repeat("a.", 118) + "s3.amazonaws.com",
	strings.Repeat(strings.Repeat("abcdefghij", 6)+".", 4) + "com",
	strings.Repeat("abcdefghijklmnopqrstu.", 6) + "com",
}

// stepCostOrigins are the costliest origins found for Parse, for their
// length: IPv6 and IPv4 addresses, long hosts, many labels.
var stepCostOrigins = []string{
	"https://[1:2:3:4:5:6:7:8]", "https://[::1]", "http://255.255.255.255:65535", "https://a.b",
	"https://" + strings.Repeat("a.", 125) + "com:8443",
	"https://" + strings.Repeat(strings.Repeat("a", 62)+".", 4) + "c",
	"https://" + strings.Repeat("~", 63) + ".example.com",
}
