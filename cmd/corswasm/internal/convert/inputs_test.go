package convert

import (
	"strings"
	"testing"
)

// sharedHost is a VirtualService shop/<name> bound to a gateway for
// api.example.com, whose one route, named <name>, matches the given
// paths and allows https://<name>.example.
func sharedHost(name string, prefixes ...string) string {
	var match []string
	for _, p := range prefixes {
		match = append(match, "{uri: {prefix: "+p+"}}")
	}
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: shop}
spec:
  hosts: [api.example.com]
  gateways: [istio-system/public]
  http:
  - name: ` + name + `
    match: [` + strings.Join(match, ", ") + `]
    corsPolicy: {allowOrigins: [{exact: "https://` + name + `.example"}]}
    route: [{destination: {host: ` + name + `}}]
`
}

var vsA, vsB = sharedHost("a", "/a/"), sharedHost("b", "/a/")

// What `kubectl get -o yaml` writes, a List, is read item by item; a
// typed list's items may leave out their kind.
func TestKubernetesLists(t *testing.T) {
	indent := func(doc string) string {
		return "- " + strings.ReplaceAll(strings.TrimSuffix(doc, "\n"), "\n", "\n  ") + "\n"
	}
	list := "apiVersion: v1\nkind: List\nitems:\n" + indent(vsA) + indent(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [www.example.com]
  gateways: [istio-system/public]
  http: [{corsPolicy: {allowOrigins: [{exact: "https://w.example"}]}, route: [{destination: {host: web}}]}]
`)
	p, r := convertAll(t, list)
	if strings.Join(r.Sources, "; ") != "Istio VirtualService shop/a; Istio VirtualService shop/web" {
		t.Errorf("sources %q", r.Sources)
	}
	check(t, p, "List item VirtualService", req{path: "/a/x", origin: "https://a.example"}, "allowed", nil)
	check(t, p, "another List item", req{host: "www.example.com", origin: "https://w.example"}, "allowed", nil)

	typed := "apiVersion: networking.istio.io/v1\nkind: VirtualServiceList\nitems:\n" +
		indent(strings.Replace(strings.Replace(vsA, "apiVersion: networking.istio.io/v1\n", "", 1), "kind: VirtualService\n", "", 1))
	p, _ = convertAll(t, typed)
	check(t, p, "typed list", req{path: "/a/x", origin: "https://a.example"}, "allowed", nil)

	_, err := Convert(Input{Name: "list.yaml", Data: []byte("apiVersion: v1\nkind: List\nitems: [{kind: VirtualService}, 3]\n")})
	if err == nil || err.Error() != "list.yaml: line 3: the items of a List must be a sequence of objects" {
		t.Errorf("a list item that is not an object: %v", err)
	}
}

// Several inputs are one configuration, as if concatenated in the order
// given. VirtualServices sharing a host are merged in creation order,
// whatever the order of the files (sortConfigByCreationTime), and refused
// without their creationTimestamps where the order matters, as with vsA
// and vsB, which give /a/ different policies.
func TestSeveralInputsInOrder(t *testing.T) {
	created := func(doc, at string) string {
		return strings.Replace(doc, "namespace: shop}", "namespace: shop, creationTimestamp: \""+at+"\"}", 1)
	}
	a, b := created(vsA, "2024-05-01T00:00:00Z"), created(vsB, "2023-01-01T00:00:00Z")
	for _, files := range [][]string{{a, b}, {b, a}} {
		p, _ := convertAll(t, files...)
		check(t, p, "b is older", req{path: "/a/x", origin: "https://b.example"}, "allowed", nil)
		check(t, p, "b is older", req{path: "/a/x", origin: "https://a.example"}, "disallowed", nil)
	}
	// Created in the same second: by name.
	p, _ := convertAll(t, created(vsB, "2024-05-01T00:00:00Z"), created(vsA, "2024-05-01T00:00:00Z"))
	check(t, p, "a by name", req{path: "/a/x", origin: "https://a.example"}, "allowed", nil)
	for _, files := range [][]string{{vsA, vsB}, {a, vsB}} {
		if r := convertRaw(t, files...); !hasLine(r.Refusals, "VirtualService shop/a and VirtualService shop/b share api.example.com, and the CORS handling of some request there depends on the order Istio merges their routes in, their creation order (then name and namespace), which the documents do not show") {
			t.Errorf("refusals %q", r.Refusals)
		}
	}
	_, err := Convert(Input{Name: "one.yaml", Data: []byte(vsA)}, Input{Name: "two.yaml", Data: []byte("a: [")})
	if err == nil || !strings.HasPrefix(err.Error(), "two.yaml: not valid YAML: ") {
		t.Errorf("error %v; want it to name two.yaml", err)
	}
}

// bootstrap is an Envoy bootstrap whose static listener's connection
// manager has the given http_filters and route specifier (a YAML flow
// mapping's inside).
func bootstrap(filters, routes string) string {
	return `static_resources:
  listeners:
  - name: public
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: public
          http_filters: ` + filters + `
          ` + routes + `
`
}

const (
	corsAndRouter = `[{name: cors, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}},
            {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]`
	routerOnly = `[{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]`
)

