package convert

import (
	"os"
	"testing"
)

// envoyFilterPatch is an EnvoyFilter istio-system/patch with one config
// patch (a YAML mapping indented by four spaces).
func envoyFilterPatch(patch string) string {
	return `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: patch, namespace: istio-system}
spec:
  configPatches:
  - ` + patch + `
`
}

// An EnvoyFilter patches the Envoy configuration Istio generates; one
// that may change the CORS handling of the converted routes (the CORS
// filter, or their virtual hosts and routes) is refused, the others are
// left alone.
func TestEnvoyFilters(t *testing.T) {
	vs := virtualService("  - name: api\n    corsPolicy: {allowOrigins: [{exact: \"https://a.example\"}]}\n    route: [{destination: {host: api}}]\n")
	disable := `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}`
	corswasm, err := os.ReadFile("../../testdata/envoyfilter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc, doc string
		refused   bool
	}{
		{"the CORS filter removed", envoyFilterPatch(`applyTo: HTTP_FILTER
    match: {context: GATEWAY, listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.cors}}}}}
    patch: {operation: REMOVE}`), true},
		{"the CORS filter disabled on the converted host's routes", envoyFilterPatch(`applyTo: HTTP_ROUTE
    match: {routeConfiguration: {vhost: {name: "api.example.com:443"}}}
    patch: {operation: MERGE, value: {typed_per_filter_config: {envoy.filters.http.cors: ` + disable + `}}}`), true},
		{"every virtual host", envoyFilterPatch(`applyTo: VIRTUAL_HOST
    patch: {operation: MERGE, value: {cors: {allow_origin_string_match: [{prefix: "https://"}]}}}`), true},
		{"a route added", envoyFilterPatch(`applyTo: HTTP_ROUTE
    match: {routeConfiguration: {vhost: {name: "api.example.com:443"}}}
    patch: {operation: INSERT_FIRST, value: {name: extra, match: {prefix: /x}, route: {cluster: x}}}`), true},
		{"another host's routes", envoyFilterPatch(`applyTo: HTTP_ROUTE
    match: {routeConfiguration: {vhost: {name: "other.example.com:443"}}}
    patch: {operation: MERGE, value: {typed_per_filter_config: {envoy.filters.http.cors: ` + disable + `}}}`), false},
		{"another route, by name", envoyFilterPatch(`applyTo: HTTP_ROUTE
    match: {routeConfiguration: {vhost: {name: "api.example.com:443", route: {name: other}}}}
    patch: {operation: MERGE, value: {typed_per_filter_config: {envoy.filters.http.cors: ` + disable + `}}}`), false},
		{"a timeout", envoyFilterPatch(`applyTo: HTTP_ROUTE
    patch: {operation: MERGE, value: {route: {timeout: 5s}}}`), false},
		{"corswasm inserted before the router", string(corswasm), false},
		// The reviewer's ef.yaml: an oauth2 filter before the router;
		// its value's words (redirect_uri) say nothing.
		{"an oauth2 filter before the router", envoyFilterPatch(`applyTo: HTTP_FILTER
    match: {context: GATEWAY, listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}}}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.oauth2
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.oauth2.v3.OAuth2
          config:
            token_endpoint: {cluster: oauth, uri: https://idp.example/token, timeout: 3s}
            authorization_endpoint: https://idp.example/authorize
            redirect_uri: "%REQ(x-forwarded-proto)%://%REQ(:authority)%/callback"
            redirect_path_matcher: {path: {exact: /callback}}`), false},
		{"a jwt_authn filter with rules that match", envoyFilterPatch(`applyTo: HTTP_FILTER
    match: {listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}}}
    patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.jwt_authn, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication, rules: [{match: {prefix: /}}]}}}`), false},
		{"the CORS filter inserted again", envoyFilterPatch(`applyTo: HTTP_FILTER
    patch: {operation: INSERT_FIRST, value: {name: my-cors, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}}}`), true},
		// The reviewer's ef.yaml: findVirtualHost then reads that header.
		{"vhost_header", envoyFilterPatch(`applyTo: ROUTE_CONFIGURATION
    match: {context: GATEWAY}
    patch: {operation: MERGE, value: {vhost_header: x-vhost}}`), true},
		{"ports ignored", envoyFilterPatch(`applyTo: ROUTE_CONFIGURATION
    patch: {operation: MERGE, value: {ignore_port_in_host_matching: true}}`), false},
		{"the connection manager's filters", envoyFilterPatch(`applyTo: NETWORK_FILTER
    match: {listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}}
    patch: {operation: MERGE, value: {typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager, http_filters: []}}}`), true},
		{"the connection manager strips a trailing dot", envoyFilterPatch(`applyTo: NETWORK_FILTER
    match: {listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}}
    patch: {operation: MERGE, value: {typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager, strip_trailing_host_dot: true}}}`), false},
		{"a virtual host added for another host", envoyFilterPatch(`applyTo: VIRTUAL_HOST
    patch: {operation: ADD, value: {name: other, domains: [other.example.com], routes: [{match: {prefix: /}, route: {cluster: o}}]}}`), false},
		{"a virtual host added for the dotted host", envoyFilterPatch(`applyTo: VIRTUAL_HOST
    patch: {operation: ADD, value: {name: dotted, domains: [api.example.com.], routes: [{match: {prefix: /}, direct_response: {status: 404}}]}}`), true},
		{"a route's deprecated CORS policy", envoyFilterPatch(`applyTo: HTTP_ROUTE
    patch: {operation: MERGE, value: {route: {cors: {allow_origin_string_match: [{prefix: "https://"}]}}}}`), true},
		{"the CORS filter by ECDS", envoyFilterPatch(`applyTo: EXTENSION_CONFIG
    patch: {operation: ADD, value: {name: cors, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}}}`), true},
	} {
		r := convertRaw(t, vs, tc.doc)
		refused := hasLine(r.Refusals, "EnvoyFilter istio-system/", "configPatches[0]", "it may change the CORS handling of the converted routes")
		if refused != tc.refused || !tc.refused && len(r.Refusals) > 0 {
			t.Errorf("%s: refusals %q; want refused %v", tc.desc, r.Refusals, tc.refused)
		}
	}
}
