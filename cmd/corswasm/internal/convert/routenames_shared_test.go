package convert

import (
	"strings"
	"testing"
)

// Envoy does not require route names to be unique (RouteAction
// name is a free string; xds.route_name is whichever route matched). A
// conditional route bound to its name (match.routes) then also takes the
// requests Envoy sends to another route of the same name, with the
// conditional route's CORS policy. Here the header-selected route "api"
// allows https://b.example; the catch-all route, also named "api", has
// only the virtual host's policy (https://a.example). A request Envoy
// routes to the catch-all (no x-beta header) from https://b.example gets
// no CORS headers from Envoy; the converted configuration allows it.
func TestBoundRouteNameSharedByAnotherRoute(t *testing.T) {
	doc := envoyVH(
		`{name: api, match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, `+b+`}`,
		`{name: api, match: {prefix: /}, route: {cluster: api}}`)
	r := convertRaw(t, doc)
	if !hasLine(r.Notes, "its rule is not bound to the route's name", "has that name too") {
		t.Errorf("notes\n%s\nwant one saying why the name is not bound", strings.Join(r.Notes, "\n"))
	}
	if len(r.Refusals) > 0 {
		t.Logf("refused (acceptable):\n%s", strings.Join(r.Refusals, "\n"))
		return
	}
	p, _ := convertAll(t, doc)
	// A request without x-beta: Envoy routes it to routes[1], whose name is
	// also "api"; Envoy's CORS policy there allows https://a.example only.
	if got := outcome(ask(p, req{origin: "https://b.example", route: "api"})); got == "allowed" {
		t.Errorf("https://b.example on the catch-all route (also named \"api\"): converted config %s; Envoy allows only https://a.example there\n%s", got, r.JSON)
	}
	if got := outcome(ask(p, req{origin: "https://b.example", route: "api", acrm: "PUT"})); got == "allowed" {
		t.Errorf("preflight from https://b.example on the catch-all route: converted config allows it")
	}
}

// the same with Istio's naming: http[0] "beta" with the match
// condition "canary" is named "beta.canary" (translateRoute), as is
// http[1] named "beta.canary" without a match name. http[1] has no
// corsPolicy: Istio gives its requests no CORS handling.
func TestBoundIstioRouteNameCollision(t *testing.T) {
	doc := virtualService(`  - name: beta
    match: [{name: canary, uri: {prefix: /}, headers: {x-beta: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: beta}}]
  - name: beta.canary
    route: [{destination: {host: api}}]
`)
	r := convertRaw(t, doc)
	if !hasLine(r.Notes, "its rule is not bound to the route's name", "has that name too") {
		t.Errorf("notes\n%s\nwant one saying why the name is not bound", strings.Join(r.Notes, "\n"))
	}
	if len(r.Refusals) > 0 {
		t.Logf("refused (acceptable):\n%s", strings.Join(r.Refusals, "\n"))
		return
	}
	p, _ := convertAll(t, doc)
	if got := outcome(ask(p, req{origin: "https://b.example", route: "beta.canary"})); got == "allowed" {
		t.Errorf("a request Istio routes to http[1] (named \"beta.canary\", no corsPolicy): converted config %s\n%s", got, r.JSON)
	}
}

// A name shared with a route of another virtual host, or of another
// VirtualService, is not bound either: the filter sees both, and
// xds.route_name would not tell them apart. The route is converted as an
// unnamed one (here: its regex path, which a preflight meets as its
// request does, is dropped, since no route after it takes its requests),
// with a note naming the other route.
func TestRouteNameSharedAcrossVirtualHostsNotBound(t *testing.T) {
	doc := envoyVH(`{name: versioned, match: {safe_regex: {regex: "/v[0-9]+/.*"}}, route: {cluster: api}, `+b+`}`) + `- name: other
  domains: [other.example.com]
  routes:
  - {name: versioned, match: {prefix: /}, route: {cluster: other}}
`
	p, r := convertAll(t, doc)
	if strings.Contains(string(r.JSON), `"routes"`) {
		t.Errorf("a rule is bound to the shared name \"versioned\":\n%s", r.JSON)
	}
	if !hasLine(r.Notes, `routes[0] "versioned": its rule is not bound to the route's name (match.routes "versioned")`, `route configuration "edge" virtual_hosts[1] "other" routes[0] "versioned" has that name too`) {
		t.Errorf("notes\n%s\nwant one saying why the name is not bound", strings.Join(r.Notes, "\n"))
	}
	check(t, p, "the route without its regex path", req{path: "/v1/x", origin: "https://b.example"}, "allowed", nil)
	check(t, p, "another host's route of the same name", req{host: "other.example.com", origin: "https://b.example", route: "versioned"}, "none", nil)

	vs := virtualService(`  - name: versioned
    match: [{uri: {regex: "/v[0-9]+/.*"}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
`)
	otherVS := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: other, namespace: shop}
spec:
  hosts: [other.example.com]
  http:
  - name: versioned
    route: [{destination: {host: other}}]
`
	p, r = convertAll(t, vs, otherVS)
	if strings.Contains(string(r.JSON), `"routes"`) {
		t.Errorf("VirtualServices: a rule is bound to the shared name \"versioned\":\n%s", r.JSON)
	}
	if !hasLine(r.Notes, `VirtualService shop/api http[0] "versioned": its rule is not bound`, `VirtualService shop/other http[0] "versioned" has that name too`) {
		t.Errorf("VirtualServices: notes\n%s\nwant one saying why the name is not bound", strings.Join(r.Notes, "\n"))
	}
	check(t, p, "the Istio route without its regex path", req{path: "/v1/x", origin: "https://b.example"}, "allowed", nil)
}

// Names no other route of the input has are still bound, across several
// virtual hosts; so is the name an Istio http route's match
// conditions share (all of them are that one route, with its policy).
func TestUniqueRouteNamesStillBound(t *testing.T) {
	doc := envoyVH(
		`{name: beta, match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, `+b+`}`,
		`{name: api, match: {prefix: /}, route: {cluster: api}}`) + `- name: other
  domains: [other.example.com]
  routes:
  - {name: rest, match: {prefix: /}, route: {cluster: other}}
`
	p, r := convertAll(t, doc)
	if !hasLine(r.Notes, `its rule is bound to the route's name instead (match.routes "beta")`) {
		t.Errorf("notes\n%s\nwant the rule bound to \"beta\"", strings.Join(r.Notes, "\n"))
	}
	if hasLine(r.Notes, "is not bound to the route's name") {
		t.Errorf("notes\n%s\nsay a unique name is not bound", strings.Join(r.Notes, "\n"))
	}
	check(t, p, "the bound route", req{origin: "https://b.example", route: "beta"}, "allowed", nil)
	check(t, p, "the catch-all", req{origin: "https://b.example", route: "api"}, "disallowed", nil)

	vs := virtualService(`  - name: beta
    match: [{uri: {prefix: /a}, headers: {x-beta: {exact: "1"}}}, {uri: {prefix: /b}, headers: {x-beta: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: beta}}]
  - name: rest
    route: [{destination: {host: api}}]
`)
	p, r = convertAll(t, vs)
	if !hasLine(r.Notes, `(match.routes "beta")`) || hasLine(r.Notes, "is not bound to the route's name") {
		t.Errorf("an Istio http route's match conditions: notes\n%s\nwant the rule bound to \"beta\"", strings.Join(r.Notes, "\n"))
	}
	check(t, p, "the Istio route's second match condition", req{path: "/b", origin: "https://b.example", route: "beta"}, "allowed", nil)
}
