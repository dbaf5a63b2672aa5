package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// The benchmarks measure Evaluate on the paths a filter takes per request.
// Every one must report 0 allocs/op: run
//
//	go test -run '^$' -bench . -benchmem ./internal/engine/
func benchmarkEvaluate(b *testing.B, p *Policy, r *Request, want Kind) {
	b.Helper()
	var d Decision
	p.Evaluate(r, &d)
	if d.Kind() != want {
		b.Fatalf("decision %v (%v); want %v", d.Kind(), d.Reason(), want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.Evaluate(r, &d)
	}
}

func BenchmarkPreflightAllowed(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, basicConfig), preflight(appOrigin, "PUT", "content-type,x-request-id"), PreflightAllowed)
}

func BenchmarkPreflightAllowedMixedCaseHeaders(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, basicConfig), preflight(appOrigin, "PUT", "Content-Type, X-Request-Id"), PreflightAllowed)
}

func BenchmarkPreflightCredentialsEcho(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, credConfig), preflight(appOrigin, "DELETE", "x-a,x-b"), PreflightAllowed)
}

func BenchmarkActualAllowed(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, basicConfig), actual("GET", appOrigin), ActualAllowed)
}

func BenchmarkActualDisallowed(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, basicConfig), actual("GET", evilOrigin), ActualDisallowed)
}

func BenchmarkNotCORS(b *testing.B) {
	benchmarkEvaluate(b, mustLoad(b, basicConfig), &Request{Method: "GET"}, NotCORS)
}

func BenchmarkWildcardSubdomain(b *testing.B) {
	p := mustLoad(b, `{"allow_origins": ["https://*.example.com"]}`)
	benchmarkEvaluate(b, p, actual("GET", "https://a.b.c.example.com"), ActualAllowed)
}

func BenchmarkRegexOrigin(b *testing.B) {
	p := mustLoad(b, `{"allow_origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"]}`)
	benchmarkEvaluate(b, p, actual("GET", "https://pr-1234.preview.example.com"), ActualAllowed)
}

// exactOrigins builds a configuration with n exact origins; the request's
// origin is the last one.
func exactOrigins(n int) (cfg, last string) {
	list := make([]string, n)
	for i := range list {
		list[i] = strconv.Quote("https://app" + strconv.Itoa(i) + ".example.com")
	}
	return `{"allow_origins": [` + strings.Join(list, ",") + `]}`, "https://app" + strconv.Itoa(n-1) + ".example.com"
}

func BenchmarkExactOrigins(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			cfg, last := exactOrigins(n)
			benchmarkEvaluate(b, mustLoad(b, cfg), actual("GET", last), ActualAllowed)
		})
	}
}

// A megabyte of commas in Access-Control-Request-Headers costs a length
// check, not a scan.
func BenchmarkHostileRequestHeaders(b *testing.B) {
	p := mustLoad(b, basicConfig)
	benchmarkEvaluate(b, p, preflight(appOrigin, "PUT", strings.Repeat(",", 1<<20)), PreflightRefused)
}

// A megabyte Access-Control-Request-Method where it would be echoed ("*"
// with credentials) costs a length check: it is refused unread.
func BenchmarkHostileRequestMethod(b *testing.B) {
	p := mustLoad(b, credConfig)
	benchmarkEvaluate(b, p, preflight(appOrigin, strings.Repeat("M", 1<<20)), PreflightRefused)
}

// The longest method that is read, checked and echoed.
func BenchmarkLongestEchoedMethod(b *testing.B) {
	p := mustLoad(b, credConfig)
	benchmarkEvaluate(b, p, preflight(appOrigin, strings.Repeat("M", MaxMethodLength)), PreflightAllowed)
}

// A refused preflight with debug reasons on builds x-cors-reason without
// allocating.
func BenchmarkDebugRefusal(b *testing.B) {
	p := mustLoad(b, `{"debug": true,`+strings.TrimPrefix(basicConfig, "{"))
	benchmarkEvaluate(b, p, preflight(appOrigin, "PUT", "content-type, x-other"), PreflightRefused)
}

