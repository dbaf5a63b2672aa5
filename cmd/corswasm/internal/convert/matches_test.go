package convert

import "testing"

// Exact paths stay exact and segment-wise prefixes stay segment-wise: a
// request the source does not route to the policy's route does not get
// the policy.
func TestPathKindsKept(t *testing.T) {
	for _, tc := range []struct {
		desc string
		doc  string
		want map[string]string // path → outcome for an actual request from https://b.example
	}{
		{"Envoy path (PathRouteEntryImpl: the whole path before the query)", envoyVH(
			`{match: {path: /health}, route: {cluster: h}, ` + b + `}`),
			map[string]string{"/health": "allowed", "/health?x=1": "allowed", "/health/x": "none", "/healthz": "none"}},
		{"Envoy path_separated_prefix (PathSeparatedPrefixRouteEntryImpl: the prefix, then \"/\" or the end)", envoyVH(
			`{match: {path_separated_prefix: /v1}, route: {cluster: v1}, ` + b + `}`),
			map[string]string{"/v1": "allowed", "/v1/x": "allowed", "/v1?x": "allowed", "/v1x": "none", "/v": "none"}},
		{"Envoy safe_regex \".*\" (RegexRouteEntryImpl: the whole path) takes every path", envoyVH(
			`{match: {safe_regex: {regex: ".*"}}, route: {cluster: all}, ` + b + `}`),
			map[string]string{"/": "allowed", "/x/y": "allowed"}},
		{"Istio uri.exact (TranslateRouteMatch: an Envoy path)", virtualService(`  - match: [{uri: {exact: /health}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: h}}]
`), map[string]string{"/health": "allowed", "/health/x": "none"}},
		{"Gateway API Exact", httpRoute(`  - matches: [{path: {type: Exact, value: /health}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`), map[string]string{"/health": "allowed", "/health/x": "none"}},
		{"Gateway API PathPrefix (element-wise, a trailing \"/\" ignored)", httpRoute(`  - matches: [{path: {type: PathPrefix, value: /abc/}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`), map[string]string{"/abc": "allowed", "/abc/": "allowed", "/abc/def": "allowed", "/abcd": "none"}},
		{"Gateway API PathPrefix \"/\" takes every path", httpRoute(`  - matches: [{path: {type: PathPrefix, value: /}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`), map[string]string{"/": "allowed", "/x/y": "allowed"}},
	} {
		p, _ := convertAll(t, tc.doc)
		for path, want := range tc.want {
			check(t, p, tc.desc, req{path: path, origin: "https://b.example"}, want, nil)
		}
	}
}

// An exact path comes before a longer prefix in the Gateway API
// (HTTPRouteRule.Matches), and keeps only its own path.
func TestGatewayExactBeforeLongerPrefix(t *testing.T) {
	p, _ := convertAll(t, httpRoute(`  - matches: [{path: {type: PathPrefix, value: /a/b}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}]
    backendRefs: [{name: api, port: 8080}]
  - matches: [{path: {type: Exact, value: /a}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://c.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`))
	check(t, p, "exact", req{path: "/a", origin: "https://c.example"}, "allowed", nil)
	check(t, p, "prefix", req{path: "/a/b/x", origin: "https://b.example"}, "allowed", nil)
	check(t, p, "neither", req{path: "/a/c", origin: "https://b.example"}, "none", nil)
}

// Istio uses allowOrigins when it is set and the deprecated allowOrigin
// only otherwise (TranslateCORSPolicy in pilot/pkg/networking/core/route/
// route.go): never both.
func TestIstioAllowOriginIgnoredBesideAllowOrigins(t *testing.T) {
	vs := func(cors string) string {
		return virtualService(`  - corsPolicy: {`) + cors + `}
    route: [{destination: {host: api}}]
`
	}
	p, r := convertAll(t, vs(`allowOrigin: ["https://old.example"], allowOrigins: [{exact: "https://new.example"}]`))
	check(t, p, "allowOrigins", req{origin: "https://new.example"}, "allowed", nil)
	check(t, p, "allowOrigin beside allowOrigins", req{origin: "https://old.example"}, "disallowed", nil)
	if !hasLine(r.Notes, `allowOrigin is ignored: Istio uses allowOrigins alone when it is set`) {
		t.Errorf("notes lack the allowOrigin note: %q", r.Notes)
	}
	p, r = convertAll(t, vs(`allowOrigin: ["https://old.example"]`))
	check(t, p, "allowOrigin alone", req{origin: "https://old.example"}, "allowed", nil)
	if hasLine(r.Notes, `allowOrigin is ignored`) {
		t.Errorf("a note about allowOrigin without allowOrigins: %q", r.Notes)
	}
}

