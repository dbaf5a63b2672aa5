package convert

import (
	"strings"
	"testing"
)

// Envoy compares a virtual host's domains with the whole :authority, its
// port included (RouteMatcher::findVirtualHost in source/common/router/
// config_impl.cc): "api.example.com" does not take "api.example.com:8443",
// which goes to the next virtual host whose domains take it, unless the
// port is removed first (ignore_port_in_host_matching; the connection
// manager's strip_any_host_port, or strip_matching_host_port for the
// listener's port). corswasm rules ignore the port: a host is converted
// when every port gets the same CORS handling, and refused otherwise.
func TestPorts(t *testing.T) {
	credentialed := corsPolicy(`allow_origin_string_match: [{exact: "https://partner.example"}], allow_credentials: true`)
	public := corsPolicy(`allow_origin_string_match: [{exact: "https://partner.example"}]`)
	// rc is a route configuration with the given fields (YAML lines)
	// whose virtual hosts "api" and "other" have the given domains (YAML
	// flow sequences' insides) and policies ("" for none).
	rc := func(fields, apiDomains, apiPolicy, otherDomains, otherPolicy string) string {
		vh := func(name, domains, policy string) string {
			tpfc := "{}"
			if policy != "" {
				tpfc = "{envoy.filters.http.cors: " + policy + "}"
			}
			return "- {name: " + name + ", domains: [" + domains + "], typed_per_filter_config: " + tpfc + ", routes: [{match: {prefix: /}, route: {cluster: api}}]}\n"
		}
		return "name: edge\n" + fields + "virtual_hosts:\n" + vh("api", apiDomains, apiPolicy) + vh("other", otherDomains, otherPolicy)
	}
	partner := func(host string) req { return req{host: host, origin: "https://partner.example"} }
	// The connection manager removes a trailing dot (see TestTrailingDots):
	// only the port counts here.
	for _, tc := range []struct {
		desc    string
		doc     string
		refusal string // "" when converted
		checks  map[string]string
	}{
		// The reviewer's case: a request to api.example.com:8443 goes to
		// the "*" virtual host in Envoy, without CORS.
		{"a host without a port, \"*\" without CORS", rc("", "api.example.com", credentialed, `"*"`, ""),
			`virtual_hosts[0] "api", domain api.example.com: Envoy takes its requests on any other port to route configuration "edge" virtual_hosts[1] "other", whose CORS handling differs`, nil},
		{"ignore_port_in_host_matching", rc("ignore_port_in_host_matching: true\n", "api.example.com", credentialed, `"*"`, ""), "",
			map[string]string{"api.example.com:8443": "allowed", "api.example.com": "allowed", "www.example.com": "none"}},
		{"every port named (host:*)", rc("", `api.example.com, "api.example.com:*"`, credentialed, `"*"`, ""), "",
			map[string]string{"api.example.com:8443": "allowed", "www.example.com:8443": "none"}},
		{"a named port to another virtual host", rc("", `api.example.com, "api.example.com:*"`, credentialed, `"api.example.com:8443"`, public),
			`domain api.example.com: Envoy takes its requests on port 8443 to route configuration "edge" virtual_hosts[1] "other", whose CORS handling differs`, nil},
		{"a named port to another virtual host, the same handling", rc("", `api.example.com, "api.example.com:*"`, public, `"api.example.com:8443"`, public), "",
			map[string]string{"api.example.com:8443": "allowed", "api.example.com": "allowed", "www.example.com": "none"}},
		// No virtual host takes api.example.com:8443: Envoy answers 404
		// itself, and corswasm's CORS headers on it expose nothing.
		{"a host without a port, no other virtual host", rc("", "api.example.com", credentialed, "www.example.com", ""), "",
			map[string]string{"api.example.com:8443": "allowed", "api.example.com": "allowed", "www.example.com": "none"}},
		{"a host on one port alone, no other virtual host", rc("", `"api.example.com:8443"`, credentialed, "www.example.com", ""), "",
			map[string]string{"api.example.com": "allowed", "api.example.com:8443": "allowed"}},
		{"a host on one port alone", rc("", `"api.example.com:8443"`, credentialed, `"*"`, ""),
			`domain api.example.com: Envoy takes its requests without a port to route configuration "edge" virtual_hosts[1] "other", whose CORS handling differs`, nil},
		{"the same handling on every port", rc("", `"api.example.com:8443"`, public, `"*"`, public), "",
			map[string]string{"api.example.com": "allowed", "www.example.com:8443": "allowed"}},
		{"a wildcard host", rc("", `"*.example.com"`, credentialed, `"*"`, ""),
			`domain *.example.com: Envoy takes its requests on any other port to route configuration "edge" virtual_hosts[1] "other"`, nil},
		{"a wildcard with a port: the host on that port", rc("", `"*.example.com:8443", "*.example.com"`, credentialed, `"*"`, ""),
			`domain *.example.com: Envoy takes its requests on any other port`, nil},
		{"a wildcard, ports ignored", rc("ignore_port_in_host_matching: true\n", `"*.example.com"`, credentialed, `"*"`, ""), "",
			map[string]string{"a.example.com:8443": "allowed", "example.com": "none"}},
		{"a domain with a port, ports ignored: it never matches", rc("ignore_port_in_host_matching: true\n", `"api.example.com:8443"`, credentialed, `"*"`, ""), "",
			map[string]string{"api.example.com": "none", "api.example.com:8443": "none"}},
		{"an IPv6 address on one port", rc("", `"[::1]:8443"`, credentialed, `"*"`, ""),
			`domain [::1]: Envoy takes its requests without a port`, nil},
	} {
		p := convertOrRefused(t, tc.desc, stripDots(tc.doc), tc.refusal)
		for host, want := range tc.checks {
			check(t, p, tc.desc, partner(host), want, nil)
		}
	}
}

