package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Rules bound to the names of Envoy's route and virtual host: Envoy
// Gateway's HTTPRoute naming (httproute/<namespace>/<name>/rule/<i>/match/<j>/<host>)
// and Istio's, where a route is named after the VirtualService's
// http[].name.
const routesConfig = `{
	"allow_origins": ["https://www.example.com"],
	"rules": [
		{"name": "health", "match": {"paths": ["/healthz"]}, "enabled": false},
		{"name": "checkout", "match": {"routes": ["httproute/shop/checkout/*"]}, "allow_origins": ["https://shop.example.com"]},
		{"name": "checkout-admin", "match": {"routes": ["httproute/shop/checkout/rule/1/*"], "hosts": ["admin.example.com"]}, "allow_origins": ["https://admin.example.com"]},
		{"name": "reviews", "match": {"routes": ["reviews-v2", "reviews-v3"], "virtual_hosts": ["reviews.default.svc.cluster.local:9080"]}, "allow_credentials": true},
		{"name": "reviews-any-host", "match": {"routes": ["reviews-v2"]}, "allow_origins": ["https://reviews.example.com"]},
		{"name": "gateway-vhost", "match": {"virtual_hosts": ["default/eg/http/*"], "path_prefixes": ["/api/"]}, "max_age": 5},
		{"name": "exact-beats-later-prefix", "match": {"routes": ["httproute/shop/cart/rule/0/match/0/*"]}},
		{"name": "shop-any", "match": {"routes": ["httproute/shop/*"]}}
	]
}`

func TestRuleSelectionByRoute(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, routesConfig)
	cases := []struct {
		desc                          string
		authority, path, route, vhost string
		rule                          string
	}{
		{"no route: top level", "www.example.com", "/", "", "", ""},
		{"an earlier path rule decides first", "www.example.com", "/healthz", "httproute/shop/checkout/rule/0/match/0/www_example_com", "", "health"},
		{"route prefix", "www.example.com", "/pay", "httproute/shop/checkout/rule/0/match/0/www_example_com", "", "checkout"},
		{"the earlier, wider prefix decides", "admin.example.com", "/", "httproute/shop/checkout/rule/1/match/0/admin_example_com", "", "checkout"},
		{"the prefix itself", "x", "/", "httproute/shop/checkout/", "", "checkout"},
		{"a shorter name than the prefix", "x", "/", "httproute/shop/checkout", "", "shop-any"},
		{"route and virtual host", "reviews", "/", "reviews-v3", "reviews.default.svc.cluster.local:9080", "reviews"},
		{"route without its virtual host", "reviews", "/", "reviews-v2", "other:9080", "reviews-any-host"},
		{"route, virtual host missing", "reviews", "/", "reviews-v2", "", "reviews-any-host"},
		{"route v3, other virtual host: no rule", "reviews", "/", "reviews-v3", "other", ""},
		{"exact names are whole", "reviews", "/", "reviews-v2x", "reviews.default.svc.cluster.local:9080", ""},
		{"virtual host prefix and path", "eg", "/api/x", "", "default/eg/http/www_example_com", "gateway-vhost"},
		{"virtual host prefix, other path", "eg", "/web", "", "default/eg/http/www_example_com", ""},
		{"names are case-sensitive", "eg", "/api/x", "", "Default/eg/http/www_example_com", ""},
		{"several prefixes: the first rule", "x", "/", "httproute/shop/cart/rule/0/match/0/x", "", "exact-beats-later-prefix"},
		{"a wide prefix", "x", "/", "httproute/shop/other", "", "shop-any"},
		{"hostile route name", "x", "/", strings.Repeat("httproute/", 10000), "", ""},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(&Request{Method: "GET", Authority: tc.authority, Path: tc.path, Route: tc.route, VirtualHost: tc.vhost}, &d)
		if d.Rule() != tc.rule {
			t.Errorf("%s: rule %q; want %q", tc.desc, d.Rule(), tc.rule)
		}
		// A request with an Origin chooses the same rule.
		p.Evaluate(&Request{Method: "GET", Origins: []string{"https://x.test"}, Authority: tc.authority, Path: tc.path, Route: tc.route, VirtualHost: tc.vhost}, &d)
		if d.Rule() != tc.rule {
			t.Errorf("%s, with Origin: rule %q; want %q", tc.desc, d.Rule(), tc.rule)
		}
	}
}

func TestRouteInputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg                string
		authority, path    bool
		route, virtualHost bool
	}{
		{`{"allow_origins": ["*"]}`, false, false, false, false},
		{`{"rules": [{"name": "a", "match": {"paths": ["/a"]}}]}`, false, true, false, false},
		{`{"rules": [{"name": "a", "match": {"routes": ["r"]}}]}`, false, true, true, false},
		{`{"rules": [{"name": "a", "match": {"virtual_hosts": ["v*"]}}]}`, false, true, false, true},
		{`{"rules": [{"name": "a", "match": {"routes": ["r"], "hosts": ["a.example"]}}]}`, true, true, true, false},
		{`{"rules": [{"name": "a", "match": {"routes": ["r"]}}, {"name": "b", "match": {"virtual_hosts": ["v"]}}]}`, false, true, true, true},
	}
	for _, tc := range cases {
		p := mustLoad(t, tc.cfg)
		a, pa := p.RuleInputs()
		r, v := p.RouteInputs()
		if a != tc.authority || pa != tc.path || r != tc.route || v != tc.virtualHost {
			t.Errorf("%s: RuleInputs %v %v, RouteInputs %v %v; want %v %v, %v %v", tc.cfg, a, pa, r, v, tc.authority, tc.path, tc.route, tc.virtualHost)
		}
	}
}

func TestRouteEntryProblems(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("r", 1025)
	cases := []struct {
		desc     string
		match    string
		errs     []string
		warnings []string
	}{
		{"valid", `{"routes": ["a", "b/*", "*"], "virtual_hosts": ["v"]}`, nil, []string{
			`rules[0] "a": match.routes[0]: "a": covered by match.routes[2] "*"; remove it`,
			`rules[0] "a": match.routes[1]: "b/*": covered by match.routes[2] "*"; remove it`,
		}},
		{"empty entry", `{"routes": [""]}`, []string{
			`rules[0] "a": match.routes[0]: "": empty: give a name, or a prefix ending in "*"`}, nil},
		{"misplaced star", `{"virtual_hosts": ["*.example.com", "a**"]}`, []string{
			`rules[0] "a": match.virtual_hosts[0]: "*.example.com": "*" may only end an entry (a prefix); a name is compared byte for byte`,
			`rules[0] "a": match.virtual_hosts[1]: "a**": "*" may only end an entry (a prefix); a name is compared byte for byte`}, nil},
		{"too long", `{"routes": ["` + long + `"]}`, []string{
			`rules[0] "a": match.routes[0]: "` + long + `": longer than 1024 bytes`}, nil},
		{"spaces and control characters", `{"routes": [" r", "r\t", "a\u0001b"]}`, []string{
			`rules[0] "a": match.routes[0]: " r": starts or ends with a space`,
			`rules[0] "a": match.routes[1]: "r\t": starts or ends with a space`,
			`rules[0] "a": match.routes[2]: "a\x01b": contains a control character`}, nil},
		{"wrong type", `{"routes": "r"}`, []string{
			`rules[0] "a": match.routes: "r": must be an array of strings`}, nil},
		{"duplicates and redundant", `{"routes": ["r", "r", "s/*", "s/x", "s/*"]}`, nil, []string{
			`rules[0] "a": match.routes[1]: "r": duplicate of match.routes[0]; remove it`,
			`rules[0] "a": match.routes[3]: "s/x": covered by match.routes[2] "s/*"; remove it`,
			`rules[0] "a": match.routes[4]: "s/*": duplicate of match.routes[2]; remove it`,
		}},
		{"a prefix covered by a shorter one", `{"virtual_hosts": ["s/*", "s/x/*"]}`, nil, []string{
			`rules[0] "a": match.virtual_hosts[1]: "s/x/*": covered by match.virtual_hosts[0] "s/*"; remove it`,
		}},
	}
	for _, tc := range cases {
		cfg := `{"allow_origins": ["*"], "rules": [{"name": "a", "match": ` + tc.match + `}]}`
		errs, warnings := Check([]byte(cfg))
		if got := fieldErrorStrings(errs); !slices.Equal(got, tc.errs) {
			t.Errorf("%s: errors\n got %q\nwant %q", tc.desc, got, tc.errs)
		}
		if got := fieldErrorStrings(warnings); !slices.Equal(got, tc.warnings) {
			t.Errorf("%s: warnings\n got %q\nwant %q", tc.desc, got, tc.warnings)
		}
		for _, e := range errs {
			if e.Code != CodeRouteNameInvalid && e.Code != CodeWrongType {
				t.Errorf("%s: %q has code %q", tc.desc, e, e.Code)
			}
		}
	}
}

