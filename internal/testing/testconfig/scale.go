// Package testconfig generates large configurations for tests and
// benchmarks. It is imported only by tests.
package testconfig

import (
	"encoding/json"
	"fmt"
)

// Scale describes a generated edge configuration.
type Scale struct {
	Origins   int // exact origins at the top level
	Wildcards int // subdomain wildcards at the top level
	Rules     int // rules; every other one sets its own origins
}

// JSON returns the configuration. Origin i is https://app<i>.example.com,
// wildcard j is https://*.tenant<j>.example.net, rule k matches host
// svc<k>.example.com and path prefix /api/<k>/.
func (s Scale) JSON() []byte {
	origins := make([]string, 0, s.Origins+s.Wildcards)
	for i := range s.Origins {
		origins = append(origins, s.Origin(i))
	}
	for j := range s.Wildcards {
		origins = append(origins, fmt.Sprintf("https://*.tenant%d.example.net", j))
	}
	type rule struct {
		Name         string              `json:"name"`
		Match        map[string][]string `json:"match"`
		AllowOrigins []string            `json:"allow_origins,omitempty"`
		MaxAge       int                 `json:"max_age"`
	}
	rules := make([]rule, s.Rules)
	for k := range rules {
		rules[k] = rule{
			Name:   fmt.Sprintf("svc-%d", k),
			Match:  map[string][]string{"hosts": {s.Host(k)}, "path_prefixes": {s.PathPrefix(k)}},
			MaxAge: 60 + k,
		}
		if k%2 == 1 {
			rules[k].AllowOrigins = []string{fmt.Sprintf("https://partner%d.example.org", k), fmt.Sprintf("https://*.partner%d.example.org", k)}
		}
	}
	out, err := json.Marshal(map[string]any{
		"allow_origins": origins,
		"allow_methods": []string{"PUT", "DELETE"},
		"allow_headers": []string{"content-type", "authorization"},
		"rules":         rules,
	})
	if err != nil {
		panic(err)
	}
	return out
}

// Origin returns exact origin i.
func (s Scale) Origin(i int) string { return fmt.Sprintf("https://app%d.example.com", i) }

// Host returns the host rule k matches.
func (s Scale) Host(k int) string { return fmt.Sprintf("svc%d.example.com", k) }

// PathPrefix returns the path prefix rule k matches.
func (s Scale) PathPrefix(k int) string { return fmt.Sprintf("/api/%d/", k) }
