package convert

import (
	"fmt"
	"strings"
	"testing"
)

// istioEdgeGateway is the Istio Gateway istio-system/edge with one HTTPS
// server for hosts (a YAML flow sequence's inside).
func istioEdgeGateway(hosts string) string {
	return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [` + hosts + `]
    tls: {mode: SIMPLE, credentialName: api-cert}
`
}

// istioHTTPGateway is the Istio Gateway istio-system/edge with one plain
// HTTP server on port 80 for hosts (a YAML flow sequence's inside).
func istioHTTPGateway(hosts string) string {
	return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [` + hosts + `]
`
}

// istioMeta is a resource's metadata as a YAML flow mapping, with its
// creationTimestamp unless created is "".
func istioMeta(name, namespace, created string) string {
	meta := "{name: " + name + ", namespace: " + namespace
	if created != "" {
		meta += `, creationTimestamp: "` + created + `"`
	}
	return meta + "}"
}

// istioVS is a VirtualService of namespace istio-system bound to the
// edge gateway, with its hosts (a YAML flow sequence's inside) and http
// routes (YAML, indented as under http:).
func istioVS(name, hosts, created, http string) string {
	return istioVirtualService(istioMeta(name, "istio-system", created), hosts, "edge", http)
}

// istioVirtualService is a VirtualService with metadata meta (a YAML flow
// mapping), hosts and gateways (YAML flow sequences' insides), and http
// routes (YAML, indented as under http:).
func istioVirtualService(meta, hosts, gateways, http string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: ` + meta + `
spec:
  hosts: [` + hosts + `]
  gateways: [` + gateways + `]
  http:
` + http
}

// An Istio gateway gives a VirtualService the hosts it has in common with
// the gateway's servers (host.Names.Intersection in
// buildGatewayHTTPRouteConfig, pilot/pkg/networking/core/gateway.go), and
// merges the routes of every VirtualService of a host: the reviewer's
// istiogw.yaml, whose server names api.example.com alone, adds the "*"
// VirtualService's /admin route to api.example.com's virtual host, before
// api's catch-all route.
func TestIstioGatewayIntersectsHosts(t *testing.T) {
	internal := istioVS("internal", `"*"`, "", `  - match: [{uri: {exact: /admin}}]
    route: [{destination: {host: admin}}]
`)
	api := istioVS("api", "api.example.com, api.example.com.", "", `  - route: [{destination: {host: api}}]
    corsPolicy:
      allowOrigins: [{exact: "https://app.example.com"}]
      allowCredentials: true
`)
	app := func(host, path string) req { return req{host: host, path: path, origin: "https://app.example.com"} }
	for _, tc := range []struct {
		desc, serverHosts, refusal string
		checks                     map[req]string
	}{
		{"istiogw.yaml", "api.example.com", "", map[req]string{
			app("api.example.com", "/admin"): "none", app("api.example.com", "/x"): "allowed",
			// Not a host of the server: Envoy answers 404.
			app("www.example.com", "/x"): "none",
		}},
		{"a server for every host", `"*"`, "", map[req]string{
			app("api.example.com", "/admin"): "allowed", app("api.example.com.", "/admin"): "allowed", app("www.example.com", "/admin"): "none",
		}},
		{"a wildcard server", `"*.example.com"`, "", map[req]string{
			app("api.example.com", "/admin"): "allowed", app("www.example.com", "/admin"): "none",
		}},
		{"another namespace's host", "shop/api.example.com", "", map[req]string{app("api.example.com", "/x"): "none"}},
		{"this namespace's host", "istio-system/api.example.com", "", map[req]string{app("api.example.com", "/admin"): "none", app("api.example.com", "/x"): "allowed"}},
		// Istio reads "." as the Gateway's namespace
		// (sanitizeServerHostNamespace in pilot/pkg/model/gateway.go).
		{"the gateway's namespace as .", "./api.example.com", "", map[req]string{app("api.example.com", "/admin"): "none", app("api.example.com", "/x"): "allowed"}},
	} {
		doc := strings.Join([]string{istioEdgeGateway(tc.serverHosts), internal, api}, "---\n")
		if tc.refusal != "" {
			convertOrRefused(t, tc.desc, doc, tc.refusal)
			continue
		}
		p, _ := convertAll(t, doc)
		for r, want := range tc.checks {
			check(t, p, tc.desc, r, want, nil)
		}
	}

	// Without the Gateway, its servers may name api.example.com: refused.
	convertOrRefused(t, "istiogw.yaml without the Gateway", internal+"---\n"+api,
		"VirtualService istio-system/api, host api.example.com: Gateway istio-system/edge is not in the files, and if one of its servers names api.example.com (or a host under it), Istio adds the routes of VirtualService istio-system/internal to it (host.Names.Intersection in buildGatewayHTTPRouteConfig), which changes the CORS handling of some request there: give the Gateway's document with the VirtualServices")
	// Where the "*" VirtualService's routes would change nothing there
	// (it is newer, and api's catch-all comes first), it converts.
	same := istioVS("internal", `"*"`, "2025-01-01T00:00:00Z", `  - route: [{destination: {host: admin}}]
`)
	apiOld := strings.Replace(api, "namespace: istio-system}", `namespace: istio-system, creationTimestamp: "2024-01-01T00:00:00Z"}`, 1)
	p, r := convertAll(t, same+"---\n"+apiOld)
	check(t, p, "a newer catch-all", app("api.example.com", "/admin"), "allowed", nil)
	if !hasLine(r.Notes, "Gateway istio-system/edge is not in the files: converted with the VirtualServices' hosts as written; a server of it for fewer hosts may add a wildcard VirtualService's routes to a host of another, which changes no request's CORS handling here") {
		t.Errorf("notes %q", r.Notes)
	}
	// The reviewer's vswild.yaml, without its Gateway or timestamps: a
	// server for a host under *.example.com would merge both catch-all
	// routes in an order the documents do not show.
	vswild := istioVS("api", `"*.example.com"`, "", `  - route: [{destination: {host: api}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}], allowCredentials: true}
