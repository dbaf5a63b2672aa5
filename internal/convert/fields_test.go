package convert

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// Each kind of origin matcher converts to what allows no more than the
// source, or is refused with an origin the source allowed by mistake.
func TestOrigins(t *testing.T) {
	cases := []struct {
		m       originMatcher
		origins []string
		regexes []string
		refusal string // a part of the refusal, "" for none
	}{
		{originMatcher{"exact", "https://a.example"}, []string{"https://a.example"}, nil, ""},
		{originMatcher{"prefix", "http://localhost:"}, nil, []string{"http://localhost:[0-9]+"}, ""},
		{originMatcher{"prefix", "https://a.example"}, nil, nil, `such as "https://a.example.attacker.example"`},
		{originMatcher{"prefix", "https://"}, nil, nil, `such as "https://attacker.example"`},
		{originMatcher{"prefix", "https://a.example:"}, nil, []string{`https://a\.example:[0-9]+`}, ""},
		{originMatcher{"suffix", ".example.com"}, []string{"https://*.example.com"}, nil, ""},
		{originMatcher{"suffix", "example.com"}, nil, nil, `also matches "https://attackerexample.com"`},
		{originMatcher{"suffix", ".example.com:8443"}, nil, nil, "not on a label boundary"},
		{originMatcher{"regex", `https://a\.example`}, nil, []string{`https://a\.example`}, ""},
		{originMatcher{"contains", "example"}, nil, nil, "list the exact origins"},
		{originMatcher{"custom", ""}, nil, nil, "cannot be converted"},
	}
	for _, tc := range cases {
		c := &converter{}
		var cfg policy.Config
		c.origins("x", []originMatcher{tc.m}, &cfg)
		if !slices.Equal(cfg.AllowOrigins, tc.origins) || !slices.Equal(cfg.AllowOriginRegexes, tc.regexes) {
			t.Errorf("%+v: origins %q, regexes %q; want %q, %q", tc.m, cfg.AllowOrigins, cfg.AllowOriginRegexes, tc.origins, tc.regexes)
		}
		switch {
		case tc.refusal == "" && len(c.refusals) > 0:
			t.Errorf("%+v: refused: %v", tc.m, c.refusals)
		case tc.refusal != "" && (len(c.refusals) != 1 || !strings.Contains(c.refusals[0], tc.refusal)):
			t.Errorf("%+v: refusals %q; want one containing %q", tc.m, c.refusals, tc.refusal)
		}
	}
}

// Max ages above what any browser honours are capped, with a note.
func TestMaxAge(t *testing.T) {
	c := &converter{}
	var cfg policy.Config
	c.maxAge("x", 100000, &cfg)
	if *cfg.MaxAge != policy.MaxMaxAge || len(c.pending) != 1 {
		t.Errorf("max_age %d, notes %q", *cfg.MaxAge, c.pending)
	}
	c.maxAge("x", -1, &cfg)
	if len(c.refusals) != 1 {
		t.Errorf("a negative max age is not refused: %q", c.refusals)
	}
}

// Rule names are made valid and unique.
func TestRuleNames(t *testing.T) {
	taken := map[string]bool{}
	for _, tc := range [][2]string{{"api", "api"}, {"api", "api-2"}, {"shop/api v1", "shop-api-v1"}, {"...", "rule"}} {
		if got := uniqueName(ruleName(tc[0]), taken); got != tc[1] {
			t.Errorf("name for %q = %q; want %q", tc[0], got, tc[1])
		}
	}
}

// An origin prefix that ends where a port begins allows the host on every
// port but its scheme's default (a serialized origin has no port then):
// so does the regex it becomes.
func TestPortPrefixKeepsTheDefaultPortOut(t *testing.T) {
	p, _ := convertAll(t, virtualService("  - corsPolicy: {allowOrigins: [{prefix: \"http://localhost:\"}]}\n    route: [{destination: {host: api}}]\n"))
	check(t, p, "a port", req{origin: "http://localhost:3000"}, "allowed", nil)
	check(t, p, "the default port", req{origin: "http://localhost"}, "disallowed", nil)
	check(t, p, "another host", req{origin: "http://localhost.attacker.example:3000"}, "disallowed", nil)
}
