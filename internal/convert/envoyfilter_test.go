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
	corswasm, err := os.ReadFile("../../cmd/corswasm/testdata/envoyfilter.yaml")
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
	} {
		r := convertRaw(t, vs, tc.doc)
		refused := hasLine(r.Refusals, "EnvoyFilter istio-system/", "configPatches[0]", "it may change the CORS handling of the converted routes")
		if refused != tc.refused || !tc.refused && len(r.Refusals) > 0 {
			t.Errorf("%s: refusals %q; want refused %v", tc.desc, r.Refusals, tc.refused)
		}
	}
}
