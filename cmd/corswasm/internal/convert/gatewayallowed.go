package convert

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// A Gateway's listener takes the HTTPRoutes its allowedRoutes admit
// (Listener.AllowedRoutes in apis/v1/gateway_types.go, default
// {namespaces: {from: Same}}): from the Gateway's namespace alone (Same),
// from every namespace (All), or from the namespaces a label selector
// selects (Selector), and of the kinds allowedRoutes.kinds lists (every
// kind its protocol carries when empty). A route the listener does not
// admit is not attached to it (NotAllowedByListeners), so none of its
// rules apply there (ListenerContext.AllowsNamespace and AllowsKind in
// Envoy Gateway's internal/gatewayapi/contexts.go). Namespace labels are
// not in the files, and without the Gateway neither are its listeners'
// allowedRoutes: a route whose attachment is then unknown is converted as
// attached where that changes no request's CORS handling (no other route
// of the parent shares a hostname with it: if it is not attached, its
// hostnames reach Envoy's own 404, see ports.go), and refused elsewhere.

// admission is whether a listener takes an HTTPRoute.
type admission int

const (
	admitted admission = iota
	turnedAway
	mayAdmit // unknown from the files
)

// takesHTTPRoutes reports whether an allowedRoutes.kinds entry is
// HTTPRoute (RouteGroupKind.Group defaults to gateway.networking.k8s.io).
func takesHTTPRoutes(k gatewayv1.RouteGroupKind) bool {
	group := gatewayv1.GroupName
	if k.Group != nil {
		group = string(*k.Group)
	}
	return k.Kind == "HTTPRoute" && group == gatewayv1.GroupName
}

// admits reports whether listener l of Gateway gw (NAMESPACE/NAME) takes
// an HTTPRoute of namespace ns ("": the document gives none), and why not
// or why that is unknown.
func (l gatewayListener) admits(gw, ns string) (admission, string) {
	gwNamespace, _, _ := strings.Cut(gw, "/")
	switch {
	case !l.httpRoutes:
		return turnedAway, fmt.Sprintf("listener %s of Gateway %s takes other kinds of routes (allowedRoutes.kinds)", l.name, gw)
	case l.from == gatewayv1.NamespacesFromAll || ns == gwNamespace && l.from == gatewayv1.NamespacesFromSame:
		return admitted, ""
	case l.from == gatewayv1.NamespacesFromSelector:
		return mayAdmit, fmt.Sprintf("listener %s of Gateway %s takes routes from the namespaces its allowedRoutes.namespaces.selector selects, whose labels the files do not show", l.name, gw)
	case ns == "":
		return mayAdmit, fmt.Sprintf("its document has no namespace, and listener %s of Gateway %s takes routes from namespace %s alone (allowedRoutes.namespaces.from: Same): give the route's namespace", l.name, gw, gwNamespace)
	}
	return turnedAway, fmt.Sprintf("listener %s of Gateway %s takes routes from namespace %s alone (allowedRoutes.namespaces.from: Same)", l.name, gw, gwNamespace)
}

// unknownGatewayAdmits says why an HTTPRoute of namespace ns may not be
// attached to Gateway gw, which the input does not hold: its listeners
// take routes from its own namespace unless their allowedRoutes say
// otherwise; "" when the route is in that namespace.
func unknownGatewayAdmits(gw, ns string) string {
	gwNamespace, name, _ := strings.Cut(gw, "/")
	if ns == gwNamespace {
		return ""
	}
	return fmt.Sprintf("Gateway %s, which the input does not hold, takes routes from its own namespace alone unless its listeners' allowedRoutes say otherwise: add it to the input (kubectl get gateway -n %s %s -o yaml)", gw, gwNamespace, name)
}

// mayAttach records that route r's hostnames hosts on parent p are its
// only if the listener takes it, which the files do not show (why).
func (r *httpRouteMatches) mayAttach(p parent, hosts []string, why string) {
	if r.uncertain == nil {
		r.uncertain = make(map[parent]map[string]string)
	}
	if r.uncertain[p] == nil {
		r.uncertain[p] = make(map[string]string)
	}
	for _, h := range hosts {
		r.uncertain[p][h] = why
	}
}

// uncertainOn returns the hostnames route r takes on parent p only if it
// is attached there, by why that is unknown: those of p, or of the whole
// Gateway when p is one of its listeners.
func (r *httpRouteMatches) uncertainOn(p parent) map[string]string {
	if u, ok := r.uncertain[p]; ok {
		return u
	}
	return r.uncertain[parent{kind: p.kind, name: p.name}]
}

// uncertainRoutes refuses a route whose attachment to parent p is unknown
// where another route attached to p shares a hostname with it: whether
// it takes some of those requests, or leaves them to the other, changes
// their CORS handling.
func (c *converter) uncertainRoutes(routes []*httpRouteMatches, p parent) {
	for _, r := range routes {
		uncertain := r.uncertainOn(p)
		for _, h := range slices.Sorted(maps.Keys(uncertain)) {
			for _, o := range routes {
				if o == r {
					continue
				}
				for _, g := range o.hostsOn(p) {
					if h == "*" || g == "*" || hostsOverlap(h, g) {
						c.refuse("HTTPRoute %s may not be attached to %s: %s; it shares hostname %s with HTTPRoute %s (%s) there, whose CORS handling depends on whether it is", r.id, p, uncertain[h], hostOrAny(h), o.id, hostOrAny(g))
					}
				}
			}
		}
	}
}
