package convert

import (
	"strings"
	"testing"
)

// A route the source names, selected by what corswasm rules cannot match
// (headers, a regex path…), becomes a rule bound to the name Envoy gives
// it (match.routes), where an unnamed one is refused or approximated (see
// TestConditionalRoutes): the rule takes exactly the requests Envoy routes
// there, and says so in a note.
func TestNamedRoutesBound(t *testing.T) {
	for _, tc := range []struct {
		desc, doc, route, note string
		checks                 []struct {
			r    req
			want string
		}
	}{
		{"an Istio route matching a header, before a catch-all without CORS", virtualService(`  - name: beta
    match: [{uri: {prefix: /}, headers: {x-beta: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: beta}}]
  - name: rest
    route: [{destination: {host: api}}]
`), "beta", `VirtualService shop/api http[0] "beta": corswasm rules cannot select requests by headers; its rule is bound to the route's name instead (match.routes "beta")`, []struct {
			r    req
			want string
		}{
			{req{origin: "https://b.example", route: "beta"}, "allowed"},
			{req{origin: "https://b.example", route: "rest"}, "none"},
			{req{origin: "https://b.example"}, "none"},
		}},
		{"an Istio match condition's name follows the route's", virtualService(`  - name: beta
    match: [{name: canary, uri: {prefix: /}, headers: {x-beta: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: beta}}]
  - name: rest
    route: [{destination: {host: api}}]
`), "beta.canary", `(match.routes "beta.canary")`, []struct {
			r    req
			want string
		}{
			{req{origin: "https://b.example", route: "beta.canary"}, "allowed"},
			{req{origin: "https://b.example", route: "beta"}, "none"},
		}},
		{"an Envoy route with a regex path and a header", envoyVH(
			`{name: versioned, match: {safe_regex: {regex: "/v[0-9]+/.*"}, headers: [{name: x-beta, present_match: true}]}, route: {cluster: api}, `+b+`}`,
			`{name: rest, match: {prefix: /}, route: {cluster: api}}`),
			"versioned", `cannot select requests by a regex path (safe_regex), headers; its rule is bound to the route's name instead (match.routes "versioned")`, []struct {
				r    req
				want string
			}{
				{req{path: "/v1/x", origin: "https://b.example", route: "versioned"}, "allowed"},
				{req{path: "/v1/x", origin: "https://b.example", route: "rest"}, "disallowed"},
				{req{path: "/v1/x", origin: "https://a.example", route: "rest"}, "allowed"},
			}},
	} {
		p, r := convertAll(t, tc.doc)
		if !strings.Contains(string(r.JSON), `"routes"`) || !strings.Contains(string(r.JSON), `"`+tc.route+`"`) {
			t.Errorf("%s: no rule bound to %q:\n%s", tc.desc, tc.route, r.JSON)
		}
		if !hasLine(r.Notes, tc.note) {
			t.Errorf("%s: notes\n%s\nwant one with %q", tc.desc, strings.Join(r.Notes, "\n"), tc.note)
		}
		for _, c := range tc.checks {
			check(t, p, tc.desc, c.r, c.want, nil)
		}
	}
	// A name match.routes would read as a prefix is not bound: the route
	// is refused as an unnamed one.
	r := convertRaw(t, envoyVH(
		`{name: "beta*", match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, `+b+`}`,
		`{match: {prefix: /}, route: {cluster: api}}`))
	if !hasLine(r.Refusals, "corswasm rules cannot select requests by headers") {
		t.Errorf("a route named \"beta*\": refusals %q; want the unnamed route's", r.Refusals)
	}
}