`) + "---\n" + istioVS("catchall", `"*"`, "", `  - route: [{destination: {host: other}}]
`)
	convertOrRefused(t, "vswild.yaml alone", vswild, "VirtualService istio-system/api, host *.example.com: Gateway istio-system/edge is not in the files")
}

// The route configurations of a gateway's servers (the plain HTTP servers
// of a port share one; each HTTPS server has its own) must give a host
// the same CORS handling: rules see neither the port nor the certificate.
func TestIstioGatewayServersAgree(t *testing.T) {
	servers := func(a, b string) string {
		return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [` + a + `]
    tls: {mode: SIMPLE, credentialName: a}
  - port: {number: 8443, name: https-alt, protocol: HTTPS}
    hosts: [` + b + `]
    tls: {mode: SIMPLE, credentialName: b}
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
    tls: {httpsRedirect: true}
`
	}
	api := istioVS("api", "api.example.com", "", `  - route: [{destination: {host: api}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}], allowCredentials: true}
`)
	wild := istioVS("wild", `"*.example.com"`, "", `  - match: [{uri: {prefix: /admin}}]
    route: [{destination: {host: admin}}]
`)
	// On 443 api.example.com gets wild's /admin too; on 8443 api's alone.
	convertOrRefused(t, "two servers", strings.Join([]string{servers("api.example.com", `"*.example.com"`), api, wild}, "---\n"),
		"Gateway istio-system/edge: the route configuration of its servers https.8443.servers[1] gives requests to api.example.com the routes of VirtualService istio-system/api, its servers together those of VirtualService istio-system/api and VirtualService istio-system/wild, whose CORS handling differs; corswasm rules cannot tell its servers apart (by port or certificate)")
	// Two certificates for two hosts: each host its own VirtualService.
	www := istioVS("www", "www.example.com", "", `  - route: [{destination: {host: www}}]
`)
	p, _ := convertAll(t, strings.Join([]string{servers("api.example.com", "www.example.com"), api, www}, "---\n"))
	check(t, p, "two certificates", req{host: "api.example.com", origin: "https://app.example.com"}, "allowed", nil)
	check(t, p, "two certificates", req{host: "www.example.com", origin: "https://app.example.com"}, "none", nil)
}