// A route that answers itself (a redirect, a direct response) has no
// route entry, and Envoy's CORS filter does nothing there
// (CorsFilter::decodeHeaders).
func TestRedirectRoutesGetNoCORS(t *testing.T) {
	p, _ := convertAll(t, envoyVH(
		`{match: {prefix: /old/}, redirect: {path_redirect: /new/}}`,
		`{match: {prefix: /}, route: {cluster: api}}`))
	check(t, p, "redirect", req{path: "/old/x", origin: "https://a.example"}, "none", nil)
	check(t, p, "route", req{path: "/new/x", origin: "https://a.example"}, "allowed", nil)
	p, _ = convertAll(t, virtualService(`  - match: [{uri: {prefix: /old/}}]
    redirect: {uri: /new/}
    corsPolicy: {allowOrigins: [{exact: "https://a.example"}]}
  - corsPolicy: {allowOrigins: [{exact: "https://a.example"}]}
    route: [{destination: {host: api}}]
`))
	check(t, p, "Istio redirect", req{path: "/old/x", origin: "https://a.example"}, "none", nil)
}

// A Gateway API rule with a RequestRedirect filter becomes a redirect
// route in the Envoy-based implementations, where the CORS filter does
// nothing, whatever the rule's CORS filter says.
func TestGatewayRedirectGetsNoCORS(t *testing.T) {
	p, r := convertAll(t, httpRoute(`  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: CORS, cors: {allowOrigins: ["https://a.example"], allowCredentials: true}}]
  - filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`))
	check(t, p, "redirect", req{path: "/old/x", origin: "https://a.example"}, "none", nil)
	check(t, p, "other rule", req{path: "/new", origin: "https://a.example"}, "allowed", map[string]string{"access-control-allow-credentials": ""})
	if !hasLine(r.Notes, `HTTPRoute shop/api rules[0] answers with a redirect (RequestRedirect)`) {
		t.Errorf("notes %q", r.Notes)
	}
}

// A Gateway API rule without backendRefs is answered by the
// implementation itself, 500 (HTTPRouteRule.BackendRefs), a direct
// response in the Envoy-based implementations, where Envoy's CORS filter
// does nothing; an ExtensionRef filter's effect is the implementation's,
// and may be such a response (the reviewer's gwx.yaml).
func TestGatewayRulesAnsweredLocally(t *testing.T) {
	p, r := convertAll(t, httpRoute(`  - matches: [{path: {type: PathPrefix, value: /nobackend}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"], allowCredentials: true}}]
  - filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`))
	check(t, p, "no backendRefs", req{path: "/nobackend", origin: "https://a.example", acrm: "PUT"}, "none", nil)
	check(t, p, "other rule", req{path: "/x", origin: "https://a.example"}, "allowed", map[string]string{"access-control-allow-credentials": ""})
	if !hasLine(r.Notes, `HTTPRoute shop/api rules[0] has no backendRefs: the implementation answers its requests itself`) {
		t.Errorf("notes %q", r.Notes)
	}
	r = convertRaw(t, httpRoute(`  - matches: [{path: {type: PathPrefix, value: /maintenance}}]
    filters:
    - {type: CORS, cors: {allowOrigins: ["https://a.example"], allowCredentials: true}}
    - {type: ExtensionRef, extensionRef: {group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: direct-response}}
    backendRefs: [{name: api, port: 8080}]
`))
	if !hasLine(r.Refusals, `HTTPRoute shop/api rules[0] has a CORS filter and an ExtensionRef filter, whose effect is the implementation's`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Without a CORS filter, the rule does no CORS either way.
	p, _ = convertAll(t, httpRoute(`  - matches: [{path: {type: PathPrefix, value: /maintenance}}]
    filters: [{type: ExtensionRef, extensionRef: {group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: direct-response}}]
  - filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"]}}]
    backendRefs: [{name: api, port: 8080}]
`))
	check(t, p, "an ExtensionRef without CORS", req{path: "/maintenance", origin: "https://a.example"}, "none", nil)
}

// A CORS filter on a backendRef is the implementation's to apply, or not
// (HTTPBackendRef.Filters: implementation-specific): refused, never
// dropped as if the rule did no CORS.
func TestGatewayBackendRefCORS(t *testing.T) {
	r := convertRaw(t, httpRoute(`  - backendRefs:
    - name: api
      port: 8080
      filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"], allowCredentials: true}}]
`))
	if !hasLine(r.Refusals, `HTTPRoute shop/api rules[0] backendRefs[0] has a CORS filter: the Gateway API leaves a backendRef's filters to the implementation`, "move it to the rule's filters") {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Other filters on a backendRef change no CORS handling.
	p, _ := convertAll(t, httpRoute(`  - filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"]}}]
    backendRefs:
    - name: api
      port: 8080
      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x-a, value: "1"}]}}]
`))
	check(t, p, "a header modifier on a backendRef", req{origin: "https://a.example"}, "allowed", nil)
}