// Just under the size bound: the worst case that is scanned in full.
func BenchmarkLargestScannedRequestHeaders(b *testing.B) {
	p := mustLoad(b, basicConfig)
	benchmarkEvaluate(b, p, preflight(appOrigin, "PUT", strings.Repeat(",", MaxRequestHeadersBytes)), PreflightAllowed)
}

func BenchmarkHostileOrigin(b *testing.B) {
	p := mustLoad(b, `{"allow_origins": ["https://*.example.com"]}`)
	benchmarkEvaluate(b, p, actual("GET", "https://"+strings.Repeat("a.", 120)+"example.net"), ActualDisallowed)
}

// BenchmarkScale chooses a rule among 100 and matches an exact origin among
// 10, 1,000 and 10,000 (with a tenth as many subdomain wildcards): the cost
// must not grow with the counts. The request matches an even rule (which
// inherits the top-level origins) with the last exact origin.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(strconv.Itoa(n)+"-origins", func(b *testing.B) {
			s := testconfig.Scale{Origins: n, Wildcards: n / 10, Rules: 100}
			p, err := Load(s.JSON())
			if err != nil {
				b.Fatal(err)
			}
			r := actual("GET", s.Origin(n-1))
			r.Authority, r.Path = s.Host(50), s.PathPrefix(50)+"orders/7"
			benchmarkEvaluate(b, p, r, ActualAllowed)
		})
	}
}

// BenchmarkCompileScale compiles the 10,000-origin, 1,000-wildcard,
// 100-rule configuration natively; e2e's BenchmarkPluginStart measures it
// inside the module.
func BenchmarkCompileScale(b *testing.B) {
	data := testconfig.Scale{Origins: 10000, Wildcards: 1000, Rules: 100}.JSON()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Choosing a rule by an upper-case :authority with a port lowers it on the
// stack: still no allocation.
func BenchmarkRuleByMixedCaseHost(b *testing.B) {
	s := testconfig.Scale{Origins: 10, Wildcards: 1, Rules: 100}
	p, err := Load(s.JSON())
	if err != nil {
		b.Fatal(err)
	}
	r := actual("GET", s.Origin(1))
	r.Authority, r.Path = strings.ToUpper(s.Host(70))+":8443", s.PathPrefix(70)+"x"
	benchmarkEvaluate(b, p, r, ActualAllowed)
}

// BenchmarkRuleByRoute chooses among 100 rules bound to Envoy Gateway
// route names, half by exact name and half by HTTPRoute prefix (each with
// its own length), against BenchmarkScale's choice among 100 rules by host
// and path: one walk along the route name.
func BenchmarkRuleByRoute(b *testing.B) {
	var rules []string
	for i := range 100 {
		entry := fmt.Sprintf("httproute/ns%d/route%d/rule/0/match/0/host%d_example_com", i, i, i)
		if i%2 == 1 {
			entry = fmt.Sprintf("httproute/ns%d/%s/*", i, strings.Repeat("r", i))
		}
		rules = append(rules, fmt.Sprintf(`{"name": "r%d", "match": {"routes": [%q]}, "allow_origins": ["https://app%d.example.com"]}`, i, entry, i))
	}
	p := mustLoad(b, `{"allow_origins": ["https://www.example.com"], "rules": [`+strings.Join(rules, ",")+`]}`)
	for _, tc := range []struct{ name, route, origin string }{
		{"exact", "httproute/ns50/route50/rule/0/match/0/host50_example_com", "https://app50.example.com"},
		{"prefix", "httproute/ns51/" + strings.Repeat("r", 51) + "/rule/3/match/0/x", "https://app51.example.com"},
		{"none", "httproute/other/route/rule/0/match/0/x", "https://www.example.com"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := actual("GET", tc.origin)
			r.Route = tc.route
			benchmarkEvaluate(b, p, r, ActualAllowed)
		})
	}
}