// A server host NAMESPACE/HOST gives the host the routes of that
// namespace's VirtualServices alone (host.NamesForNamespace in
// buildGatewayHTTPRouteConfig): without the Gateway, VirtualServices of
// several namespaces sharing a host are refused where a server naming it
// for some of them would decide a request otherwise (the reviewer's
// nsgw-vs.yaml: with a server for team-b/api.example.com, team-a's
// credentialed /api/internal route is not there).
func TestIstioGatewayNamespaceHosts(t *testing.T) {
	vs := func(name, namespace, created, http string) string {
		return istioVirtualService(istioMeta(name, namespace, created), "api.example.com", "istio-system/edge", http)
	}
	internal := vs("a", "team-a", "2023-01-01T00:00:00Z", `  - match: [{uri: {prefix: /api/internal}}]
    route: [{destination: {host: internal}}]
    corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}
`)
	public := vs("b", "team-b", "2024-01-01T00:00:00Z", `  - route: [{destination: {host: public}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}]}
`)
	convertOrRefused(t, "nsgw-vs.yaml", internal+"---\n"+public,
		"VirtualService team-a/a, host api.example.com: Gateway istio-system/edge is not in the files, and VirtualServices of namespaces team-a, team-b share the host: a server host NAMESPACE/api.example.com gives it the routes of that namespace's VirtualServices alone (host.NamesForNamespace in buildGatewayHTTPRouteConfig), and the routes of VirtualService team-b/b decide some request there otherwise than those of VirtualService team-a/a and VirtualService team-b/b: give the Gateway's document with the VirtualServices")

	// With the Gateway's server for team-b/api.example.com, team-a/a is
	// left out.
	gw := istioHTTPGateway("team-b/api.example.com")
	p, _ := convertAll(t, strings.Join([]string{gw, internal, public}, "---\n"))
	check(t, p, "nsgw-gw.yaml", req{host: "api.example.com", path: "/api/internal/x", origin: "https://partner.example"}, "disallowed", nil)
	check(t, p, "nsgw-gw.yaml", req{host: "api.example.com", path: "/api/internal/x", origin: "https://app.example.com"}, "allowed", nil)

	// The reviewer's dotgw.yaml: "./" is the Gateway's namespace
	// (sanitizeServerHostNamespace in pilot/pkg/model/gateway.go), so
	// team-a's VirtualService is left out.
	p, _ = convertAll(t, strings.Join([]string{istioHTTPGateway("./api.example.com"), internal, strings.Replace(public, "team-b", "istio-system", 1)}, "---\n"))
	check(t, p, "dotgw.yaml", req{host: "api.example.com", path: "/api/internal/x", origin: "https://partner.example"}, "disallowed", nil)
	check(t, p, "dotgw.yaml", req{host: "api.example.com", path: "/api/internal/x", origin: "https://app.example.com"}, "allowed", nil)
	// Without the Gateway's namespace, "./" names none: refused.
	noNamespace := func(doc string) string { return strings.ReplaceAll(doc, ", namespace: istio-system", "") }
	convertOrRefused(t, "a Gateway without a namespace", noNamespace(istioHTTPGateway("./api.example.com"))+"---\n"+noNamespace(istioVS("api", "api.example.com", "", `  - route: [{destination: {host: api}}]
`)), `Gateway edge: a server host in the namespace "." (the Gateway's), and the Gateway has no metadata.namespace: set it`)

	// Where every namespace's routes decide alike, it converts: two
	// namespaces' VirtualServices for the host without CORS on one.
	plain := vs("a", "team-a", "2023-01-01T00:00:00Z", `  - match: [{uri: {prefix: /static}}]
    route: [{destination: {host: static}}]
    corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}]}
`)
	p, _ = convertAll(t, plain+"---\n"+public)
	check(t, p, "the same policy in both namespaces", req{host: "api.example.com", path: "/static/x", origin: "https://app.example.com"}, "allowed", nil)

	// Beyond the namespaces it checks, refused.
	var many []string
	for i := range 7 {
		many = append(many, vs("v", fmt.Sprintf("ns%d", i), "", `  - route: [{destination: {host: public}}]
`))
	}
	convertOrRefused(t, "seven namespaces", strings.Join(many, "---\n"), "VirtualService ns0/v, host api.example.com: Gateway istio-system/edge is not in the files, and VirtualServices of 7 namespaces share the host, too many to check")
}
