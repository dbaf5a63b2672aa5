package convert

import (
	"strings"
	"testing"
)

// A gateway routes the VirtualServices exported to its namespace
// (VirtualService.exportTo; VirtualServicesForGateway in
// buildGatewayHTTPRouteConfig, pilot/pkg/networking/core/gateway.go): one
// it cannot see is refused, not converted.
func TestIstioExportTo(t *testing.T) {
	vs := func(namespace, gateways, exportTo string) string {
		return strings.Replace(istioVirtualService(istioMeta("api", namespace, ""), "api.example.com", gateways, `  - route: [{destination: {host: api}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}], allowCredentials: true}
`), "  http:\n", "  exportTo: ["+exportTo+"]\n  http:\n", 1)
	}
	gw := istioHTTPGateway(`"*/api.example.com"`)
	app := req{host: "api.example.com", origin: "https://app.example.com"}
	for _, tc := range []struct{ desc, namespace, gateways, exportTo, refusal string }{
		{"its own namespace, not the gateway's", "shop", "istio-system/edge", `"."`,
			`VirtualService shop/api: exportTo . does not include the namespace of gateway istio-system/edge, whose proxies then do not route its hosts by its routes: export it there (or "*"), or leave it out`},
		{"another namespace", "shop", "istio-system/edge", "web", "VirtualService shop/api: exportTo web does not include the namespace of gateway istio-system/edge"},
		{"the gateway's namespace by name", "shop", "istio-system/edge", "istio-system", ""},
		{"the gateway's namespace as .", "istio-system", "edge", `"."`, ""},
		{"every namespace", "shop", "istio-system/edge", `"*"`, ""},
		{"the sidecars of one namespace", "shop", "mesh", `"."`,
			"VirtualService shop/api: exportTo .: only the sidecars of those namespaces route its hosts by its routes, and a corswasm configuration for the mesh applies alike in every namespace"},
	} {
		doc := strings.Join([]string{gw, vs(tc.namespace, tc.gateways, tc.exportTo)}, "---\n")
		if tc.refusal != "" {
			convertOrRefused(t, tc.desc, doc, tc.refusal)
			continue
		}
		p, _ := convertAll(t, doc)
		check(t, p, tc.desc, app, "allowed", nil)
	}
}
