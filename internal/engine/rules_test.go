package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

const edgeConfig = `{
	"allow_origins": ["https://www.example.com"],
	"allow_methods": ["PUT"],
	"max_age": 600,
	"rules": [
		{"name": "health", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
		{"name": "partner-api", "match": {"hosts": ["partner.example.com"], "path_prefixes": ["/v1/", "/v2/"]},
		 "allow_origins": ["https://partner.example.org"], "allow_credentials": true},
		{"name": "partner-other", "match": {"hosts": ["partner.example.com"]}, "allow_origins": ["https://other.example.org"]},
		{"name": "tenants", "match": {"hosts": ["*.tenants.example.com"]}, "allow_origins": ["*"], "max_age": 5},
		{"name": "legacy", "match": {"path_prefixes": ["/legacy"]}, "mode": "audit"}
	]
}`

func TestRuleSelection(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, edgeConfig)
	if got := p.RuleNames(); !slices.Equal(got, []string{"health", "partner-api", "partner-other", "tenants", "legacy"}) {
		t.Fatalf("RuleNames = %q", got)
	}
	cases := []struct {
		authority, path string
		rule            string
		index           int
	}{
		{"www.example.com", "/", "", 0},
		{"www.example.com", "/healthz", "health", 1},
		{"partner.example.com", "/healthz?x", "health", 1}, // first match wins
		{"partner.example.com", "/v1/orders", "partner-api", 2},
		{"PARTNER.example.com:8443", "/v2/x?q=/v1/", "partner-api", 2}, // host case and port
		{"partner.example.com.", "/v1/x", "partner-api", 2},            // a fully qualified name
		{"a.tenants.example.com.:443", "/", "tenants", 4},
		{"partner.example.com", "/v3/orders", "partner-other", 3},
		{"partner.example.com", "/v1", "partner-other", 3}, // "/v1/" is not a prefix of "/v1"
		{"partner.example.com.evil.test", "/v1/", "", 0},
		{"a.tenants.example.com", "/x", "tenants", 4},
		{"a.b.tenants.example.com", "/", "tenants", 4},
		{"tenants.example.com", "/", "", 0}, // a wildcard never matches its base
		{"www.example.com", "/legacy/report", "legacy", 5},
		{"www.example.com", "/?path=/legacy", "", 0}, // only the path before "?"
		{"", "", "", 0},
		{"[::1]:8080", "/legacy", "legacy", 5},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(&Request{Method: "GET", Authority: tc.authority, Path: tc.path}, &d)
		if d.Rule() != tc.rule || d.RuleIndex() != tc.index {
			t.Errorf("%s%s: rule %q (%d); want %q (%d)", tc.authority, tc.path, d.Rule(), d.RuleIndex(), tc.rule, tc.index)
		}
	}
}

// A rule inherits every field it does not set; what it sets replaces the
// top-level value entirely.
func TestRuleInheritance(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, edgeConfig)
	var d Decision
	p.Evaluate(&Request{Method: "OPTIONS", Origins: []string{"https://partner.example.org"}, RequestMethod: "PUT",
		Authority: "partner.example.com", Path: "/v1/x"}, &d)
	want := []Header{
		h(HeaderAllowOrigin, "https://partner.example.org"), h(HeaderAllowCredentials, "true"),
		h(HeaderAllowMethods, "PUT"), h(HeaderMaxAge, "600"),
	}
	if d.Kind() != PreflightAllowed || !slices.Equal(d.Headers(), want) {
		t.Errorf("partner-api preflight: %v %q; want allowed with %q", d.Kind(), d.Headers(), want)
	}
	// The rule's allow_origins replaces the top-level list.
	p.Evaluate(&Request{Method: "GET", Origins: []string{"https://www.example.com"}, Authority: "partner.example.com", Path: "/v1/x"}, &d)
	if d.Kind() != ActualDisallowed {
		t.Errorf("top-level origin on partner-api: %v; want disallowed", d.Kind())
	}
	// max_age overridden by tenants, allow_methods inherited.
	p.Evaluate(&Request{Method: "OPTIONS", Origins: []string{"https://x.test"}, RequestMethod: "PUT", Authority: "t.tenants.example.com", Path: "/"}, &d)
	want = []Header{h(HeaderAllowOrigin, "*"), h(HeaderAllowMethods, "PUT"), h(HeaderMaxAge, "5")}
	if !slices.Equal(d.Headers(), want) {
		t.Errorf("tenants preflight headers %q; want %q", d.Headers(), want)
	}
}

