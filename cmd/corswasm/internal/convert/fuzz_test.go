package convert

import (
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// Convert never panics, and a conversion it does not refuse is a
// configuration the filter loads.
func FuzzConvert(f *testing.F) {
	a := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}, {prefix: "http://localhost:"}]`)
	for _, seed := range []string{
		envoyRoutes(a, corsPolicy(vhAll), corsPolicy(`filter_enabled: {default_value: {numerator: 0}}, shadow_enabled: {default_value: {numerator: 100}}`), "", ""),
		envoyVH(`{match: {prefix: /, headers: [{name: x, present_match: true}]}, route: {cluster: a}, `+b+`}`, `{match: {path_separated_prefix: /v1}, route: {cluster: a}}`),
		bootstrap(corsAndRouter, `rds: {route_config_name: local, config_source: {ads: {}}}`),
		sharedHost("a", "/", "/a/") + "---\n" + sharedHost("b", "/a/"),
		httpRoute("  - matches: [{path: {type: Exact, value: /a}}, {path: {type: PathPrefix, value: /b/}, method: PUT}]\n    filters: [{type: CORS, cors: {allowOrigins: [\"https://*.example.com\"]}}]\n    backendRefs: [{name: api, port: 8080}]\n"),
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: []}]\n",
		"name: edge\nvirtual_hosts: [{name: a, domains: [\"[::1]:8443\", \"*:8443\", \"api.example.com:*\", \"*.example.com\"], routes: [{match: {path: /a}, route: {cluster: a}}]}]\n",
		istioEdgeGateway(`"*.example.com", "shop/api.example.com"`) + "---\n" + istioVS("a", `"*", api.example.com.`, "2024-01-01T00:00:00Z", "  - match: [{uri: {exact: /admin}}]\n    route: [{destination: {host: a}}]\n"),
		securityPolicy("g/p", gatewayTarget("edge"), `{allowOrigins: ["https://*.example.com", "*"], allowMethods: ["*"], maxAge: 1h}`) + "---\n" +
			securityPolicy("s/q", routeTarget("r"), `{allowOrigins: ["http://*.a.example:8080"], allowCredentials: true}`),
		envoyFilterPatch("applyTo: HTTP_ROUTE\n    patch: {operation: MERGE, value: {typed_per_filter_config: {}}}") + "---\n" + boundTo("a", "mesh, istio-system/public"),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Convert(Input{Data: data})
		if err != nil || len(r.Refusals) > 0 {
			return
		}
		if _, err := engine.Load(r.JSON); err != nil {
			t.Fatalf("a conversion not refused does not load: %v\n%s", err, r.JSON)
		}
	})
}
