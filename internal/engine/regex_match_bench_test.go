package engine

import (
	"encoding/json"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// regexMatchShapes are allow_origin_regexes whose match costs Go's regexp
// the most per byte of an Origin, each with the hostile Origin a client
// may send for it: as long a host as an origin may have, under the
// pattern's site, that the pattern does not allow.
var regexMatchShapes = []struct {
	name, pattern, origin string
}{
	{"any labels", `https://.*\.example\.com`, testconfig.HostileOrigin("example.com")},
	{"eight labels of up to 60 letters", `https://(?:[a-z]{0,60}\.){0,8}example\.com`, testconfig.HostileOrigin("example.com")},
	{"labels with an a 9 from their end", `https://(?:[a-z.]*a[a-z]{8}\.)*example\.com`, testconfig.HostileOrigin("example.com")},
	{"a label with an a 9 from its end", testconfig.CostlyRegexes{}.Pattern(0), testconfig.CostlyRegexes{}.HostileOrigin(0)},
	{"a tenant's subdomains", testconfig.OrdinaryRegexes{}.Pattern(0), testconfig.OrdinaryRegexes{}.HostileOrigin(0)},
}

// BenchmarkRegexHostileOrigin evaluates an actual request whose Origin
// no allow_origins entry matches, so that allow_origin_regexes decide it:
// for each shape alone, and for the largest configurations the analysis
// budget accepts, of costly patterns each for a site of its own, of
// ordinary patterns all for one site, and of patterns all indexed under
// one domain, each reading the whole host (the most a request may cost).
func BenchmarkRegexHostileOrigin(b *testing.B) {
	type config struct {
		name   string
		json   []byte
		origin string
	}
	var configs []config
	for _, s := range regexMatchShapes {
		cfg, _ := json.Marshal(map[string]any{"allow_origin_regexes": []string{s.pattern}})
		configs = append(configs, config{s.name, cfg, s.origin})
	}
	costly := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes}
	ordinary := testconfig.OrdinaryRegexes{N: testconfig.MaxOrdinaryRegexes}
	shared := testconfig.SharedRegexes{N: testconfig.MaxSharedRegexes}
	configs = append(configs,
		config{"largest costly configuration", costly.JSON(), costly.HostileOrigin(costly.N - 1)},
		config{"largest ordinary configuration", ordinary.JSON(), ordinary.HostileOrigin(ordinary.N - 1)},
		config{"largest configuration sharing a domain", shared.JSON(), shared.HostileOrigin()})
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			benchmarkEvaluate(b, mustLoad(b, string(c.json)), actual("GET", c.origin), ActualDisallowed)
		})
	}
}