// Each kind of path entry matches as documented on Match, and the first
// rule whose match holds decides, whatever the kind of its entries.
func TestRulePathKinds(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://a.example"], "rules": [
		{"name": "login", "match": {"paths": ["/login", "/saml/acs/"]}},
		{"name": "v1", "match": {"path_separated_prefixes": ["/v1", "/api/v1"]}},
		{"name": "bytes", "match": {"path_prefixes": ["/v1x", "/log"]}},
		{"name": "host-exact", "match": {"hosts": ["api.example.com"], "paths": ["/"]}}
	]}`)
	cases := []struct {
		authority, path, rule string
	}{
		{"", "/login", "login"},
		{"", "/login?next=/x", "login"},
		{"", "/login/", "bytes"}, // not the exact path; "/log" is a byte prefix
		{"", "/loginx", "bytes"},
		{"", "/saml/acs/", "login"},
		{"", "/saml/acs", ""},
		{"", "/v1", "v1"},
		{"", "/v1/", "v1"},
		{"", "/v1/orders/7", "v1"},
		{"", "/v1?q", "v1"},
		{"", "/v1x", "bytes"}, // never a separated prefix's
		{"", "/v10", ""},
		{"", "/api/v1/x", "v1"},
		{"", "/api/v1x", ""},
		{"api.example.com", "/", "host-exact"},
		{"api.example.com", "/?x", "host-exact"},
		{"api.example.com", "/a", ""},
		{"www.example.com", "/", ""},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(&Request{Method: "GET", Authority: tc.authority, Path: tc.path}, &d)
		if d.Rule() != tc.rule {
			t.Errorf("%s%s: rule %q; want %q", tc.authority, tc.path, d.Rule(), tc.rule)
		}
	}
}

// allow_origins and allow_origin_regexes are one setting: a rule that sets
// either list replaces both, so a rule narrowing its origins never keeps
// the top level's other list, with its own credentials.
func TestRuleOriginsInheritedAsOne(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{
		"allow_origins": ["https://app.example.com"],
		"allow_origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"],
		"rules": [
			{"name": "partner", "match": {"path_prefixes": ["/partner/"]},
			 "allow_origins": ["https://portal.partner.example"], "allow_credentials": true},
			{"name": "previews", "match": {"path_prefixes": ["/previews/"]},
			 "allow_origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"]},
			{"name": "none", "match": {"path_prefixes": ["/none/"]}, "allow_origins": []},
			{"name": "inherits", "match": {"path_prefixes": ["/inherits/"]}, "max_age": 5}
		]}`)
	cases := []struct {
		path, origin string
		allowed      bool
	}{
		{"/partner/x", "https://portal.partner.example", true},
		{"/partner/x", "https://pr-1.preview.example.com", false},
		{"/partner/x", "https://app.example.com", false},
		{"/previews/x", "https://pr-1.preview.example.com", true},
		{"/previews/x", "https://app.example.com", false},
		{"/none/x", "https://app.example.com", false},
		{"/none/x", "https://pr-1.preview.example.com", false},
		{"/inherits/x", "https://app.example.com", true},
		{"/inherits/x", "https://pr-1.preview.example.com", true},
		{"/x", "https://pr-1.preview.example.com", true},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(&Request{Method: "GET", Origins: []string{tc.origin}, Path: tc.path}, &d)
		if got := d.Kind() == ActualAllowed; got != tc.allowed {
			t.Errorf("%s from %s: %v; want allowed %v", tc.path, tc.origin, d.Kind(), tc.allowed)
		}
	}
}

func TestRuleDisabled(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, edgeConfig)
	var d Decision
	p.Evaluate(&Request{Method: "OPTIONS", Origins: []string{"https://evil.test"}, RequestMethod: "PUT", Path: "/healthz"}, &d)
	if !d.Disabled() || d.Reply() || d.Vary() || len(d.Headers()) != 0 || d.Kind() != NotCORS {
		t.Errorf("disabled rule decision = %+v; want untouched", d)
	}
	top := mustLoad(t, `{"enabled": false, "allow_origins": ["*"]}`)
	top.Evaluate(&Request{Method: "GET", Origins: []string{"https://a.test"}}, &d)
	if !d.Disabled() || len(d.Headers()) != 0 {
		t.Errorf("disabled top level decision = %+v; want untouched", d)
	}
}

func TestRuleErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		cfg  string
		want []string
	}{
		{"missing name and match", `{"rules": [{}]}`, []string{
			`rules[0]: name: required: give each rule a unique name`,
			`rules[0]: match: required: give hosts, paths, path_prefixes, path_separated_prefixes, routes or virtual_hosts`,
		}},
		{"empty match", `{"rules": [{"name": "a", "match": {}}]}`, []string{
			`rules[0] "a": match: empty: a rule without hosts, paths, path_prefixes, path_separated_prefixes, routes or virtual_hosts would match every request; set those fields at the top level instead`,
		}},
		{"empty match lists", `{"rules": [{"name": "a", "match": {"hosts": [], "path_prefixes": []}}]}`, []string{
			`rules[0] "a": match: empty: a rule without hosts, paths, path_prefixes, path_separated_prefixes, routes or virtual_hosts would match every request; set those fields at the top level instead`,
		}},
		{"duplicate and bad names", `{"rules": [{"name": "a", "match": {"path_prefixes": ["/a"]}}, {"name": "a", "match": {"path_prefixes": ["/b"]}}, {"name": "a.b", "match": {"path_prefixes": ["/c"]}}]}`, []string{
			`rules[1] "a": name: "a": duplicate of rules[0]'s name`,
			`rules[2] "a.b": name: "a.b": use only letters, digits, "-" and "_" (the name becomes part of counter names)`,
		}},
		{"bad match values", `{"rules": [{"name": "a", "match": {"hosts": ["api.example.com:8080", "*.", "https://x.test", "a.*.b"], "path_prefixes": ["api", "/x?y"]}}]}`, []string{
			`rules[0] "a": match.hosts[0]: "api.example.com:8080": remove the port: hosts are compared with :authority without its port`,
			`rules[0] "a": match.hosts[1]: "*.": a host cannot be empty`,
			`rules[0] "a": match.hosts[2]: "https://x.test": a host name only; remove the scheme, path or other parts`,
			`rules[0] "a": match.hosts[3]: "a.*.b": "*" is only allowed as the whole leftmost label, as in "*.example.com"`,
			`rules[0] "a": match.path_prefixes[0]: "api": must start with "/"`,
			`rules[0] "a": match.path_prefixes[1]: "/x?y": paths are compared with the path before "?"; remove the query or fragment`,
		}},
		{"bad path entries", `{"rules": [{"name": "a", "match": {"paths": ["x", "/a#b", "/ok/"], "path_separated_prefixes": ["/v1/", "/", "v2", "/v 3"]}}]}`, []string{
			`rules[0] "a": match.paths[0]: "x": must start with "/"`,
			`rules[0] "a": match.paths[1]: "/a#b": paths are compared with the path before "?"; remove the query or fragment`,
			`rules[0] "a": match.path_separated_prefixes[0]: "/v1/": remove the trailing "/": "/v1" matches "/v1" and the paths under it`,
			`rules[0] "a": match.path_separated_prefixes[1]: "/": every path starts with "/": write "path_prefixes": ["/"] to match every path`,
			`rules[0] "a": match.path_separated_prefixes[2]: "v2": must start with "/"`,
			`rules[0] "a": match.path_separated_prefixes[3]: "/v 3": contains whitespace or a control character`,
		}},
		{"wrong types", `{"rules": {"name": "a"}}`, []string{`rules: {"name": "a"}: must be an array of rule objects`}},
		{"rule not an object", `{"rules": ["a"]}`, []string{`rules[0]: "a": must be an object with a name, a match and policy fields`}},
		{"unknown rule field", `{"rules": [{"name": "a", "match": {"path_prefix": ["/a"]}, "allow_origin": []}]}`, []string{
			`rules[0] "a": match: unknown field "path_prefix"; did you mean "path_prefixes"?`,
			`rules[0] "a": unknown field "allow_origin"; did you mean "allow_origins"?`,
		}},
		// A wrong type is reported once, not also as a missing value.
		{"match of the wrong type", `{"rules": [{"name": "a", "match": "/api"}]}`, []string{
			`rules[0] "a": match: "/api": must be an object with hosts, paths, path_prefixes, path_separated_prefixes, routes and/or virtual_hosts`,
		}},
		{"hosts of the wrong type", `{"rules": [{"name": "a", "match": {"hosts": "a.example.com"}}]}`, []string{
			`rules[0] "a": match.hosts: "a.example.com": must be an array of strings`,
		}},
		{"name of the wrong type", `{"rules": [{"name": 5, "match": {"path_prefixes": ["/a"]}}]}`, []string{
			`rules[0]: name: 5: must be a string`,
		}},
		// The rule's own bad value is reported even when the top level has
		// the same one.
		{"the same bad value at both levels", `{"allow_origins": ["https://x.test/"], "rules": [{"name": "a", "match": {"path_prefixes": ["/a"]}, "allow_origins": ["https://x.test/"]}]}`, []string{
			`allow_origins[0]: "https://x.test/": an origin has no path; remove "/"`,
			`rules[0] "a": allow_origins[0]: "https://x.test/": an origin has no path; remove "/"`,
		}},
		{"nested rules", `{"rules": [{"name": "a", "match": {"path_prefixes": ["/a"]}, "rules": []}]}`, []string{
			`rules[0] "a": unknown field "rules" in a rule: it is set at the top level only`,
		}},
		// The effective policy is validated: the rule's credentials meet the
		// inherited wildcard origin.
		{"credentials over an inherited wildcard", `{"allow_origins": ["*"], "rules": [{"name": "partner-api", "match": {"hosts": ["p.example.com"]}, "allow_credentials": true}]}`, []string{
			`rules[0] "partner-api": allow_origins[0]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`,
		}},
		// Every rule that meets the inherited wildcard with credentials
		// says so, not only the first (the rules share one compiled set).
		{"two rules with credentials over an inherited wildcard", `{"allow_origins": ["*"], "rules": [{"name": "a", "match": {"hosts": ["a.example.com"]}, "allow_credentials": true}, {"name": "b", "match": {"hosts": ["b.example.com"]}, "allow_credentials": true}]}`, []string{
			`rules[0] "a": allow_origins[0]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`,
			`rules[1] "b": allow_origins[0]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`,
		}},
		// A value of the wrong JSON type inherited by a rule is reported
		// once, and not again as a bad origin.
		{"inherited element of the wrong type", `{"allow_origins": ["https://a.example", 5], "rules": [{"name": "a", "match": {"hosts": ["a.example.com"]}, "allow_credentials": true}]}`, []string{
			`allow_origins[1]: 5: must be a string`,
		}},
		// An inherited problem is reported once, at the top level.
		{"inherited problem reported once", `{"allow_origins": ["https://*.com"], "rules": [{"name": "a", "match": {"path_prefixes": ["/a"]}}]}`, []string{
			`allow_origins[0]: "https://*.com": a wildcard over a public suffix matches every site under it`,
		}},
		{"rule's own bad value", `{"rules": [{"name": "b", "match": {"path_prefixes": ["/b"]}, "allow_origins": ["https://x.test/"], "max_age": -3, "mode": "dry-run"}]}`, []string{
			`rules[0] "b": mode: "dry-run": must be "enforce" or "audit"`,
			`rules[0] "b": allow_origins[0]: "https://x.test/": an origin has no path; remove "/"`,
			`rules[0] "b": max_age: -3: must be between 0 and 86400 seconds`,
		}},
		{"isolation values", `{"isolation": {"cross_origin_resource_policy": "same", "cross_origin_opener_policy": 1, "coep": "x"}}`, []string{
			`isolation.cross_origin_resource_policy: "same": must be "same-origin", "same-site" or "cross-origin"`,
			`isolation.cross_origin_opener_policy: 1: must be "same-origin", "same-origin-allow-popups", "noopener-allow-popups" or "unsafe-none"`,
			`isolation: unknown field "coep"`,
		}},
		{"isolation type", `{"isolation": "same-origin"}`, []string{`isolation: "same-origin": must be an object`}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, err := Load([]byte(tc.cfg))
			if got := problemStrings(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRuleWarnings(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"rules": [{"name": "a", "match": {"path_prefixes": ["/a"]}, "allow_origins": ["https://a.test", "https://a.test"]}]}`)
	want := []string{
		`allow_origins: no origin is allowed: every CORS request no rule matches will be refused`,
		`rules[0] "a": allow_origins[1]: "https://a.test": duplicate of allow_origins[0]; remove it`,
	}
	if got := warningStrings(t, p); !slices.Equal(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
}

func TestIsolationAndTiming(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{
		"allow_origins": ["https://app.example.com"], "timing_allow_origin": true,
		"isolation": {"cross_origin_resource_policy": "same-site", "cross_origin_opener_policy": "same-origin"},
		"rules": [{"name": "embeds", "match": {"path_prefixes": ["/embed"]},
			"isolation": {"cross_origin_resource_policy": "cross-origin", "cross_origin_embedder_policy": "require-corp"}}]
	}`)
	var d Decision
	p.Evaluate(&Request{Method: "GET", Origins: []string{appOrigin}, Path: "/"}, &d)
	wantIso := []Header{h(HeaderCrossOriginResourcePolicy, "same-site"), h(HeaderCrossOriginOpenerPolicy, "same-origin")}
	if !slices.Equal(d.verdict().isolation, wantIso) {
		t.Errorf("isolation = %q; want %q", d.verdict().isolation, wantIso)
	}
	if got := d.value(HeaderTimingAllowOrigin); got != appOrigin {
		t.Errorf("timing-allow-origin = %q; want %q", got, appOrigin)
	}
	// The rule sets two headers and inherits the third.
	p.Evaluate(&Request{Method: "GET", Path: "/embed/x"}, &d)
	wantIso = []Header{h(HeaderCrossOriginResourcePolicy, "cross-origin"), h(HeaderCrossOriginEmbedderPolicy, "require-corp"), h(HeaderCrossOriginOpenerPolicy, "same-origin")}
	if !slices.Equal(d.verdict().isolation, wantIso) {
		t.Errorf("rule isolation = %q; want %q", d.verdict().isolation, wantIso)
	}
	// Timing-Allow-Origin is for allowed origins only, and "*" with any
	// origin without credentials.
	p.Evaluate(&Request{Method: "GET", Origins: []string{evilOrigin}, Path: "/"}, &d)
	if got := d.value(HeaderTimingAllowOrigin); got != "" {
		t.Errorf("timing-allow-origin for a disallowed origin = %q", got)
	}
	any := mustLoad(t, `{"allow_origins": ["*"], "timing_allow_origin": true}`)
	any.Evaluate(&Request{Method: "GET", Origins: []string{evilOrigin}}, &d)
	if got := d.value(HeaderTimingAllowOrigin); got != "*" {
		t.Errorf("timing-allow-origin with any origin = %q; want *", got)
	}
}

func TestDebugReasons(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["x-a"], "debug": true, "on_disallowed_origin": "reject"}`)
	cases := []struct {
		req  *Request
		want string
	}{
		{preflight(evilOrigin, "PUT"), "origin not allowed"},
		{preflight(appOrigin, "PATCH"), "method not allowed: PATCH"},
		{preflight(appOrigin, strings.Repeat("P", MaxMethodLength)), "method not allowed: " + strings.Repeat("P", MaxMethodLength)},
		{preflight(appOrigin, strings.Repeat("P", MaxMethodLength+1)), "method too long"},
		{preflight(appOrigin, "PUT", "x-a, X-Secret"), "header not allowed: X-Secret"},
		{preflight(appOrigin, "PUT", "x-a x-b"), "malformed access-control-request-headers"},
		{preflight(appOrigin, "PUT", "x-"+strings.Repeat("a", 200)), "header not allowed: x-" + strings.Repeat("a", maxReasonDetail-2)},
		{preflight("https://app.example.com\r\nx: y", "PUT"), "malformed origin"},
		{&Request{Method: "OPTIONS", Origins: []string{appOrigin}, RequestMethod: "GET", RequestPrivateNetwork: "true"}, "private network not allowed"},
		{actual("POST", evilOrigin), "origin not allowed"},
		{actual("POST", "null"), "origin not allowed"},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(tc.req, &d)
		if got := d.value(HeaderReason); got != tc.want {
			t.Errorf("%+v: x-cors-reason = %q; want %q", tc.req, got, tc.want)
		}
	}
	// Off by default, and never on allowed requests.
	quiet := mustLoad(t, basicConfig)
	var d Decision
	quiet.Evaluate(preflight(evilOrigin, "PUT"), &d)
	if got := d.value(HeaderReason); got != "" {
		t.Errorf("x-cors-reason without debug = %q", got)
	}
	p.Evaluate(preflight(appOrigin, "PUT"), &d)
	if got := d.value(HeaderReason); got != "" {
		t.Errorf("x-cors-reason on an allowed preflight = %q", got)
	}
}

// The generated scale configuration loads, and its rules are chosen by host
// and path.
func TestScaleConfiguration(t *testing.T) {
	t.Parallel()
	s := testconfig.Scale{Origins: 10000, Wildcards: 1000, Rules: 100}
	p := mustLoad(t, string(s.JSON()))
	for _, k := range []int{0, 1, 50, 99} {
		var d Decision
		r := actual("GET", s.Origin(9999))
		r.Authority, r.Path = s.Host(k), s.PathPrefix(k)+"x"
		p.Evaluate(r, &d)
		wantKind := ActualAllowed
		if k%2 == 1 {
			wantKind = ActualDisallowed // odd rules set their own origins
		}
		if d.RuleIndex() != k+1 || d.Kind() != wantKind {
			t.Errorf("rule %d: chose %q (%d), %v; want svc-%d, %v", k, d.Rule(), d.RuleIndex(), d.Kind(), k, wantKind)
		}
	}
}
