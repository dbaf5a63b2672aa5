package convert

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
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
		{originMatcher{kind: "exact", value: "https://a.example"}, []string{"https://a.example"}, nil, ""},
		{originMatcher{kind: "prefix", value: "http://localhost:"}, nil, []string{"http://localhost:[0-9]+"}, ""},
		{originMatcher{kind: "prefix", value: "https://a.example"}, nil, nil, `such as "https://a.example.attacker.example"`},
		{originMatcher{kind: "prefix", value: "https://"}, nil, nil, `such as "https://attacker.example"`},
		{originMatcher{kind: "prefix", value: "https://a.example:"}, nil, []string{`https://a\.example:[0-9]+`}, ""},
		{originMatcher{kind: "suffix", value: ".example.com"}, []string{"https://*.example.com"}, nil, ""},
		{originMatcher{kind: "suffix", value: "example.com"}, nil, nil, `also matches "https://attackerexample.com"`},
		{originMatcher{kind: "suffix", value: ".example.com:8443"}, nil, nil, "not on a label boundary"},
		{originMatcher{kind: "regex", value: `https://a\.example`}, nil, []string{`https://a\.example`}, ""},
		{originMatcher{kind: "contains", value: "example"}, nil, nil, "list the exact origins"},
		{originMatcher{kind: "custom", value: ""}, nil, nil, "cannot be converted"},
		// Envoy's CorsFilter::isOriginAllowed allows any origin when a
		// matcher matches "*" (the reviewer's vsany.yaml: regex ".*").
		{originMatcher{kind: "regex", value: ".*"}, []string{"*"}, nil, ""},
		{originMatcher{kind: "regex", value: `[^/]*`}, []string{"*"}, nil, ""},
		{originMatcher{kind: "regex", value: `https://.*`}, nil, []string{`https://.*`}, ""},
		{originMatcher{kind: "prefix", value: "*"}, []string{"*"}, nil, ""},
		{originMatcher{kind: "suffix", value: "*"}, []string{"*"}, nil, ""},
		{originMatcher{kind: "contains", value: "*"}, []string{"*"}, nil, ""},
		{originMatcher{kind: "exact", value: "*"}, []string{"*"}, nil, ""},
		{originMatcher{kind: "exact", value: "https://*.example.com"}, nil, []string{`https://\*\.example\.com`}, ""},
	}
	for _, tc := range cases {
		c := &converter{}
		var cfg engine.Config
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

// A matcher no origin a browser sends can match (a browser serializes
// Origin in lower case, without the scheme's default port: the URL
// standard's origin serialization) allowed nothing in the source: it is
// left out with a note, never normalized into an origin it did not
// allow. Envoy's ignore_case makes the lower-case form the one matched
// (StringMatcher.ignore_case in envoy/type/matcher/v3/string.proto; it
// does not apply to a regex).
func TestOriginsNeverMatched(t *testing.T) {
	const never = "never matches"
	for _, tc := range []struct {
		m       originMatcher
		origins []string
		regexes []string
		note    string // a part of the note, "" for none
	}{
		{originMatcher{kind: "exact", value: "https://App.Example.com"}, nil, nil, `origin exact "https://App.Example.com" never matches: a browser sends no upper-case letter`},
		{originMatcher{kind: "exact", value: "https://App.Example.com", ignoreCase: true}, []string{"https://app.example.com"}, nil, ""},
		{originMatcher{kind: "exact", value: "https://b.example.com:443"}, nil, nil, `origin exact "https://b.example.com:443" never matches: it is not an origin as a browser serializes it`},
		{originMatcher{kind: "exact", value: "https://B.example.com:443", ignoreCase: true}, nil, nil, never},
		{originMatcher{kind: "exact", value: "https://b.example.com/"}, nil, nil, never},
		{originMatcher{kind: "exact", value: "http://b.example.com:8080"}, []string{"http://b.example.com:8080"}, nil, ""},
		{originMatcher{kind: "exact", value: "null"}, []string{"null"}, nil, ""},
		{originMatcher{kind: "suffix", value: ".Example.org"}, nil, nil, never},
		{originMatcher{kind: "suffix", value: ".Example.org", ignoreCase: true}, []string{"https://*.example.org"}, nil, "https only"},
		{originMatcher{kind: "prefix", value: "HTTP://localhost:"}, nil, nil, never},
		{originMatcher{kind: "prefix", value: "HTTP://LocalHost:", ignoreCase: true}, nil, []string{"http://localhost:[0-9]+"}, ""},
		{originMatcher{kind: "prefix", value: "https://App.example"}, nil, nil, never},
		{originMatcher{kind: "contains", value: "Example"}, nil, nil, never},
		{originMatcher{kind: "regex", value: `https://App\.example`, ignoreCase: true}, nil, []string{`https://App\.example`}, ""},
	} {
		c := &converter{}
		var cfg engine.Config
		c.origins("x", []originMatcher{tc.m}, &cfg)
		if !slices.Equal(cfg.AllowOrigins, tc.origins) || !slices.Equal(cfg.AllowOriginRegexes, tc.regexes) {
			t.Errorf("%+v: origins %q, regexes %q; want %q, %q", tc.m, cfg.AllowOrigins, cfg.AllowOriginRegexes, tc.origins, tc.regexes)
		}
		if len(c.refusals) > 0 {
			t.Errorf("%+v: refused: %q", tc.m, c.refusals)
		}
		if got := strings.Join(c.pending, "\n"); tc.note == "" && got != "" || !strings.Contains(got, tc.note) {
			t.Errorf("%+v: notes %q; want %q", tc.m, got, tc.note)
		}
	}
}

// The Gateway API's origins are URIs: scheme and host compare
// case-insensitively (RFC 3986 sections 3.1 and 3.2.2), and a missing
// port is the scheme's default (HTTPCORSFilter.AllowOrigins).
func TestGatewayOriginsNormalized(t *testing.T) {
	p, r := convertAll(t, httpRoute(`  - filters: [{type: CORS, cors: {allowOrigins: ["HTTPS://App.Example.com:443", "https://*.Tenants.example.com", "http://a.example:8080"]}}]
    backendRefs: [{name: api, port: 8080}]
`))
	check(t, p, "upper case and default port", req{origin: "https://app.example.com"}, "allowed", nil)
	check(t, p, "wildcard", req{origin: "https://x.tenants.example.com"}, "allowed", nil)
	check(t, p, "another port", req{origin: "http://a.example:8080"}, "allowed", nil)
	if !hasLine(r.Notes, `origin "HTTPS://App.Example.com:443" is the origin "https://app.example.com"`) {
		t.Errorf("notes %q", r.Notes)
	}
}

// Envoy compares an exact origin byte for byte: one with an upper-case
// letter or the default port allowed no origin a browser sends.
func TestEnvoyOriginsBrowsersNeverSend(t *testing.T) {
	p, _ := convertAll(t, envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://App.Example.com"}, {exact: "https://b.example.com:443"}, {suffix: ".Example.org"}, {exact: "https://C.example", ignore_case: true}], allow_credentials: true`), "", "", ""))
	for _, o := range []string{"https://app.example.com", "https://b.example.com", "https://x.example.org"} {
		check(t, p, "never matched in Envoy", req{origin: o}, "disallowed", nil)
	}
	check(t, p, "ignore_case", req{origin: "https://c.example"}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
}

// Max ages above what any browser honours are capped, with a note.
func TestMaxAge(t *testing.T) {
	c := &converter{}
	var cfg engine.Config
	c.maxAge("x", 100000, &cfg)
	if *cfg.MaxAge != engine.MaxMaxAge || len(c.pending) != 1 {
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

// An Istio allowOrigins entry that matches "*" (the reviewer's
// vsany.yaml: regex ".*") allows every origin in Envoy, whatever the
// other entries: it converts to "*", and, with credentials, is refused
// as corswasm check refuses "*" with credentials.
func TestOriginMatchingStar(t *testing.T) {
	vs := func(extra string) string {
		return virtualService(`  - corsPolicy:
      allowOrigins: [{exact: "https://a.example"}, {regex: ".*"}]
      allowMethods: [GET, PUT]` + extra + `
    route: [{destination: {host: api}}]
`)
	}
	p, r := convertAll(t, vs(""))
	check(t, p, "any origin", req{origin: "https://anyone.example", acrm: "PUT"}, "allowed", map[string]string{"access-control-allow-origin": "*"})
	if !hasLine(r.Notes, `origin regex ".*" matches "*", which Envoy's CORS filter takes for every origin: it becomes allow_origins ["*"]`) {
		t.Errorf("notes %q", r.Notes)
	}
	r = convertRaw(t, vs("\n      allowCredentials: true"))
	if !hasLine(r.Refusals, `the converted configuration: `, `allow_origins`, `"*"`, `credentials`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}

// An exact origin with "*" in its host matched that origin alone: Envoy
// compares an exact StringMatcher byte for byte, after trying "*" whole
// (CorsFilter::isOriginAllowed in source/extensions/filters/http/cors/
// cors_filter.cc), and Istio's exact and deprecated allowOrigin become
// exact matchers (TranslateCORSPolicy in pilot/pkg/networking/core/route/
// route.go). The URL standard allows "*" in a host (it is no forbidden
// host code point; Node's new URL("https://*.example.com").origin keeps
// it), so a browser can send that origin, and only it is allowed: never
// the hosts under it, as allow_origins would read it.
func TestExactOriginWithStar(t *testing.T) {
	credentialed := map[string]string{"access-control-allow-credentials": "true"}
	for _, tc := range []struct {
		desc, doc string
		literal   string // the origin the source allowed
		under     string // an origin under it, which the source did not allow
	}{
		{"Istio exact", virtualService(`  - corsPolicy: {allowOrigins: [{exact: "https://*.example.com"}], allowCredentials: true}
    route: [{destination: {host: api}}]
`), "https://*.example.com", "https://evil.example.com"},
		{"Istio allowOrigin", virtualService(`  - corsPolicy: {allowOrigin: ["https://*.example.com"], allowCredentials: true}
    route: [{destination: {host: api}}]
`), "https://*.example.com", "https://evil.example.com"},
		{"Envoy exact with a port", envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://*.partner.example:8443"}], allow_credentials: true`), "", "", ""),
			"https://*.partner.example:8443", "https://evil.partner.example:8443"},
		{"Envoy exact, ignore_case", envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://*.Example.com", ignore_case: true}], allow_credentials: true`), "", "", ""),
			"https://*.example.com", "https://evil.example.com"},
	} {
		p, r := convertAll(t, tc.doc)
		check(t, p, tc.desc+": the literal origin", req{origin: tc.literal}, "allowed", credentialed)
		check(t, p, tc.desc+": an origin under it", req{origin: tc.under}, "disallowed", nil)
		if !hasLine(r.Notes, `matched that origin alone, with a literal "*" in its host`) {
			t.Errorf("%s: notes %q", tc.desc, r.Notes)
		}
		if hasLine(r.Notes, "regex_equivalent", "prefer them") {
			t.Errorf("%s: a warning suggests the wildcard: %q", tc.desc, r.Notes)
		}
	}
}

// Envoy matches an origin regex against the whole Origin, so one that
// matches every scheme (the Envoy CORS sandbox's ".*\.envoyproxy\.io",
// examples/cors/backend/envoy.yaml in envoyproxy/envoy) allowed origins
// of every scheme there too: it is refused, where the source has it, with
// the regex to write instead when "https://" before it keeps only origins
// it matched; that regex then converts.
func TestOriginRegexOfAnyScheme(t *testing.T) {
	doc := func(re string) string {
		return envoyRoutes("", corsPolicy(`allow_origin_string_match: [{safe_regex: {regex: '`+re+`'}}], allow_methods: "GET"`), "", "", "")
	}
	for _, tc := range []struct{ re, fix string }{
		{`.*\.envoyproxy\.io`, `if https was meant, write the regex "https://.*\\.envoyproxy\\.io" in the source`},
		{`.+\.envoyproxy\.io`, `if https was meant, write the regex "https://.+\\.envoyproxy\\.io" in the source`},
		{`[a-z]+://app\.example\.com`, `spell its schemes out in the source, as in "https://…"`},
	} {
		r := convertRaw(t, doc(tc.re))
		if !hasLine(r.Refusals, `virtual_hosts[0] "api": origin regex `+strconv.Quote(tc.re)+` matches origins of any scheme, such as`, tc.fix) {
			t.Errorf("%s: refusals\n%s\nwant one with %q", tc.re, strings.Join(r.Refusals, "\n"), tc.fix)
		}
		if hasLine(r.Refusals, "the converted configuration") {
			t.Errorf("%s: refused twice: %q", tc.re, r.Refusals)
		}
	}
	p, _ := convertAll(t, doc(`https://.*\.envoyproxy\.io`))
	check(t, p, "the regex suggested", req{origin: "https://www.envoyproxy.io"}, "allowed", nil)
	check(t, p, "the regex suggested", req{origin: "http://www.envoyproxy.io"}, "disallowed", nil)
}