// stripDots serves a route configuration through a connection manager
// with strip_trailing_host_dot.
func stripDots(routeConfig string) string {
	indented := strings.ReplaceAll(strings.TrimSuffix(routeConfig, "\n"), "\n", "\n            ")
	return bootstrap(corsAndRouter, "strip_trailing_host_dot: true\n          route_config:\n            "+indented)
}

// A bootstrap's connection manager may remove the port before virtual
// hosts are chosen: any port (strip_any_host_port), or the listener's
// (strip_matching_host_port), which then counts as no port.
func TestConnectionManagerStripsPorts(t *testing.T) {
	routes := `route_config:
            name: edge
            virtual_hosts:
            - {name: api, domains: [api.example.com, "api.example.com:*"], typed_per_filter_config: {cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `}, routes: [{match: {prefix: /}, route: {cluster: api}}]}
            - {name: tls, domains: ["api.example.com:8443"], routes: [{match: {prefix: /}, route: {cluster: api}}]}`
	listener := func(strip string) string {
		b := bootstrap(corsAndRouter, strip+"\n          "+routes)
		return strings.Replace(b, "  - name: public\n", "  - name: public\n    address: {socket_address: {address: 0.0.0.0, port_value: 8443}}\n", 1)
	}
	r := convertRaw(t, listener("stat_prefix2: x"))
	if !hasLine(r.Refusals, `virtual_hosts[0] "api", domain api.example.com: Envoy takes its requests on port 8443 to route configuration "edge" virtual_hosts[1] "tls", whose CORS handling differs`) {
		t.Errorf("no stripping: refusals %q", r.Refusals)
	}
	for _, strip := range []string{"strip_any_host_port: true", "strip_matching_host_port: true"} {
		p, _ := convertAll(t, listener(strip))
		check(t, p, strip, req{host: "api.example.com:8443", origin: "https://a.example"}, "allowed", nil)
	}
}
