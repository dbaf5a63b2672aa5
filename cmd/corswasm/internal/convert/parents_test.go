package convert

import (
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// convertFor converts the documents for the selection, requires no
// refusal, and loads the result.
func convertFor(t *testing.T, sel Selection, docs ...string) (*Result, error) {
	t.Helper()
	var in []Input
	for i, d := range docs {
		in = append(in, Input{Name: "input" + string(rune('1'+i)), Data: []byte(d)})
	}
	return ConvertFor(sel, in...)
}

// loadFor is convertFor that requires a configuration, loaded.
func loadFor(t *testing.T, sel Selection, docs ...string) *Result {
	t.Helper()
	r, err := convertFor(t, sel, docs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Refusals) > 0 {
		t.Fatalf("%+v: refused:\n%s", sel, strings.Join(r.Refusals, "\n"))
	}
	return r
}

// boundTo is a VirtualService shop/<name> for api.example.com bound to
// the gateways given, allowing https://<name>.example.
func boundTo(name, gateways string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: shop}
spec:
  hosts: [api.example.com]
  gateways: [` + gateways + `]
  http: [{corsPolicy: {allowOrigins: [{exact: "https://` + name + `.example"}]}, route: [{destination: {host: api}}]}]
`
}

// Istio gives each gateway the VirtualServices bound to it
// (VirtualService.gateways; a short name is in the VirtualService's
// namespace; none is the mesh): a corswasm configuration runs alike on
// every gateway its plugin selects, so different handling on two
// gateways is refused, and --gateway converts for one.
func TestIstioGateways(t *testing.T) {
	public, internal := boundTo("public", "istio-system/public"), boundTo("internal", "internal")
	r := convertRaw(t, public, internal)
	if !hasLine(r.Refusals, `the configurations for gateway "istio-system/public" and for gateway "shop/internal" differ, and a corswasm configuration applies alike on every listener its plugin runs on: convert for one of them at a time (--gateway istio-system/public, --gateway shop/internal)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	for gw, origin := range map[string]string{"istio-system/public": "https://public.example", "shop/internal": "https://internal.example"} {
		res := loadFor(t, Selection{Gateway: gw}, public, internal)
		p := load(t, res)
		check(t, p, gw, req{origin: origin}, "allowed", nil)
		if !hasLine(res.Notes, "is not attached to gateway "+gw+": left out") {
			t.Errorf("%s: notes %q", gw, res.Notes)
		}
	}
	// One VirtualService bound to two gateways gives both the same.
	p, _ := convertAll(t, boundTo("both", "istio-system/public, internal"))
	check(t, p, "two gateways, one VirtualService", req{origin: "https://both.example"}, "allowed", nil)
	// Mesh-bound and gateway-bound differ.
	r = convertRaw(t, public, strings.Replace(boundTo("mesh", "mesh"), "  gateways: [mesh]\n", "", 1))
	if !hasLine(r.Refusals, `for the mesh (sidecars) differ`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}

// attachedTo is an HTTPRoute shop/<name> for api.example.com attached to
// parentRefs, whose rule matches path and allows https://<name>.example.
func attachedTo(name, parentRefs, path string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ` + name + `, namespace: shop}
spec:
  parentRefs: [` + parentRefs + `]
  hostnames: [api.example.com]
  rules: [{matches: [{path: ` + path + `}], filters: [{type: CORS, cors: {allowOrigins: ["https://` + name + `.example"]}}], backendRefs: [{name: api, port: 8080}]}]
`
}

// The Gateway API orders the routes attached to one listener
// (HTTPRouteRule.Matches: "across all rules of the routes attached to the
// same listener"): a route attached to another listener of the Gateway
// (sectionName) takes no request of this one, and one attached to the
// whole Gateway takes requests of each.
func TestGatewayParents(t *testing.T) {
	https := attachedTo("https", "{name: gw, sectionName: https}", "{type: PathPrefix, value: /api}")
	http := attachedTo("http", "{name: gw, sectionName: http}", "{type: Exact, value: /api/x}")
	whole := attachedTo("whole", "{name: gw}", "{type: PathPrefix, value: /}")
	r := convertRaw(t, https, http, whole)
	if !hasLine(r.Refusals, `convert for one of them at a time (--parent shop/gw/https, --parent shop/gw/http, --parent shop/gw)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Which listeners share a port, and so a connection manager and a
	// plugin, the Gateway says: without it, one listener is not converted
	// alone.
	res, err := convertFor(t, Selection{Parent: "shop/gw/https"}, https, http, whole)
	if err != nil || !hasLine(res.Refusals, `HTTPRoute shop/http is attached to parent "shop/gw" section http, and the conversion is for shop/gw/https`, `add it to the input (kubectl get gateway -n shop gw -o yaml)`) {
		t.Errorf("without the Gateway: %v, refusals %q", err, res.Refusals)
	}
	gateway := gatewayDoc("shop", "gw", `{name: https, port: 443, protocol: HTTPS}`, `{name: http, port: 80, protocol: HTTP}`)
	r = convertRaw(t, https, http, whole, gateway)
	if !hasLine(r.Refusals, `convert for one of them at a time (--parent shop/gw/https, --parent shop/gw/http)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// For the https listener: its route and the whole Gateway's; the
	// exact path of the http listener's route does not take /api/x.
	p := load(t, loadFor(t, Selection{Parent: "shop/gw/https"}, https, http, whole, gateway))
	check(t, p, "https listener", req{path: "/api/x", origin: "https://https.example"}, "allowed", nil)
	check(t, p, "https listener, the whole Gateway's route", req{path: "/other", origin: "https://whole.example"}, "allowed", nil)
	p = load(t, loadFor(t, Selection{Parent: "shop/gw/http"}, https, http, whole, gateway))
	check(t, p, "http listener", req{path: "/api/x", origin: "https://http.example"}, "allowed", nil)
	check(t, p, "http listener", req{path: "/api/y", origin: "https://whole.example"}, "allowed", nil)
	// Routes attached to the whole Gateway alone.
	p, _ = convertAll(t, whole, attachedTo("other", "{name: gw}", "{type: PathPrefix, value: /other}"))
	check(t, p, "one parent", req{path: "/other/x", origin: "https://other.example"}, "allowed", nil)
}

// An Envoy bootstrap's listeners each route their own requests: a
// listener without the CORS filter leaves them alone, another's CORS
// applies to its own; the plugin runs on the listeners whose connection
// managers name it, so differing listeners are refused and --listener
// converts for one.
func TestEnvoyListeners(t *testing.T) {
	withCORS := bootstrap(corsAndRouter, `route_config: {name: https, virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"],
            typed_per_filter_config: {cors: `+corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`)+`}, routes: [{match: {prefix: /}, route: {cluster: api}}]}]}`)
	without := strings.Replace(bootstrap(routerOnly, `route_config: {name: plain, virtual_hosts: [{name: any, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: api}}]}]}`),
		"name: public", "name: internal", 1)
	r := convertRaw(t, withCORS, without)
	if !hasLine(r.Refusals, `the configurations for listener "public" and for listener "internal" differ`, `(--listener public, --listener internal)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	if hasLine(r.Notes, `Envoy does no CORS handling there`) {
		t.Errorf("a note that is not true of the result: %q", r.Notes)
	}
	p := load(t, loadFor(t, Selection{Listener: "public"}, withCORS, without))
	check(t, p, "listener public", req{origin: "https://a.example"}, "allowed", nil)
	res := loadFor(t, Selection{Listener: "internal"}, withCORS, without)
	check(t, load(t, res), "listener internal", req{origin: "https://a.example"}, "none", nil)
}

// A selection names one parent the input has.
func TestSelectionErrors(t *testing.T) {
	for _, tc := range []struct {
		sel  Selection
		want string
	}{
		{Selection{Gateway: "istio-system/nope"}, `no gateway istio-system/nope in the input, which has gateway "istio-system/public", gateway "shop/internal"`},
		{Selection{Gateway: "mesh", Listener: "public"}, `convert for one listener, gateway or parent at a time`},
	} {
		if _, err := convertFor(t, tc.sel, boundTo("public", "istio-system/public"), boundTo("internal", "internal")); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: error %v; want %q", tc.sel, err, tc.want)
		}
	}
}

// load loads a result's configuration as the filter does.
func load(t *testing.T, r *Result) *engine.Policy {
	t.Helper()
	p, err := engine.Load(r.JSON)
	if err != nil {
		t.Fatalf("the converted configuration does not load: %v\n%s", err, r.JSON)
	}
	return p
}

// On sidecars Istio uses one VirtualService for a host, where a gateway
// merges them: VirtualServices sharing a host in the mesh convert only
// when they give the same CORS handling.
func TestSidecarsUseOneVirtualService(t *testing.T) {
	mesh := func(name, origin string) string {
		return strings.Replace(strings.Replace(boundTo(name, "mesh"), "  gateways: [mesh]\n", "", 1), "https://"+name+".example", origin, 1)
	}
	r := convertRaw(t, mesh("a", "https://a.example"), mesh("b", "https://b.example"))
	if !hasLine(r.Refusals, `VirtualService shop/a and VirtualService shop/b share api.example.com, and their CORS handling differs: on sidecars Istio uses one VirtualService for a host`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	p, _ := convertAll(t, mesh("a", "https://a.example"), mesh("b", "https://a.example"))
	check(t, p, "the same handling", req{origin: "https://a.example"}, "allowed", nil)
	// On a gateway they are merged.
	p, _ = convertAll(t, sharedHost("a", "/a/"), sharedHost("b", "/b/"))
	check(t, p, "merged on a gateway", req{path: "/b/x", origin: "https://b.example"}, "allowed", nil)
}

// A sidecar's virtual host for a Kubernetes service also takes its
// shorter names (GenerateAltVirtualHosts); a gateway's takes the host as
// written alone. A VirtualService bound to both (the reviewer's
// vsalt.yaml) gives the gateway's configuration the full name alone.
func TestSidecarNamesStayOnSidecars(t *testing.T) {
	reviews := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  gateways: [istio-system/edge, mesh]
  http:
  - corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}
    route: [{destination: {host: reviews}}]
`
	short := []string{"reviews", "reviews.shop", "reviews.shop.svc"}
	for gw, want := range map[string]string{"istio-system/edge": "none", "mesh": "allowed"} {
		res := loadFor(t, Selection{Gateway: gw}, reviews)
		p := load(t, res)
		check(t, p, gw, req{host: "reviews.shop.svc.cluster.local", origin: "https://partner.example"}, "allowed", nil)
		for _, h := range short {
			check(t, p, gw, req{host: h, origin: "https://partner.example"}, want, nil)
		}
		if got := hasLine(res.Notes, "sidecars also route reviews, reviews.shop, reviews.shop.svc to it"); got != (gw == "mesh") {
			t.Errorf("%s: notes %q", gw, res.Notes)
		}
	}
	// Without a selection, the two configurations differ only on the
	// short names, which the gateway does not route (its own 404): the
	// mesh's configuration serves both (see parentsagree.go).
	p, r := convertAll(t, reviews)
	for _, h := range append(short, "reviews.shop.svc.cluster.local") {
		check(t, p, "the gateway and the mesh", req{host: h, origin: "https://partner.example"}, "allowed", nil)
	}
	if !hasLine(r.Notes, `the configurations for gateway "istio-system/edge" and for the mesh (sidecars) differ only on hosts that some of them do not route`, `the configuration for the mesh (sidecars), which routes every host the others route, is written`) {
		t.Errorf("notes %q", r.Notes)
	}
}

// Istio reads a VirtualService's gateways as NAMESPACE/NAME, a name in the
// VirtualService's namespace ("edge", "./edge"), or the older
// NAME.NAMESPACE.svc.cluster.local (resolveGatewayName in pilot/pkg/
// model/virtualservice.go): the reviewer's vsgw.yaml binds three
// VirtualServices to istio-system/edge with each spelling.
func TestGatewaySpellings(t *testing.T) {
	for _, tc := range []struct{ namespace, gateway, want string }{
		{"shop", "istio-system/edge", "istio-system/edge"},
		{"istio-system", "./edge", "istio-system/edge"},
		{"istio-system", "edge", "istio-system/edge"},
		{"shop", "edge.istio-system.svc.cluster.local", "istio-system/edge"},
		{"shop", "edge.istio-system", "istio-system/edge"},
		{"shop", "mesh", "mesh"},
	} {
		if got := resolveGateway(tc.namespace, tc.gateway); got != tc.want {
			t.Errorf("%s in namespace %s: %q; want %q", tc.gateway, tc.namespace, got, tc.want)
		}
	}
	vs := func(name, namespace, gateway, route string) string {
		return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  hosts: [api.example.com]
  gateways: [` + gateway + `]
  http:
  - ` + route + `
    route: [{destination: {host: api}}]
`
	}
	// The Gateway names api.example.com for every namespace: without it,
	// a server host NAMESPACE/api.example.com could give the host one
	// namespace's VirtualServices alone (see istionamespaces.go).
	gw := istioHTTPGateway("api.example.com")
	docs := []string{
		gw,
		vs("api", "shop", "istio-system/edge", `corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}`),
		vs("private", "istio-system", "./edge", "match: [{uri: {prefix: /private/}}]"),
		vs("private2", "shop", "edge.istio-system.svc.cluster.local", "match: [{uri: {prefix: /secret/}}]"),
	}
	for _, sel := range []string{"istio-system/edge", "edge.istio-system.svc.cluster.local"} {
		res := loadFor(t, Selection{Gateway: sel}, docs...)
		p := load(t, res)
		for path, want := range map[string]string{"/private/x": "none", "/secret/x": "none", "/x": "allowed"} {
			check(t, p, sel, req{path: path, origin: "https://partner.example"}, want, nil)
		}
		if hasLine(res.Notes, "is not attached") {
			t.Errorf("%s: notes %q", sel, res.Notes)
		}
	}
}

// A parentRef's port attaches a route to every listener of the Gateway on
// that port, and a sectionName to the listener of that name
// (ParentReference in apis/v1/shared_types.go): which listener is on
// which port is in the Gateway, read from the input (the reviewer's
// gw1.yaml: route a attached to listener https, route b to port 443).
func TestGatewayParentsByPort(t *testing.T) {
	a := attachedTo("a", "{name: edge, namespace: infra, sectionName: https}", "{type: PathPrefix, value: /api}")
	b := strings.Replace(attachedTo("b", "{name: edge, namespace: infra, port: 443}", "{type: PathPrefix, value: /api/private}"),
		`filters: [{type: CORS, cors: {allowOrigins: ["https://b.example"]}}], `, "", 1)
	// The listeners take routes from every namespace (the routes are in
	// shop, the Gateway in infra; see TestGatewayAllowedRoutes).
	all := `allowedRoutes: {namespaces: {from: All}}`
	gateway := edgeGateway(`{name: https, port: 443, protocol: HTTPS, `+all+`}`, `{name: http, port: 80, protocol: HTTP, `+all+`}`, `{name: tls, port: 8443, protocol: TLS}`)
	r := convertRaw(t, a, b)
	if !hasLine(r.Refusals, `HTTPRoute shop/b (port 443) attached to the listeners of Gateway infra/edge on a port (parentRefs port), and other parentRefs name that Gateway`,
		`add it to the input (kubectl get gateway -n infra edge -o yaml) and convert for one of its listeners (--parent infra/edge/LISTENER)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	for _, sel := range []Selection{{}, {Parent: "infra/edge/https"}} {
		p := load(t, loadFor(t, sel, a, b, gateway))
		check(t, p, "listener https", req{path: "/api/x", origin: "https://a.example"}, "allowed", nil)
		check(t, p, "route b on port 443", req{path: "/api/private/x", origin: "https://a.example"}, "none", nil)
	}
	// Listener http has no route: nothing to select.
	if _, err := convertFor(t, Selection{Parent: "infra/edge/http"}, a, b, gateway); err == nil || !strings.Contains(err.Error(), `no parent infra/edge/http in the input, which has parent "infra/edge" port 443 (listeners https)`) {
		t.Errorf("error %v", err)
	}
	// By port alone, the Gateway is not needed (for routes in its
	// namespace, which its listeners take by default).
	inInfra := func(doc string) string { return strings.Replace(doc, "namespace: shop}", "namespace: infra}", 1) }
	p := load(t, loadFor(t, Selection{}, inInfra(strings.Replace(a, "sectionName: https", "port: 443", 1)), inInfra(b)))
	check(t, p, "both by port", req{path: "/api/x", origin: "https://a.example"}, "allowed", nil)
	// A sectionName and a port that do not meet attach to nothing.
	res := loadFor(t, Selection{}, strings.Replace(a, "sectionName: https", "sectionName: https, port: 80", 1), b, gateway)
	if !hasLine(res.Notes, `HTTPRoute shop/a: its parentRefs name no HTTP or HTTPS listener of their Gateway that takes it and whose hostname it shares: it takes no request: left out`) {
		t.Errorf("notes %q", res.Notes)
	}
}

// A parent of another kind (a Service, for the mesh) is named
// KIND:NAMESPACE/NAME, and the refusal's flags are commands that work.
func TestServiceParent(t *testing.T) {
	mesh := attachedTo("mesh", "{kind: Service, name: api, port: 8080}", "{type: PathPrefix, value: /}")
	edge := attachedTo("edge", "{name: edge}", "{type: PathPrefix, value: /}")
	r := convertRaw(t, mesh, edge)
	if !hasLine(r.Refusals, `(--parent Service:shop/api, --parent shop/edge)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	p := load(t, loadFor(t, Selection{Parent: "Service:shop/api"}, mesh, edge))
	check(t, p, "the Service", req{origin: "https://mesh.example"}, "allowed", nil)
}

// Each filter chain of a listener has its own connection manager, and its
// own http_filters where the plugin is configured: --listener NAME/CHAIN
// converts for one, by the chain's name or index (the reviewer's sni.yaml,
// two chains told apart by SNI).
func TestListenerFilterChains(t *testing.T) {
	hcm := func(routes string) string {
		return `
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
          strip_trailing_host_dot: true
          http_filters: ` + corsAndRouter + `
          route_config: ` + routes
	}
	doc := `static_resources:
  listeners:
  - name: https
    filter_chains:
    - filter_chain_match: {server_names: [api.example.com]}
      filters:` + hcm(`{name: edge, ignore_port_in_host_matching: true, virtual_hosts: [{name: api, domains: [api.example.com], typed_per_filter_config: {cors: `+corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], allow_credentials: true`)+`}, routes: [{match: {prefix: /}, route: {cluster: api}}]},
            {name: other, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: other}}]}]}`) + `
    - name: rest
      filters:` + hcm(`{name: other, virtual_hosts: [{name: o, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: o}}]}]}`) + "\n"
	r := convertRaw(t, doc)
	if !hasLine(r.Refusals, `the configurations for listener "https" filter chain 0 and for listener "https" filter chain rest differ`, `(--listener https/0, --listener https/rest)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	for sel, want := range map[string]string{"https/0": "allowed", "https/rest": "none"} {
		p := load(t, loadFor(t, Selection{Listener: sel}, doc))
		check(t, p, sel, req{origin: "https://a.example"}, want, nil)
	}
	if r, err := convertFor(t, Selection{Listener: "https"}, doc); err != nil || !hasLine(r.Refusals, "(--listener https/0, --listener https/rest)") {
		t.Errorf("--listener https: %v %q", err, r.Refusals)
	}
}

// What is said about a VirtualService (or a listener's routes) that the
// selection leaves out is not said: neither its notes nor its refusals
// (the reviewer's vsnotes.yaml).
func TestLeftOutSaysNothing(t *testing.T) {
	edge := boundTo("a", "istio-system/edge")
	mesh := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - corsPolicy: {allowOrigins: [{prefix: "https://app.example.com"}]}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /x}}]
    route: [{destination: {host: reviews}}]
`
	res := loadFor(t, Selection{Gateway: "istio-system/edge"}, edge, mesh)
	for _, n := range res.Notes {
		if strings.Contains(n, "shop/b") && !strings.Contains(n, "is not attached to gateway istio-system/edge: left out") {
			t.Errorf("a note about the VirtualService left out: %q", n)
		}
	}
	r, err := convertFor(t, Selection{Gateway: "mesh"}, edge, mesh)
	if err != nil || !hasLine(r.Notes, `VirtualService shop/b http[0] takes every request: Istio ignores the routes after it`) ||
		!hasLine(r.Refusals, `VirtualService shop/b http[0]: origin prefix "https://app.example.com"`) {
		t.Errorf("for the mesh: %v, notes %q, refusals %q", err, r.Notes, r.Refusals)
	}
}
