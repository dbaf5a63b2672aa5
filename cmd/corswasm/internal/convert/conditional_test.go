package convert

import "testing"

// envoyVH is a route configuration with one virtual host (api.example.com)
// whose typed CORS policy allows https://a.example, and the given routes
// (a YAML list's items, each a flow mapping).
func envoyVH(routes ...string) string {
	s := `name: edge
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], forward_not_matching_preflights: false`) + `}
  routes:
`
	for _, r := range routes {
		s += "  - " + r + "\n"
	}
	return s
}

// conversionCase is a document converted, and either a part of the
// refusal it gets or what the filter does with a request.
type conversionCase struct {
	desc    string
	doc     string
	refusal string // "" when converted
	r       req
	want    string
}

func (tc conversionCase) run(t *testing.T) {
	t.Helper()
	if p := convertOrRefused(t, tc.desc, tc.doc, tc.refusal); p != nil {
		check(t, p, tc.desc, tc.r, tc.want, nil)
	}
}

// b allows https://b.example at a route.
var b = `typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://b.example"}]`) + `}`

// A route selected by what corswasm cannot match (headers, query
// parameters, a regex path…), and without a name (see
// TestNamedRoutesBound), is left out where the routes after it give
// every request it could take the same CORS handling, kept without its
// conditions where the requests they leave match no route (the proxy
// answers them 404 itself), and refused otherwise, with the reason:
// keeping it without its conditions, or leaving it out, would change the
// answer to some request.
func TestConditionalRoutes(t *testing.T) {
	for _, tc := range []conversionCase{
		{"a header route with its own policy before a catch-all", envoyVH(
			`{match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, `+b+`}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			`routes[0]: corswasm rules cannot select requests by headers, and the CORS handling of requests to api.example.com depends on them: those that meet them get its CORS handling, the others that of route configuration "edge" virtual_hosts[0] "api" routes[1]`, req{}, ""},
		{"a header route with the virtual host's policy, as the catch-all's", envoyVH(
			`{match: {prefix: /v1/, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			"", req{path: "/v1/x", origin: "https://a.example"}, "allowed"},
		// The requests without the header match no route: Envoy's 404;
		// so do the preflights of those with it (see
		// TestConditionalRoutePreflights).
		{"a header route with a policy, and no route after it", envoyVH(
			`{match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}}`),
			`routes[0]: corswasm rules cannot select requests by headers, and a preflight may not meet headers as its request does`, req{}, ""},
		{"a header route without CORS, and no route after it", envoyVH(
			`{match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, typed_per_filter_config: {envoy.filters.http.cors: {"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}}}`),
			"", req{origin: "https://a.example"}, "none"},
		{"a regex route before a catch-all with the same policy", envoyVH(
			`{match: {safe_regex: {regex: "/v[0-9]+/.*"}}, route: {cluster: v}}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			"", req{path: "/v1/x", origin: "https://a.example"}, "allowed"},
		{"a regex route before a prefix with the same policy that does not cover it", envoyVH(
			`{match: {safe_regex: {regex: "/v[0-9]+/.*"}}, route: {cluster: v}}`,
			`{match: {prefix: /v1/}, route: {cluster: api}}`),
			"", req{path: "/v2/x", origin: "https://a.example"}, "allowed"},
		{"a regex route before a prefix with another policy", envoyVH(
			`{match: {safe_regex: {regex: "/v[0-9]+/.*"}}, route: {cluster: v}}`,
			`{match: {prefix: /v1/}, route: {cluster: api}, `+b+`}`),
			`routes[0]: corswasm rules cannot select requests by a regex path (safe_regex), and the CORS handling of requests to api.example.com depends on them: those that meet them get its CORS handling, the others that of route configuration "edge" virtual_hosts[0] "api" routes[1]`, req{}, ""},
		{"a route on a disjoint path does not count", envoyVH(
			`{match: {prefix: /beta/, query_parameters: [{name: beta, present_match: true}]}, route: {cluster: beta}}`,
			`{match: {prefix: /admin/}, route: {cluster: admin}, `+b+`}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			"", req{path: "/beta/x", origin: "https://a.example"}, "allowed"},
		{"case_sensitive false on a path without letters changes nothing", envoyVH(
			`{match: {prefix: /123/, case_sensitive: false}, route: {cluster: n}, ` + b + `}`),
			"", req{path: "/123/x", origin: "https://b.example"}, "allowed"},
		{"case_sensitive false on a path with letters", envoyVH(
			`{match: {prefix: /api/, case_sensitive: false}, route: {cluster: n}, `+b+`}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			`routes[0]: corswasm rules cannot select requests by case-insensitive paths (case_sensitive: false)`, req{}, ""},
		{"a runtime fraction of 100% selects every request", envoyVH(
			`{match: {prefix: /, runtime_fraction: {default_value: {numerator: 100}}}, route: {cluster: api}, ` + b + `}`),
			"", req{origin: "https://b.example"}, "allowed"},
		{"a runtime fraction of 0% never does: the route is left out", envoyVH(
			`{match: {prefix: /, runtime_fraction: {default_value: {numerator: 0}}}, route: {cluster: api}, `+b+`}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			"", req{origin: "https://a.example"}, "allowed"},
		{"a runtime fraction of 30%", envoyVH(
			`{match: {prefix: /, runtime_fraction: {default_value: {numerator: 30}}}, route: {cluster: api}, `+b+`}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			`routes[0]: corswasm rules cannot select requests by a runtime fraction (30/100)`, req{}, ""},
		{"an Istio route matching a header, before a catch-all without CORS", virtualService(`  - match: [{uri: {prefix: /}, headers: {x-beta: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: beta}}]
  - name: rest
    route: [{destination: {host: api}}]
`), `VirtualService shop/api http[0]: corswasm rules cannot select requests by headers, and the CORS handling of requests to api.example.com depends on them: those that meet them get its CORS handling, the others that of VirtualService shop/api http[1] "rest"`, req{}, ""},
		{"an Istio authority with a port, before a catch-all without CORS", virtualService(`  - match: [{authority: {exact: "api.example.com:8443"}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
  - name: rest
    route: [{destination: {host: api}}]
`), `VirtualService shop/api http[0]: corswasm rules cannot select requests by the port in :authority`, req{}, ""},
		// Istio compares the authority whole (a header match): one
		// without a port does not take the host with a port, which the
		// routes after it then take.
		{"an Istio authority without a port, before a catch-all without CORS", virtualService(`  - match: [{authority: {exact: api.example.com}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}], allowCredentials: true}
    route: [{destination: {host: api}}]
  - name: rest
    route: [{destination: {host: api}}]
`), `VirtualService shop/api http[0]: corswasm rules cannot select requests by the port in :authority (Istio compares it whole: "api.example.com" does not take "api.example.com:8443")`, req{}, ""},
		{"an Istio authority without a port, before a catch-all with the same CORS", virtualService(`  - match: [{authority: {exact: api.example.com}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
  - name: rest
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
`), "", req{host: "api.example.com:8443", origin: "https://b.example"}, "allowed"},
		{"an Istio authority in upper case, before a catch-all without CORS", virtualService(`  - match: [{authority: {exact: API.example.com}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
  - name: rest
    route: [{destination: {host: api}}]
`), `corswasm rules cannot select requests by the port in :authority (Istio compares it whole: "API.example.com" does not take "API.example.com:8443"), the case of :authority (Istio compares it case-sensitively)`, req{}, ""},
		// The requests that do not match the authority match no route.
		{"an Istio authority in upper case, alone", virtualService(`  - match: [{authority: {exact: API.example.com}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
`), "", req{host: "api.example.com:8443", origin: "https://b.example"}, "allowed"},
		{"a Gateway API match on the method, before the same path without CORS", httpRoute(`  - matches: [{path: {type: PathPrefix, value: /v1}, method: PUT}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}]
    backendRefs: [{name: api, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /v1}}]
`), `HTTPRoute shop/api rules[0]: corswasm rules cannot select requests by the method, and the CORS handling of requests to api.example.com depends on them`, req{}, ""},
	} {
		tc.run(t)
	}
}

// A route kept without its conditions, where no route takes the requests
// that do not meet them, answers their preflights: right only for
// conditions a preflight meets exactly when its request does (its URL,
// authority, scheme…). A preflight is an OPTIONS request without its
// request's own headers, cookies or credentials (Fetch, CORS-preflight
// fetch): in the source, one for a request selected by a header or the
// method matches no route, the proxy answers 404, and the browser never
// sends the request. Such a route is refused, unless its policy fails
// every preflight too.
func TestConditionalRoutePreflights(t *testing.T) {
	const preflightRefusal = "a preflight may not meet"
	for _, tc := range []conversionCase{
		{"a header present, with credentials", envoyVH(
			`{match: {prefix: /, headers: [{name: x-api-key, present_match: true}]}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://b.example"}], allow_headers: x-api-key, allow_methods: "GET,PUT", allow_credentials: true`) + `}}`),
			`routes[0]: corswasm rules cannot select requests by headers, and a preflight may not meet headers as its request does (its method is OPTIONS, and it carries none of the request's own headers, cookies or credentials): in the source, a preflight of a request to api.example.com that it takes matches no route`, req{}, ""},
		{"cookies", envoyVH(
			`{match: {prefix: /, cookies: [{name: session, string_match: {exact: "1"}}]}, route: {cluster: api}}`),
			preflightRefusal + " cookies", req{}, ""},
		{"a runtime fraction, drawn for the preflight apart", envoyVH(
			`{match: {prefix: /, runtime_fraction: {default_value: {numerator: 30}}}, route: {cluster: api}}`),
			preflightRefusal + " a runtime fraction (30/100)", req{}, ""},
		{"a header on :method", envoyVH(
			`{match: {prefix: /, headers: [{name: ":method", string_match: {exact: PUT}}]}, route: {cluster: api}}`),
			preflightRefusal + " headers", req{}, ""},
		{"an Istio method", virtualService(`  - match: [{method: {exact: DELETE}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}], allowMethods: [DELETE], allowCredentials: true}
    route: [{destination: {host: api}}]
`), `VirtualService shop/api http[0]: corswasm rules cannot select requests by method, and ` + preflightRefusal + ` method`, req{}, ""},
		{"an Istio header", virtualService(`  - match: [{headers: {x-api-key: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
`), preflightRefusal + " headers", req{}, ""},
		{"an Istio JWT claim", virtualService(`  - match: [{headers: {"@request.auth.claims.group": {exact: admin}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}]}
    route: [{destination: {host: api}}]
`), preflightRefusal + " headers", req{}, ""},
		{"a Gateway API method", httpRoute(`  - matches: [{method: PUT, path: {type: PathPrefix, value: /orders}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"], allowMethods: [PUT], allowCredentials: true}}]
    backendRefs: [{name: api, port: 8080}]
`), `HTTPRoute shop/api rules[0]: corswasm rules cannot select requests by the method, and ` + preflightRefusal + ` the method`, req{}, ""},
		// Only the conditions a preflight may not share are named.
		{"a regex path and a header", envoyVH(
			`{match: {safe_regex: {regex: "/v[0-9]+/.*"}, headers: [{name: x-beta, present_match: true}]}, route: {cluster: api}}`),
			`cannot select requests by a regex path (safe_regex), headers, and a preflight may not meet headers as`, req{}, ""},
		// A preflight has its request's URL and authority: it meets these
		// exactly when its request does.
		{"query parameters", envoyVH(
			`{match: {prefix: /, query_parameters: [{name: v, present_match: true}]}, route: {cluster: api}}`),
			"", req{path: "/x?v=1", origin: "https://a.example", acrm: "POST"}, "allowed"},
		{"a regex path", envoyVH(
			`{match: {safe_regex: {regex: "/v[0-9]+/.*"}}, route: {cluster: api}}`),
			"", req{path: "/v1/x", origin: "https://a.example", acrm: "POST"}, "allowed"},
		{"a header on :authority", envoyVH(
			`{match: {prefix: /, headers: [{name: ":authority", string_match: {exact: api.example.com}}]}, route: {cluster: api}}`),
			"", req{origin: "https://a.example", acrm: "POST"}, "allowed"},
		{"an Istio scheme and query parameters", virtualService(`  - match: [{scheme: {exact: https}, queryParams: {v: {exact: "1"}}}]
    corsPolicy: {allowOrigins: [{exact: "https://b.example"}], allowMethods: [PUT]}
    route: [{destination: {host: api}}]
`), "", req{origin: "https://b.example", acrm: "PUT"}, "allowed"},
		{"a Gateway API query parameter", httpRoute(`  - matches: [{queryParams: [{name: v, value: "1"}]}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"], allowMethods: [PUT]}}]
    backendRefs: [{name: api, port: 8080}]
`), "", req{origin: "https://b.example", acrm: "PUT"}, "allowed"},
		// A policy that allows no origin fails every preflight, as the
		// proxy's 404 does.
		{"a header route whose policy allows no origin", envoyVH(
			`{match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://B.example"}]`) + `}}`),
			"", req{origin: "https://b.example", acrm: "PUT"}, "refused"},
		// The routes after it take every preflight, with the same policy.
		{"a header route before a catch-all with the same policy", envoyVH(
			`{match: {prefix: /, headers: [{name: x-beta, present_match: true}]}, route: {cluster: beta}}`,
			`{match: {prefix: /}, route: {cluster: api}}`),
			"", req{origin: "https://a.example", acrm: "POST"}, "allowed"},
	} {
		tc.run(t)
	}
}
