package engine

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// Rule choice by route and virtual-host names agrees with a brute-force
// matcher over random configurations (exact names, prefixes, "*" alone,
// missing attributes, rule order, path rules mixed in).
func TestRouteChoiceMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := "ab/"
	word := func(max int) string {
		n := rng.Intn(max + 1)
		var b strings.Builder
		for range n {
			b.WriteByte(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	entry := func() string {
		w := word(4)
		if w == "" || rng.Intn(2) == 0 {
			return w + "*"
		}
		return w
	}
	matches := func(list []string, name string) bool {
		if len(list) == 0 {
			return true
		}
		if name == "" {
			return false
		}
		for _, e := range list {
			if strings.HasSuffix(e, "*") {
				if strings.HasPrefix(name, strings.TrimSuffix(e, "*")) {
					return true
				}
			} else if e == name {
				return true
			}
		}
		return false
	}
	hits := 0
	defer func() { t.Logf("hits %d", hits) }()
	for iter := range 2000 {
		type rule struct {
			Name  string         `json:"name"`
			Match map[string]any `json:"match"`
		}
		type spec struct {
			routes, vhosts, paths []string
		}
		n := 1 + rng.Intn(6)
		var rules []rule
		var specs []spec
		for i := range n {
			var s spec
			m := map[string]any{}
			for range rng.Intn(3) {
				s.routes = append(s.routes, entry())
			}
			for range rng.Intn(3) {
				s.vhosts = append(s.vhosts, entry())
			}
			if len(s.routes) == 0 && len(s.vhosts) == 0 {
				s.routes = []string{entry()}
			}
			if rng.Intn(3) == 0 {
				s.paths = []string{"/" + word(2)}
				m["path_prefixes"] = s.paths
			}
			if len(s.routes) > 0 {
				m["routes"] = s.routes
			}
			if len(s.vhosts) > 0 {
				m["virtual_hosts"] = s.vhosts
			}
			rules = append(rules, rule{fmt.Sprintf("r%d", i), m})
			specs = append(specs, s)
		}
		cfg, _ := json.Marshal(map[string]any{"allow_origins": []string{"*"}, "rules": rules})
		p, err := Load(cfg)
		if err != nil {
			t.Fatalf("%s: %v", cfg, err)
		}
		for range 200 {
			r := &Request{Method: "GET", Authority: "x", Path: "/" + word(3), Route: word(5), VirtualHost: word(5)}
			want := ""
			for i, s := range specs {
				if !matches(s.routes, r.Route) || !matches(s.vhosts, r.VirtualHost) {
					continue
				}
				if len(s.paths) > 0 && !strings.HasPrefix(r.Path, s.paths[0]) {
					continue
				}
				want = rules[i].Name
				hits++
				break
			}
			var d Decision
			p.Evaluate(r, &d)
			if d.Rule() != want {
				t.Fatalf("iter %d: %s\nroute %q vhost %q path %q: rule %q; want %q", iter, cfg, r.Route, r.VirtualHost, r.Path, d.Rule(), want)
			}
		}
	}
}