func fieldErrorStrings(list []*FieldError) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

// fixedRule is a value of a nameTrie in tests: a rule index.
type fixedRule int

func (f fixedRule) findIn(*Request) int { return int(f) }

// The trie finds every entry a name matches, however entries share and
// split their labels, in any order of insertion.
func TestNameTrie(t *testing.T) {
	t.Parallel()
	entries := []struct {
		raw  string
		rule fixedRule
	}{{"abc", 5}, {"ab*", 4}, {"a*", 6}, {"abd", 3}, {"b", 2}, {"*", 9}, {"abcdef*", 1}, {"abcd", 0}, {"x/y/*", 7}, {"x/z", 8}}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, {6, 0, 8, 2, 4, 1, 9, 3, 5, 7}} {
		var tr nameTrie[fixedRule]
		for _, i := range order {
			e := entries[i]
			tr.get(nameEntry{strings.TrimSuffix(e.raw, "*"), strings.HasSuffix(e.raw, "*")}, func() fixedRule { return e.rule })
		}
		for _, tc := range []struct {
			name string
			want int
		}{
			{"abc", 4}, {"abcd", 0}, {"abcdefg", 1}, {"abcde", 4}, {"ab", 4}, {"a", 6}, {"abd", 3},
			{"b", 2}, {"bb", 9}, {"", 9}, {"x/y/", 7}, {"x/y", 9}, {"x/z", 8}, {"x/zz", 9}, {"zzz", 9},
		} {
			if got := tr.first(tc.name, nil); got != tc.want {
				t.Errorf("insertion order %v: %q: rule %d; want %d", order, tc.name, got, tc.want)
			}
		}
	}
}

// routePairsExample is a rule with 40 routes and 30 virtual hosts: 1,200
// pairs.
func routePairsExample() string { return routePairsConfig(40, 30) }

func routePairsConfig(routes, vhosts int) string {
	var r, v []string
	for i := range routes {
		r = append(r, fmt.Sprintf(`"r%d"`, i))
	}
	for i := range vhosts {
		v = append(v, fmt.Sprintf(`"v%d"`, i))
	}
	return `{"rules": [{"name": "a", "match": {"routes": [` + strings.Join(r, ",") + `], "virtual_hosts": [` + strings.Join(v, ",") + `]}}]}`
}

// A rule's index holds a host and path index per pair of a route and a
// virtual host entry: 1,000 pairs at most.
func TestRoutePairsBounded(t *testing.T) {
	t.Parallel()
	errs, _ := Check([]byte(routePairsExample()))
	want := []string{`rules[0] "a": match: 40 routes × 30 virtual_hosts: more than 1000 pairs: split the rule, or name fewer routes or virtual hosts (a prefix ending in "*" names many)`}
	if got := fieldErrorStrings(errs); !slices.Equal(got, want) {
		t.Errorf("errors\n got %q\nwant %q", got, want)
	}
	if errs, _ := Check([]byte(routePairsConfig(40, 25))); len(errs) != 0 {
		t.Errorf("1,000 pairs: %q; want no error", fieldErrorStrings(errs))
	}
}
