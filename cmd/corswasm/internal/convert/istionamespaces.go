package convert

import (
	"slices"
	"strings"
)

// A server of an Istio Gateway may name a host for the VirtualServices of
// one namespace alone (NAMESPACE/HOST; host.NamesForNamespace in
// pilot/pkg/networking/core/gateway.go keeps, for a VirtualService, the
// server hosts of its namespace or "*"): the host's virtual host then has
// the routes of that namespace's VirtualServices, not the others'. So
// without the Gateway, VirtualServices of several namespaces that share a
// host convert with their hosts as written only where every set of them a
// server could give the host decides each request it routes as all of
// them together; a request that set routes nowhere gets Envoy's 404,
// which is left alone as a host no server names is (see ports.go).

// maxNamespaceChoices bounds the sets of VirtualServices checked for one
// host (three choices per namespace: see namespaceChoices); beyond, the
// conversion is refused rather than checked in part.
const maxNamespaceChoices = 729

// namespacesAgree refuses host h of vh (exact: the VirtualServices that
// name h, covering: those too whose wildcard covers it) when the Gateway
// gw is not in the files and a server naming h for some namespaces only
// would give a request it routes there other CORS handling than the
// conversion, which gives h the routes of exact.
func (c *converter) namespacesAgree(gw string, vh *vhost, h string, exact, covering []*vhost) bool {
	var namespaces []string
	for _, o := range covering {
		if !slices.Contains(namespaces, o.namespace) {
			namespaces = append(namespaces, o.namespace)
		}
	}
	if len(namespaces) < 2 {
		return true
	}
	choices, ok := namespaceChoices(namespaces, exact, covering)
	if !ok {
		c.refuse("%s, host %s: Gateway %s is not in the files, and VirtualServices of %d namespaces share the host, too many to check which of them a server naming it for some namespaces (NAMESPACE/HOST) would route: give the Gateway's document with the VirtualServices", vh.from, h, gw, len(namespaces))
		return false
	}
	want := mergedScopes(exact)
	for _, got := range choices {
		if !decidesAsIn(mergedScopes(got), want) {
			c.refuse("%s, host %s: Gateway %s is not in the files, and VirtualServices of namespaces %s share the host: a server host NAMESPACE/%s gives it the routes of that namespace's VirtualServices alone (host.NamesForNamespace in buildGatewayHTTPRouteConfig), and the routes of %s decide some request there otherwise than those of %s: give the Gateway's document with the VirtualServices", vh.from, h, gw, strings.Join(namespaces, ", "), h, joinFrom(got), joinFrom(exact))
			return false
		}
	}
	return true
}

// namespaceChoices returns each non-empty set of VirtualServices a
// server could give host h, in covering's order: for each namespace,
// none of its VirtualServices (no server host of that namespace takes
// h), those naming h (a server host naming h exactly is narrower than a
// covering wildcard, whose virtual host then loses requests to h), or
// every one covering h (a server host that is a wildcard covering h).
// false when there are more than maxNamespaceChoices.
func namespaceChoices(namespaces []string, exact, covering []*vhost) ([][]*vhost, bool) {
	n := 1
	for range namespaces {
		if n *= 3; n > maxNamespaceChoices {
			return nil, false
		}
	}
	var out [][]*vhost
	for combo := 1; combo < n; combo++ {
		var set []*vhost
		choice := combo
		picked := make(map[string]int, len(namespaces))
		for _, ns := range namespaces {
			picked[ns] = choice % 3
			choice /= 3
		}
		for _, o := range covering {
			switch picked[o.namespace] {
			case 1:
				if slices.Contains(exact, o) {
					set = append(set, o)
				}
			case 2:
				set = append(set, o)
			}
		}
		if len(set) > 0 {
			out = append(out, set)
		}
	}
	return out, true
}
