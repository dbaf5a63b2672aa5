package convert

import (
	"strings"
	"testing"
)

// routeIn is edgeRoute in namespace ns ("" for none).
func routeIn(ns, name, parentRef, hostnames string, cors bool) string {
	r := edgeRoute(name, parentRef, hostnames, "{type: PathPrefix, value: /}", cors)
	if ns == "" {
		return strings.Replace(r, ", namespace: infra}", "}", 1)
	}
	return strings.Replace(r, "namespace: infra}", "namespace: "+ns+"}", 1)
}

// A listener takes the HTTPRoutes its allowedRoutes admit, by namespace
// (default Same) and kind (Listener.AllowedRoutes in apis/v1/
// gateway_types.go; ListenerContext.AllowsNamespace and AllowsKind in
// Envoy Gateway's internal/gatewayapi/contexts.go): a route it does not
// admit applies nowhere there; one it may admit, which the files do not
// show (a namespace selector), converts only where no other route shares
// its hostnames.
func TestGatewayAllowedRoutes(t *testing.T) {
	site := routeIn("infra", "site", "{name: edge}", "[api.example.com]", false)
	evil := routeIn("apps", "evil", "{name: edge, namespace: infra}", "[api.example.com]", true)
	evilOwnHost := routeIn("apps", "evil", "{name: edge, namespace: infra}", "[evil.example.com]", true)
	ask := req{host: "api.example.com", origin: "https://evil.example"}
	for _, c := range []struct {
		desc     string
		listener string
		want     string
	}{
		{"default: Same", `{name: http, port: 80, protocol: HTTP}`, "none"},
		{"Same", `{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}`, "none"},
		{"All", `{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}`, "allowed"},
		{"All, other kinds", `{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}]}}`, "none"},
		{"All, HTTPRoute of another group", `{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{group: example.com, kind: HTTPRoute}]}}`, "none"},
		{"All, HTTPRoute", `{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}, {group: gateway.networking.k8s.io, kind: HTTPRoute}]}}`, "allowed"},
	} {
		p, r := convertAll(t, edgeGateway(c.listener), site, evil)
		check(t, p, c.desc, ask, c.want, nil)
		if c.want == "none" && !hasLine(r.Notes, "HTTPRoute apps/evil: listener http of Gateway infra/edge takes", "it is not attached there (NotAllowedByListeners)") {
			t.Errorf("%s: notes %q", c.desc, r.Notes)
		}
	}

	// A listener per namespace rule on one port: the route takes the
	// hostname of the listener that admits it alone.
	two := edgeGateway(`{name: own, hostname: own.example.com, port: 80, protocol: HTTP}`,
		`{name: shared, hostname: shared.example.com, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}`)
	anyHost := routeIn("apps", "evil", "{name: edge, namespace: infra}", "", true)
	p, _ := convertAll(t, two, anyHost)
	check(t, p, "the listener that admits it", req{host: "shared.example.com", origin: "https://evil.example"}, "allowed", nil)
	check(t, p, "the listener that does not", req{host: "own.example.com", origin: "https://evil.example"}, "none", nil)

	// A namespace selector: the namespaces' labels are not in the files.
	selector := edgeGateway(`{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {edge: "yes"}}}}}`)
	if r := convertRaw(t, selector, site, evil); !hasLine(r.Refusals, `HTTPRoute apps/evil may not be attached to parent "infra/edge" port 80 (listeners http): listener http of Gateway infra/edge takes routes from the namespaces its allowedRoutes.namespaces.selector selects, whose labels the files do not show; it shares hostname api.example.com with HTTPRoute infra/site (api.example.com) there`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// … which changes nothing for a hostname no other route has: if the
	// route is not attached, its requests reach Envoy's own 404.
	p, _ = convertAll(t, selector, site, evilOwnHost)
	check(t, p, "a selector, a hostname of its own", req{host: "evil.example.com", origin: "https://evil.example"}, "allowed", nil)
	check(t, p, "a selector, another route's hostname", ask, "none", nil)

	// A route document without a namespace.
	noNamespace := routeIn("", "evil", "{name: edge, namespace: infra}", "[api.example.com]", true)
	if r := convertRaw(t, edgeGateway(`{name: http, port: 80, protocol: HTTP}`), site, noNamespace); !hasLine(r.Refusals, `HTTPRoute evil may not be attached to parent "infra/edge" port 80 (listeners http): its document has no namespace`, `give the route's namespace`) {
		t.Errorf("refusals %q", r.Refusals)
	}

	if _, err := Convert(Input{Name: "gw.yaml", Data: []byte(edgeGateway(`{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: None}}}`))}); err == nil || !strings.Contains(err.Error(), `Gateway infra/edge listener http: allowedRoutes.namespaces.from "None" is not All, Same or Selector`) {
		t.Errorf("error %v", err)
	}
}

// Without the Gateway, a route in another namespace than its parentRef's
// Gateway may not be attached (allowedRoutes default to Same): refused
// where another route shares its hostnames, converted elsewhere.
func TestGatewayAllowedRoutesUnknown(t *testing.T) {
	site := routeIn("infra", "site", "{name: edge}", "[api.example.com]", false)
	evil := routeIn("apps", "evil", "{name: edge, namespace: infra}", "[api.example.com]", true)
	if r := convertRaw(t, site, evil); !hasLine(r.Refusals, `HTTPRoute apps/evil may not be attached to parent "infra/edge": Gateway infra/edge, which the input does not hold, takes routes from its own namespace alone unless its listeners' allowedRoutes say otherwise: add it to the input (kubectl get gateway -n infra edge -o yaml); it shares hostname api.example.com with HTTPRoute infra/site (api.example.com) there`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	everyHost := routeIn("apps", "evil", "{name: edge, namespace: infra}", "", true)
	if r := convertRaw(t, site, everyHost); !hasLine(r.Refusals, `HTTPRoute apps/evil may not be attached to parent "infra/edge"`, `it shares hostname every host with HTTPRoute infra/site (api.example.com)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Its own hostname, or the same namespace, convert.
	own := routeIn("apps", "evil", "{name: edge, namespace: infra}", "[evil.example.com]", true)
	p, _ := convertAll(t, site, own)
	check(t, p, "another namespace, a hostname of its own", req{host: "evil.example.com", origin: "https://evil.example"}, "allowed", nil)
	sameNamespace := routeIn("infra", "evil", "{name: edge}", "[api.example.com]", true)
	p, _ = convertAll(t, site, sameNamespace) // infra/evil before infra/site, by name
	check(t, p, "the Gateway's namespace", req{host: "api.example.com", origin: "https://evil.example"}, "allowed", nil)
}
