package convert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// edgeGateway is Gateway infra/edge with the given listeners (flow
// mappings).
func edgeGateway(listeners ...string) string { return gatewayDoc("infra", "edge", listeners...) }

// gatewayDoc is a Gateway with the given listeners (flow mappings).
func gatewayDoc(namespace, name string, listeners ...string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  gatewayClassName: eg
  listeners:
  - ` + strings.Join(listeners, "\n  - ") + "\n"
}

// edgeRoute is HTTPRoute infra/<name> attached to Gateway infra/edge by
// parentRef, with the given hostnames (a YAML flow list, "" for none) and
// one rule matching path, allowing https://<name>.example with
// credentials when cors is true.
func edgeRoute(name, parentRef, hostnames, path string, cors bool) string {
	filters := ""
	if cors {
		filters = `filters: [{type: CORS, cors: {allowOrigins: ["https://` + name + `.example"], allowCredentials: true}}], `
	}
	if hostnames != "" {
		hostnames = "  hostnames: " + hostnames + "\n"
	}
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: %s, namespace: infra}
spec:
  parentRefs: [%s]
%s  rules: [{matches: [{path: %s}], %sbackendRefs: [{name: %s, port: 8080}]}]
`, name, parentRef, hostnames, path, filters, name)
}

// A listener's hostname narrows the hostnames of the routes attached to
// it, and a route without hostnames takes the listener's (HTTPRouteSpec.
// Hostnames; computeHosts in Envoy Gateway's internal/gatewayapi/
// helpers.go); the listeners on one port share a connection manager, so
// they are converted together, and the routes a listener narrows to one
// hostname share one virtual host.
func TestGatewayListenerHostnames(t *testing.T) {
	portAB := edgeGateway(`{name: a, hostname: a.example.com, port: 80, protocol: HTTP}`, `{name: b, hostname: b.example.com, port: 80, protocol: HTTP}`)
	ra := edgeRoute("ra", "{name: edge, sectionName: a}", "", "{type: PathPrefix, value: /}", true)
	rb := edgeRoute("rb", "{name: edge, sectionName: b}", "", "{type: PathPrefix, value: /}", false)
	for _, sel := range []Selection{{}, {Parent: "infra/edge/a"}, {Parent: "infra/edge/b"}, {Parent: "infra/edge"}} {
		p := load(t, loadFor(t, sel, portAB, ra, rb))
		what := fmt.Sprintf("two listeners on one port, %+v", sel)
		check(t, p, what, req{host: "a.example.com", origin: "https://ra.example"}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
		check(t, p, what, req{host: "b.example.com", origin: "https://ra.example"}, "none", nil)
		check(t, p, what, req{host: "c.example.com", origin: "https://ra.example"}, "none", nil)
	}

	// A route without hostnames and one with the listener's share its
	// virtual host: the exact path of the first takes /admin.
	api := edgeGateway(`{name: api, hostname: api.example.com, port: 443, protocol: HTTPS}`)
	admin := edgeRoute("admin", "{name: edge}", "", "{type: Exact, value: /admin}", false)
	site := edgeRoute("site", "{name: edge}", "[api.example.com]", "{type: PathPrefix, value: /}", true)
	p := load(t, loadFor(t, Selection{}, api, admin, site))
	check(t, p, "a route without hostnames", req{host: "api.example.com", path: "/admin", origin: "https://site.example"}, "none", nil)
	check(t, p, "a route without hostnames", req{host: "api.example.com", path: "/x", origin: "https://site.example"}, "allowed", nil)

	// A wildcard hostname is narrowed to the listener's; a hostname
	// outside it takes nothing there.
	wild := edgeRoute("wild", "{name: edge}", `["*.example.com", other.example.org]`, "{type: PathPrefix, value: /}", true)
	res := loadFor(t, Selection{}, api, wild)
	p = load(t, res)
	check(t, p, "a wildcard narrowed", req{host: "api.example.com", origin: "https://wild.example"}, "allowed", nil)
	check(t, p, "a wildcard narrowed", req{host: "www.example.com", origin: "https://wild.example"}, "none", nil)
	check(t, p, "a hostname outside the listener's", req{host: "other.example.org", origin: "https://wild.example"}, "none", nil)
	outside := edgeRoute("outside", "{name: edge}", "[other.example.org]", "{type: PathPrefix, value: /}", true)
	res = loadFor(t, Selection{}, api, outside, site)
	if !hasLine(res.Notes, `HTTPRoute infra/outside: none of its hostnames (other.example.org) is within the hostname api.example.com of listener api of Gateway infra/edge: it takes no request there`) {
		t.Errorf("notes %q", res.Notes)
	}
	check(t, load(t, res), "a route outside the listener's hostname", req{host: "other.example.org", origin: "https://outside.example"}, "none", nil)

	// A more specific listener on the port takes its hostname's requests
	// from a wildcard listener's routes.
	wildAndA := edgeGateway(`{name: w, hostname: "*.example.com", port: 443, protocol: HTTPS}`, `{name: a, hostname: a.example.com, port: 443, protocol: HTTPS}`)
	onW := edgeRoute("onw", "{name: edge, sectionName: w}", "", "{type: PathPrefix, value: /}", true)
	onA := edgeRoute("ona", "{name: edge, sectionName: a}", "", "{type: PathPrefix, value: /}", false)
	p = load(t, loadFor(t, Selection{}, wildAndA, onW, onA))
	check(t, p, "the wildcard listener", req{host: "x.example.com", origin: "https://onw.example"}, "allowed", nil)
	check(t, p, "the more specific listener", req{host: "a.example.com", origin: "https://onw.example"}, "none", nil)
	// … which the implementations do not agree on for a route of the
	// wildcard listener naming that hostname.
	named := edgeRoute("named", "{name: edge, sectionName: w}", "[a.example.com]", "{type: PathPrefix, value: /}", true)
	if r := convertRaw(t, wildAndA, named, onA); !hasLine(r.Refusals, `HTTPRoute infra/named, attached to listener w of Gateway infra/edge, has hostname a.example.com, which listener a on the same port takes with its more specific hostname a.example.com`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// … but not for another port.
	withC := edgeGateway(`{name: w, hostname: "*.example.com", port: 443, protocol: HTTPS}`, `{name: a, hostname: a.example.com, port: 443, protocol: HTTPS}`,
		`{name: c, port: 8080, protocol: HTTP}`)
	onC := edgeRoute("onc", "{name: edge, sectionName: c}", "", "{type: PathPrefix, value: /}", true)
	p = load(t, loadFor(t, Selection{Parent: "infra/edge/c"}, withC, named, onA, onC))
	check(t, p, "another port", req{host: "a.example.com", origin: "https://onc.example"}, "allowed", nil)

	// Listeners on other ports are other connection managers: converted
	// one port at a time where they differ.
	twoPorts := edgeGateway(`{name: a, hostname: a.example.com, port: 80, protocol: HTTP}`, `{name: b, hostname: b.example.com, port: 80, protocol: HTTP}`,
		`{name: c, port: 8080, protocol: HTTP}`)
	rc := edgeRoute("rc", "{name: edge, sectionName: c}", "", "{type: PathPrefix, value: /}", false)
	if r := convertRaw(t, twoPorts, ra, rb, rc); !hasLine(r.Refusals, `the configurations for parent "infra/edge" port 80 (listeners a, b) and for parent "infra/edge" port 8080 (listeners c) differ`, `(--parent infra/edge/a, --parent infra/edge/c)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	res = loadFor(t, Selection{Parent: "infra/edge/b"}, twoPorts, ra, rb, rc)
	check(t, load(t, res), "port 80 by listener b", req{host: "a.example.com", origin: "https://ra.example"}, "allowed", nil)
	if !hasLine(res.Notes, `the configuration is for parent "infra/edge" port 80 (listeners a, b): run the plugin on that port alone`, `listeners on port 8080 route otherwise`) {
		t.Errorf("notes %q", res.Notes)
	}
}

// Without the Gateway, its listeners' hostnames are unknown: routes whose
// hostnames are one within the other may share a virtual host or not,
// and are refused; the same hostnames, or unrelated ones, convert.
func TestGatewayListenersUnknown(t *testing.T) {
	admin := edgeRoute("admin", "{name: edge}", "", "{type: Exact, value: /admin}", false)
	site := edgeRoute("site", "{name: edge}", "[api.example.com]", "{type: PathPrefix, value: /}", true)
	var p *engine.Policy
	if r := convertRaw(t, admin, site); !hasLine(r.Refusals, `HTTPRoutes infra/admin (*) and infra/site (api.example.com) are attached to Gateway infra/edge, which the input does not hold`,
		`add the Gateway to the input (kubectl get gateway -n infra edge -o yaml)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// One listener's routes: its hostname, and the other listeners on
	// its port, decide which hosts they take.
	ra := edgeRoute("ra", "{name: edge, sectionName: a}", "", "{type: PathPrefix, value: /}", true)
	rb := edgeRoute("rb", "{name: edge, sectionName: b}", "", "{type: PathPrefix, value: /}", false)
	if r := convertRaw(t, ra); !hasLine(r.Refusals, `HTTPRoute infra/ra is attached to parent "infra/edge" section a without hostnames, which the listener's hostname narrows`, `add it to the input (kubectl get gateway -n infra edge -o yaml)`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	res, err := convertFor(t, Selection{Parent: "infra/edge/a"}, ra, rb)
	if err != nil || !hasLine(res.Refusals, `HTTPRoute infra/rb is attached to parent "infra/edge" section b, and the conversion is for infra/edge/a`) {
		t.Errorf("%v, refusals %q", err, res.Refusals)
	}
	wild := edgeRoute("wild", "{name: edge, sectionName: a}", `["*.example.com"]`, "{type: PathPrefix, value: /}", true)
	if r := convertRaw(t, wild); !hasLine(r.Refusals, `HTTPRoute infra/wild is attached to parent "infra/edge" section a with hostnames *.example.com, which the listener's hostname narrows`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	// Exact hostnames stay within themselves whatever the listener.
	p = load(t, loadFor(t, Selection{}, edgeRoute("exact", "{name: edge, sectionName: a}", "[a.example.com]", "{type: PathPrefix, value: /}", true)))
	check(t, p, "exact hostnames on one listener", req{host: "a.example.com", origin: "https://exact.example"}, "allowed", nil)
	check(t, p, "exact hostnames on one listener", req{host: "b.example.com", origin: "https://exact.example"}, "none", nil)

	same := edgeRoute("same", "{name: edge}", "[api.example.com]", "{type: Exact, value: /admin}", false)
	other := edgeRoute("other", "{name: edge}", "[www.example.com]", "{type: PathPrefix, value: /}", false)
	p = load(t, loadFor(t, Selection{}, same, site, other))
	check(t, p, "the same hostname", req{host: "api.example.com", path: "/admin", origin: "https://site.example"}, "none", nil)
	check(t, p, "the same hostname", req{host: "api.example.com", path: "/x", origin: "https://site.example"}, "allowed", nil)
}