// A bootstrap's connection managers say whether the CORS filter runs at
// all, and under which name its per-route configurations are looked up;
// route configurations from RDS are taken from the other inputs, and
// refused when missing.
func TestBootstrap(t *testing.T) {
	routeConfig := `route_config: {name: local, virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"],
            typed_per_filter_config: {cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `},
            routes: [{match: {prefix: /}, route: {cluster: api}}]}]}`
	p, _ := convertAll(t, bootstrap(corsAndRouter, routeConfig))
	check(t, p, "inline route_config, the filter named cors", req{origin: "https://a.example"}, "allowed", nil)

	p, r := convertAll(t, bootstrap(routerOnly, routeConfig))
	check(t, p, "no CORS filter", req{origin: "https://a.example"}, "none", nil)
	if !hasLine(r.Notes, `has no CORS filter (envoy.filters.http.cors) among its http_filters: Envoy does no CORS handling there`) {
		t.Errorf("notes %q", r.Notes)
	}

	disabled := strings.Replace(corsAndRouter, `{name: cors, typed_config`, `{name: cors, disabled: true, typed_config`, 1)
	rc := `name: local
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  routes:
  - {match: {prefix: /on/}, route: {cluster: api}, typed_per_filter_config: {cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `}}
  - {match: {prefix: /}, route: {cluster: api}}
`
	p, _ = convertAll(t, bootstrap(disabled, `rds: {route_config_name: local, config_source: {ads: {}}}`), rc)
	check(t, p, "disabled by default, enabled by a route's policy", req{path: "/on/x", origin: "https://a.example"}, "allowed", nil)
	check(t, p, "disabled by default", req{path: "/off", origin: "https://a.example"}, "none", nil)

	r = convertRaw(t, bootstrap(corsAndRouter, `rds: {route_config_name: missing, config_source: {ads: {}}}`))
	if !hasLine(r.Refusals, `listener "public"`, `takes route configuration "missing" from RDS, and it is not in the input: give it as another FILE`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	r = convertRaw(t, "dynamic_resources: {lds_config: {ads: {}}}\n")
	if !hasLine(r.Refusals, `the bootstrap's listeners come from LDS (dynamic_resources.lds_config), which are not in the input`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}

// Istio emits no route after a catch-all match (prefix "/" without
// header, query or metadata matches), neither the route's other matches
// nor its other routes (BuildHTTPRoutesForVirtualService in
// pilot/pkg/networking/core/route/route.go); merged with another
// VirtualService of the host, catch-all routes go last
// (SortVHostRoutes in pilot/pkg/networking/core/route/route.go).
func TestIstioStopsAtCatchAll(t *testing.T) {
	catchAllFirst := sharedHost("b", "/", "/a/")
	for _, order := range [][]string{{vsA, catchAllFirst}, {catchAllFirst, vsA}} {
		p, r := convertAll(t, order...)
		check(t, p, "a's /a/", req{path: "/a/x", origin: "https://a.example"}, "allowed", nil)
		check(t, p, "b's catch-all", req{path: "/b", origin: "https://b.example"}, "allowed", nil)
		if !hasLine(r.Notes, `VirtualService shop/b http[0] "b" match[0] takes every request: Istio ignores the match conditions after it`) {
			t.Errorf("notes %q", r.Notes)
		}
	}
}

// Envoy tells apart virtual hosts whose domains differ by the port alone
// (and listeners by their port): corswasm, which ignores the port,
// converts them when they give every request the same CORS handling, and
// refuses them otherwise (ports_test.go has more).
func TestDomainsApartByPort(t *testing.T) {
	rc := func(a, b string) string {
		return `name: edge
virtual_hosts:
- {name: tls, domains: ["api.example.com:8443"], typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(a) + `},
   routes: [{match: {prefix: /}, route: {cluster: api}}]}
- {name: plain, domains: ["api.example.com", "api.example.com:*"], typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(b) + `},
   routes: [{match: {prefix: /}, route: {cluster: api}}]}
`
	}
	same := `allow_origin_string_match: [{exact: "https://a.example"}]`
	p, _ := convertAll(t, rc(same, same))
	check(t, p, "same handling", req{origin: "https://a.example"}, "allowed", nil)
	check(t, p, "same handling", req{host: "api.example.com:8443", origin: "https://a.example"}, "allowed", nil)
	r := convertRaw(t, rc(same, `allow_origin_string_match: [{exact: "https://b.example"}]`))
	if !hasLine(r.Refusals, `virtual_hosts[1] "plain", domain api.example.com: Envoy takes its requests on port 8443 to route configuration "edge" virtual_hosts[0] "tls", whose CORS handling differs`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Two listeners: plain HTTP redirects, TLS does CORS.
	redirect := `route_config: {name: http, virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"], routes: [{match: {prefix: /}, redirect: {https_redirect: true}}]}]}`
	withCORS := `route_config: {name: https, virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"],
            typed_per_filter_config: {cors: ` + corsPolicy(same) + `}, routes: [{match: {prefix: /}, route: {cluster: api}}]}]}`
	r = convertRaw(t, bootstrap(corsAndRouter, redirect), bootstrap(corsAndRouter, withCORS))
	if !hasLine(r.Refusals, `convert them separately, one plugin configuration for each listener`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}
