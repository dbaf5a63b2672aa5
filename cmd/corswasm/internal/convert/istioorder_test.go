package convert

import (
	"strings"
	"testing"
)

// Istio merges the VirtualServices that share a host in creation order
// (sortConfigByCreationTime in pkg/config/model.go, from
// initVirtualServices in pilot/pkg/model/push_context.go), whatever the
// order of the documents: the reviewer's vsorder.yaml lists public
// (/api, credentialed) before internal (/api/internal, no CORS), which is
// older, so /api/internal/users is internal's.
func TestIstioMergesInCreationOrder(t *testing.T) {
	vs := func(name, created, prefix, cors string) string {
		return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: ` + istioMeta(name, "shop", created) + `
spec:
  hosts: [api.example.com]
  gateways: [istio-system/edge]
  http:
  - match: [{uri: {prefix: ` + prefix + `}}]
    route: [{destination: {host: ` + name + `}}]
` + cors
	}
	credentialed := `    corsPolicy:
      allowOrigins: [{exact: "https://app.example.com"}]
      allowCredentials: true
`
	public := vs("public", "2024-05-01T00:00:00Z", "/api", credentialed)
	internal := vs("internal", "2023-01-01T00:00:00Z", "/api/internal", "")
	app := func(path string) req { return req{path: path, origin: "https://app.example.com"} }
	for _, docs := range [][]string{{public, internal}, {internal, public}} {
		p, r := convertAll(t, strings.Join(docs, "---\n"))
		check(t, p, "vsorder.yaml", app("/api/internal/users"), "none", nil)
		check(t, p, "vsorder.yaml", app("/api/users"), "allowed", nil)
		if hasLine(r.Notes, "file order") {
			t.Errorf("notes %q", r.Notes)
		}
	}
	// Without the timestamps, the order decides /api/internal/users.
	untimed := vs("public", "", "/api", credentialed) + "---\n" + vs("internal", "", "/api/internal", "")
	convertOrRefused(t, "vsorder.yaml without timestamps", untimed,
		"VirtualService shop/public and VirtualService shop/internal share api.example.com, and the CORS handling of some request there depends on the order Istio merges their routes in, their creation order (then name and namespace), which the documents do not show: give each its metadata.creationTimestamp")
	// Where no request's handling depends on it, the order is not needed.
	p, _ := convertAll(t, vs("public", "", "/api", credentialed)+"---\n"+vs("admin", "", "/admin", ""))
	check(t, p, "disjoint prefixes", app("/api/users"), "allowed", nil)
	check(t, p, "disjoint prefixes", app("/admin/x"), "none", nil)
}
