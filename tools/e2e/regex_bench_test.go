//go:build !wasip1

package e2e

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// BenchmarkModuleRegexHostileOrigin serves, through the local host (one VM,
// no network) with cors.wasm, actual requests that allow_origin_regexes
// refuse: in the largest configurations the analysis budget accepts and
// with the pattern Go's regexp was slowest on, the Origin that makes them
// read the most ("hostile"), and one under no pattern's domain
// ("elsewhere"). The difference between the two is what matching the
// patterns costs a request in the module.
func BenchmarkModuleRegexHostileOrigin(b *testing.B) {
	costly := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes}
	ordinary := testconfig.OrdinaryRegexes{N: testconfig.MaxOrdinaryRegexes}
	shared := testconfig.SharedRegexes{N: testconfig.MaxSharedRegexes}
	slowest, _ := json.Marshal(map[string]any{"allow_origin_regexes": []string{`https://(?:[a-z.]*a[a-z]{8}\.)*example\.com`}})
	for _, c := range []struct {
		name    string
		config  []byte
		hostile string
	}{
		{"largest costly configuration", costly.JSON(), costly.HostileOrigin(costly.N - 1)},
		{"largest ordinary configuration", ordinary.JSON(), ordinary.HostileOrigin(ordinary.N - 1)},
		{"largest configuration sharing a domain", shared.JSON(), shared.HostileOrigin()},
		{"labels with an a 9 from their end", slowest, testconfig.HostileOrigin("example.com")},
	} {
		h := benchHost(b, testmodule.Module(b), c.config)
		for _, o := range []struct{ name, origin string }{{"hostile", c.hostile}, {"elsewhere", "https://evil.test"}} {
			b.Run(c.name+"/"+o.name, func(b *testing.B) {
				req := httptest.NewRequest("GET", "http://api.example.com/items", nil)
				req.Header.Set("Origin", o.origin)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code >= 500 || w.Header().Get("Access-Control-Allow-Origin") != "" {
					b.Fatalf("status %d, allow-origin %q; want the origin refused", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
				}
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}
