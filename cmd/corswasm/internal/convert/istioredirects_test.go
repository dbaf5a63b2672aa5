package convert

import (
	"strings"
	"testing"
)

// A redirect to HTTPS is Envoy's SslRedirectRoute, a direct response the
// router filter sends after the plugin (source/common/router/
// config_impl.h, router.cc): no upstream sees the request. Istio's
// tls.httpsRedirect (require_tls ALL on its server's virtual hosts) and
// Envoy's require_tls convert alike: the HTTPS traffic keeps its policy,
// and a note says what the rules do to the redirected requests.
func TestRedirectsToHTTPS(t *testing.T) {
	app := req{host: "api.example.com", origin: "https://app.example.com"}
	// The reviewer's redir.yaml.
	redir := `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [api.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [api.example.com]
    tls: {mode: SIMPLE, credentialName: c}
---
` + istioVS("api", "api.example.com", "", `  - route: [{destination: {host: api}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}], allowCredentials: true}
`)
	envoy := `name: edge
virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"], require_tls: ALL, typed_per_filter_config: {envoy.filters.http.cors: ` +
		corsPolicy(`allow_origin_string_match: [{exact: "https://app.example.com"}], allow_credentials: true`) + `}, routes: [{match: {prefix: /}, route: {cluster: api}}]}]
`
	for _, tc := range []struct{ desc, doc, note string }{
		{"redir.yaml", redir, "Gateway istio-system/edge: its server on port 80 redirects to HTTPS (tls.httpsRedirect) for hosts of VirtualService istio-system/api: " + redirectAnswered},
		{"require_tls", envoy, `virtual_hosts[0] "api": require_tls ALL: ` + redirectAnswered},
	} {
		p, r := convertAll(t, tc.doc)
		check(t, p, tc.desc, app, "allowed", nil)
		if !hasLine(r.Notes, tc.note) {
			t.Errorf("%s: notes %q", tc.desc, r.Notes)
		}
	}
	// No note where the redirected hosts do no CORS.
	_, r := convertAll(t, strings.Replace(redir, "hosts: [api.example.com]\n    tls: {httpsRedirect: true}", "hosts: [www.example.com]\n    tls: {httpsRedirect: true}", 1))
	if hasLine(r.Notes, redirectAnswered) {
		t.Errorf("another host redirected: notes %q", r.Notes)
	}
}
