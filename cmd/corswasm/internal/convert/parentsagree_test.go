package convert

import (
	"strings"
	"testing"
)

// Parents whose configurations differ as written convert when they give
// each host they both route the same CORS handling and one routes every
// host the others route: the others answer the rest 404 themselves.
func TestParentsAgreeOnWhatRequestsGet(t *testing.T) {
	// The reviewer's gwhttps.yaml: an HTTP listener without a hostname,
	// an HTTPS listener for *.example.com, one route on both.
	gateway := edgeGateway(`{name: http, port: 80, protocol: HTTP}`,
		`{name: https, hostname: "*.example.com", port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}`)
	ra := edgeRoute("ra", "{name: edge}", "", "{type: PathPrefix, value: /}", true)
	p, r := convertAll(t, gateway, ra)
	for _, host := range []string{"api.example.com", "other.example.org"} {
		check(t, p, "one route on both ports", req{host: host, origin: "https://ra.example"}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
	}
	if !hasLine(r.Notes, `the configurations for parent "infra/edge" port 80 (listeners http) and for parent "infra/edge" port 443 (listeners https) differ only on hosts that some of them do not route`,
		`the configuration for parent "infra/edge" port 80 (listeners http), which routes every host the others route, is written`) {
		t.Errorf("notes %q", r.Notes)
	}

	// A host both route with different CORS handling is refused.
	onHTTP := edgeRoute("onhttp", "{name: edge, sectionName: http}", "", "{type: PathPrefix, value: /}", true)
	onHTTPS := edgeRoute("onhttps", "{name: edge, sectionName: https}", "", "{type: PathPrefix, value: /}", false)
	if r := convertRaw(t, gateway, onHTTP, onHTTPS); !hasLine(r.Refusals, `the configurations for parent "infra/edge" port 80 (listeners http) and for parent "infra/edge" port 443 (listeners https) differ`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// … and so are parents neither of which routes every host the other
	// routes: no configuration written for one serves the other.
	apart := edgeGateway(`{name: a, hostname: a.example.com, port: 80, protocol: HTTP}`, `{name: b, hostname: b.example.com, port: 443, protocol: HTTPS}`)
	if r := convertRaw(t, apart, ra); !hasLine(r.Refusals, `the configurations for parent "infra/edge" port 80 (listeners a) and for parent "infra/edge" port 443 (listeners b) differ`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}

// The mesh's sidecars pass a host they do not route on: a configuration
// for the mesh and a gateway converts when the gateway routes no host the
// sidecars do not.
func TestParentsAgreeOnTheMesh(t *testing.T) {
	// Sidecars take the short names of a service too; the gateway its
	// full name alone.
	api := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  gateways: [mesh, istio-system/public]
  http: [{corsPolicy: {allowOrigins: [{exact: "https://a.example"}]}, route: [{destination: {host: api}}]}]
`
	p, _ := convertAll(t, api)
	for _, host := range []string{"api", "api.shop.svc.cluster.local"} {
		check(t, p, "mesh and gateway", req{host: host, origin: "https://a.example"}, "allowed", nil)
	}
	// A host the gateway alone routes would get CORS on the sidecars.
	other := strings.Replace(strings.Replace(boundTo("other", "istio-system/public"), "api.example.com", "other.example.com", 1), "corsPolicy: {", "corsPolicy: {allowCredentials: true, ", 1)
	if r := convertRaw(t, boundTo("both", "mesh, istio-system/public"), other); !hasLine(r.Refusals, `the configurations for the mesh (sidecars) and for gateway "istio-system/public" differ`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}
