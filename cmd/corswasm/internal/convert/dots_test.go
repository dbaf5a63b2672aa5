package convert

import (
	"strings"
	"testing"
)

// Envoy compares a virtual host's domains with the host as sent, a
// trailing dot included (RouteMatcher::findVirtualHost lowercases it and
// nothing more): "api.example.com." is not "api.example.com", and
// "*.example.com" does not take "a.example.com.", unless the connection
// manager removes the dot first (strip_trailing_host_dot:
// HeaderUtility::stripTrailingHostDot). corswasm rules ignore a trailing
// dot: a host converts when its dotted form gets the same CORS handling,
// or none (no virtual host: Envoy answers 404), and is refused otherwise.
func TestTrailingDots(t *testing.T) {
	credentialed := corsPolicy(`allow_origin_string_match: [{exact: "https://partner.example"}], allow_credentials: true`)
	// rc is the reviewer's dot.yaml with the api virtual host's domains
	// and the "*" virtual host's policy given.
	rc := func(apiDomains, otherPolicy string) string {
		tpfc := "{}"
		if otherPolicy != "" {
			tpfc = "{envoy.filters.http.cors: " + otherPolicy + "}"
		}
		return `name: edge
ignore_port_in_host_matching: true
virtual_hosts:
- {name: api, domains: [` + apiDomains + `], typed_per_filter_config: {envoy.filters.http.cors: ` + credentialed + `}, routes: [{match: {prefix: /}, route: {cluster: api}}]}
- {name: other, domains: ["*"], typed_per_filter_config: ` + tpfc + `, routes: [{match: {prefix: /}, route: {cluster: other}}]}
`
	}
	partner := func(host string) req { return req{host: host, origin: "https://partner.example"} }
	for _, tc := range []struct {
		desc, doc, refusal string
		checks             map[string]string
	}{
		{"the reviewer's dot.yaml: a dotted host goes to \"*\"", rc("api.example.com", ""),
			`route configuration "edge" virtual_hosts[0] "api", domain api.example.com: Envoy takes its requests with a trailing dot (api.example.com.) without a port to route configuration "edge" virtual_hosts[1] "other", whose CORS handling differs, and corswasm rules, which ignore a trailing dot, would give them this virtual host's CORS handling; set strip_trailing_host_dot on the connection manager if a trailing dot should not matter, or add the domain "api.example.com."`, nil},
		{"a wildcard domain does not take a dotted host", rc(`"*.example.com"`, ""),
			`domain *.example.com: Envoy takes its requests with a trailing dot (*.example.com.) without a port to route configuration "edge" virtual_hosts[1] "other"`, nil},
		{"the dotted domain named", rc(`api.example.com, api.example.com.`, ""), "",
			map[string]string{"api.example.com.": "allowed", "api.example.com": "allowed", "www.example.com.": "none"}},
		{"the dotted wildcard named", rc(`"*.example.com", "*.example.com."`, ""), "",
			map[string]string{"a.example.com.": "allowed", "example.com.": "none"}},
		{"\"*\" with the same handling", rc("api.example.com", credentialed), "",
			map[string]string{"api.example.com.": "allowed", "www.example.com": "allowed"}},
		{"the connection manager strips the dot", stripDots(rc("api.example.com", "")), "",
			map[string]string{"api.example.com.": "allowed", "www.example.com": "none"}},
		{"a dotted domain, the dot stripped: it never matches", stripDots(rc("api.example.com.", "")), "",
			map[string]string{"api.example.com": "none", "api.example.com.": "none"}},
	} {
		p := convertOrRefused(t, tc.desc, tc.doc, tc.refusal)
		for host, want := range tc.checks {
			check(t, p, tc.desc, partner(host), want, nil)
		}
	}
	// Without the "*" virtual host, Envoy answers a dotted host 404.
	p, _ := convertAll(t, strings.Replace(rc("api.example.com", ""), `domains: ["*"]`, `domains: [www.example.com]`, 1))
	check(t, p, "no virtual host for the dotted host", partner("api.example.com."), "allowed", nil)

	// Istio's gateways keep the dot (the reviewer's vsdot.yaml), and
	// accept a host with one (ValidateDNS1123Labels allows an empty last
	// label).
	vsdot := func(hosts string) string {
		return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [` + hosts + `]
  gateways: [istio-system/edge]
  http:
  - corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}
    route: [{destination: {host: api}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: catchall, namespace: shop}
spec:
  hosts: ["*"]
  gateways: [istio-system/edge]
  http:
  - route: [{destination: {host: other}}]
---
` + istioEdgeGateway(`"*"`)
	}
	convertOrRefused(t, "vsdot.yaml", vsdot("api.example.com"), `VirtualService shop/api, domain api.example.com: Envoy takes its requests with a trailing dot (api.example.com.) without a port to VirtualService shop/catchall, whose CORS handling differs, and corswasm rules, which ignore a trailing dot, would give them this VirtualService's CORS handling; Istio's gateways keep a trailing dot in :authority (they do not set strip_trailing_host_dot), so that another VirtualService takes it: add the host "api.example.com." to this VirtualService's hosts if a trailing dot should not matter`)
	p, _ = convertAll(t, vsdot("api.example.com, api.example.com."))
	check(t, p, "vsdot.yaml with the dotted host", partner("api.example.com."), "allowed", nil)
	check(t, p, "vsdot.yaml with the dotted host", partner("www.example.com."), "none", nil)

	// The Gateway API's Envoy-based implementations keep it too (the
	// reviewer's gwdot.yaml; Gateway API hostnames cannot have one).
	gwdot := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  hostnames: [api.example.com]
  rules:
  - filters: [{type: CORS, cors: {allowOrigins: ["https://partner.example"], allowCredentials: true}}]
    backendRefs: [{name: api, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
  - backendRefs: [{name: other, port: 8080}]
`
	convertOrRefused(t, "gwdot.yaml", gwdot, `hostname "api.example.com" (HTTPRoute shop/a), domain api.example.com: Envoy takes its requests with a trailing dot (api.example.com.) without a port to HTTPRoute shop/b without hostnames, whose CORS handling differs`)
}

// Istio's gateways (since 1.15) give a virtual host its host alone, in a
// route configuration that ignores the port (buildGatewayHTTPRouteConfig
// in pilot/pkg/networking/core/gateway.go: IgnorePortInHostMatching;
// istio/istio#40475): a.example.com:8443 goes to the "*.example.com"
// VirtualService, as a.example.com does (the reviewer's vswild.yaml).
// Older Istio wrote "*.example.com:<server port>" and sent it to "*".
func TestIstioWildcardHostPorts(t *testing.T) {
	vs := func(name, hosts, cors string) string {
		return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: shop}
spec:
  hosts: [` + hosts + `]
  gateways: [istio-system/edge]
  http:
  - ` + cors + `route: [{destination: {host: ` + name + `}}]
`
	}
	credentialed := `corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}
    `
	partner := func(host string) req { return req{host: host, origin: "https://partner.example"} }
	for _, tc := range []struct {
		desc, doc string
		checks    map[string]string
	}{
		{"vswild.yaml with its Gateway", vs("api", `"*.example.com", "*.example.com."`, credentialed) + "---\n" + vs("catchall", `"*"`, "") + "---\n" + istioEdgeGateway(`"*"`),
			map[string]string{"a.example.com:8443": "allowed", "a.example.com": "allowed", "a.example.com.:8443": "allowed", "www.other.example:8443": "none"}},
		{"an exact host", vs("api", `api.example.com, api.example.com.`, credentialed) + "---\n" + vs("catchall", `"*"`, "") + "---\n" + istioEdgeGateway(`"*"`),
			map[string]string{"api.example.com:8443": "allowed", "www.example.com:8443": "none"}},
		{"no \"*\" VirtualService", vs("api", `"*.example.com"`, credentialed),
			map[string]string{"api.example.com:8443": "allowed"}},
		{"\"*\" with the same handling", vs("api", `"*.example.com"`, credentialed) + "---\n" + vs("catchall", `"*"`, credentialed),
			map[string]string{"api.example.com:8443": "allowed", "www.other.example:8443": "allowed"}},
	} {
		p, _ := convertAll(t, tc.doc)
		for host, want := range tc.checks {
			check(t, p, tc.desc, partner(host), want, nil)
		}
	}
}

// When no virtual host takes a request, Envoy's router answers 404 itself
// and the CORS filter does nothing (no route); a rule applying there only
// adds CORS headers to that 404, or answers a preflight whose actual
// request gets it: the host converts. The reviewer's envoy-typical.yaml:
// a bootstrap with api.example.com and www.example.com, no catch-all.
func TestNoVirtualHostIsEnvoys404(t *testing.T) {
	routes := `route_config:
            name: local_route
            virtual_hosts:
            - {name: api, domains: [api.example.com], typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://www.example.com"}], allow_methods: "GET, PUT, DELETE", allow_headers: content-type`) + `}, routes: [{match: {prefix: /}, route: {cluster: api}}]}
            - {name: www, domains: [www.example.com], routes: [{match: {prefix: /}, route: {cluster: www}}]}`
	p, _ := convertAll(t, bootstrap(corsAndRouter, routes))
	for _, host := range []string{"api.example.com", "api.example.com:8443", "api.example.com."} {
		check(t, p, host, req{host: host, origin: "https://www.example.com", acrm: "PUT"}, "allowed", nil)
	}
	check(t, p, "www", req{host: "www.example.com", origin: "https://www.example.com", acrm: "PUT"}, "none", nil)
}
