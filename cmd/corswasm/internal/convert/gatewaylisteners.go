package convert

import (
	"slices"
	"strings"
)

// A Gateway's listener may have a hostname, which narrows the hostnames of
// the HTTPRoutes attached to it: a route without hostnames takes the
// listener's, one with hostnames keeps those within the listener's, a
// wildcard narrowed to the listener's hostname, and takes no request
// there when none is (HTTPRouteSpec.Hostnames in apis/v1/
// httproute_types.go; computeHosts in Envoy Gateway's internal/gatewayapi/
// helpers.go). The routes of one hostname, whichever listener they come
// from, are one virtual host in the Envoy-based implementations, and the
// listeners on one port share a connection manager (and a plugin, which
// runs on the whole gateway, sees them all): a Gateway in the input is
// converted port by port, each port's listeners together, their routes
// narrowed to each listener's hostname. Without the Gateway, its
// listeners' hostnames and ports are unknown: a conversion that depends on
// them is refused (unknownListeners, unknownHostnames).

// attachToListener attaches route r to listener l of Gateway gw (whose
// listeners are all), through the parent that stands for l's port, with
// the hostnames l gives it.
func (c *converter) attachToListener(r *httpRouteMatches, gw string, l gatewayListener, all []gatewayListener) {
	var names []string
	for _, o := range all {
		if o.port == l.port {
			names = append(names, o.name)
		}
	}
	p := parent{kind: "parent", name: gw, part: "port " + l.port, listeners: strings.Join(names, ", ")}
	// What is said here is said when the conversion is for p.
	defer c.about([]parent{p})()
	admission, why := l.admits(gw, r.namespace)
	if admission == turnedAway {
		c.note("HTTPRoute %s: %s: it is not attached there (NotAllowedByListeners), and its rules do not apply there", r.id, why)
		return
	}
	hosts := listenerHostnames(r.hostnames, l.hostname)
	if len(hosts) == 0 {
		c.note("HTTPRoute %s: none of its hostnames (%s) is within the hostname %s of listener %s of Gateway %s: it takes no request there", r.id, strings.Join(r.hostnames, ", "), l.hostname, l.name, gw)
		return
	}
	for _, o := range all {
		if o.port != l.port || o == l || o.hostname == "" || o.hostname == l.hostname {
			continue
		}
		// A more specific listener on the port takes these hosts: the
		// Gateway API gives them its routes alone (listener isolation);
		// Envoy Gateway leaves out only the hostnames equal to another
		// listener's (computeHosts), so that a route's more specific
		// hostname still takes them.
		for _, h := range hosts {
			if covers(o.hostname, h) && (l.hostname == "" || covers(l.hostname, o.hostname)) {
				c.refuse("HTTPRoute %s, attached to listener %s of Gateway %s, has hostname %s, which listener %s on the same port takes with its more specific hostname %s: the implementations differ on which listener's routes take those requests (the Gateway API gives them to %s's alone); attach the route to %s, or give it other hostnames", r.id, l.name, gw, h, o.name, o.hostname, o.name, o.name)
			}
		}
	}
	r.addParent(p)
	if r.listenerHosts == nil {
		r.listenerHosts = make(map[parent][]string)
	}
	var uncertain []string
	for _, h := range hosts {
		_, wasUncertain := r.uncertain[p][h]
		known := slices.Contains(r.listenerHosts[p], h)
		switch {
		case admission == admitted:
			delete(r.uncertain[p], h)
		case !known || wasUncertain:
			uncertain = append(uncertain, h)
		}
		if !known {
			r.listenerHosts[p] = append(r.listenerHosts[p], h)
		}
	}
	if len(uncertain) > 0 {
		r.mayAttach(p, uncertain, why)
	}
}

// listenerHostnames returns the hostnames a route with hostnames takes on
// a listener with hostname listener ("": every host), as computeHosts
// does: the route's within the listener's, a wildcard of the route's that
// takes the listener's hostname narrowed to it, the listener's for a route
// without hostnames; "*" when neither has any.
func listenerHostnames(hostnames []string, listener string) []string {
	switch {
	case len(hostnames) == 0 && listener == "":
		return []string{"*"}
	case len(hostnames) == 0:
		return []string{listener}
	case listener == "":
		return hostnames
	}
	return narrowerOfPairs(hostnames, []string{listener}, within)
}

// hostsOn returns the hostnames route r takes on parent p: those its
// listeners give it, or its own (every host when it has none).
func (r *httpRouteMatches) hostsOn(p parent) []string {
	if h, ok := r.listenerHosts[p]; ok {
		return h
	}
	if len(r.hostnames) == 0 {
		return []string{"*"}
	}
	return r.hostnames
}

// unknownGateway reports whether p is a Gateway the input does not hold.
func (c *converter) unknownGateway(p parent) bool {
	_, known := c.gateways[p.name]
	return p.kind == "parent" && p.name != "" && !strings.Contains(p.name, ":") && !known
}

// unknownListeners refuses a selection of one listener (or port) of a
// Gateway the input does not hold while the input attaches routes to its
// other listeners: those may share the selected listener's port, and
// connection manager, and which hostnames each takes the Gateway says.
func (c *converter) unknownListeners(sel string, chosen func(parent) bool) {
	for _, r := range c.httpRoutes {
		for _, p := range r.parents {
			if c.unknownGateway(p) && p.part != "" && strings.HasPrefix(sel, p.name+"/") && !chosen(p) {
				ns, gw, _ := strings.Cut(p.name, "/")
				c.refuse("HTTPRoute %s is attached to %s, and the conversion is for %s: listeners on one port share a connection manager, and a listener's hostname narrows its routes' hostnames, which the Gateway %s says: add it to the input (kubectl get gateway -n %s %s -o yaml)", r.id, p, sel, p.name, ns, gw)
			}
		}
	}
}

// unknownHostnames refuses what the hostnames of the listeners of parent
// p, a Gateway the input does not hold, decide: HTTPRoutes with hostnames
// one within the other (api.example.com, and *.example.com or none),
// since a listener whose hostname is the narrower one gives both routes
// that hostname, and the implementations put their rules in one virtual
// host, while converted apart the narrower one's rules hide the others';
// and, for one listener (or port), a route without hostnames or with a
// wildcard, which the listener's hostname narrows, the other listeners
// on its port taking the rest.
func (c *converter) unknownHostnames(routes []*httpRouteMatches, p parent) {
	if !c.unknownGateway(p) {
		return
	}
	ns, gw, _ := strings.Cut(p.name, "/")
	for _, r := range routes {
		if p.part != "" && slices.ContainsFunc(r.hostsOn(p), func(h string) bool { return strings.HasPrefix(h, "*") }) {
			what := "without hostnames"
			if len(r.hostnames) > 0 {
				what = "with hostnames " + strings.Join(r.hostnames, ", ")
			}
			c.refuse("HTTPRoute %s is attached to %s %s, which the listener's hostname narrows (a route without hostnames takes the listener's), the other listeners on its port taking the rest: which they are, the Gateway %s says: add it to the input (kubectl get gateway -n %s %s -o yaml)", r.id, p, what, p.name, ns, gw)
		}
	}
	for i, a := range routes {
		for _, b := range routes[i+1:] {
			for _, x := range a.hostsOn(p) {
				for _, y := range b.hostsOn(p) {
					if x != y && (covers(x, y) || covers(y, x)) {
						c.refuse("HTTPRoutes %s (%s) and %s (%s) are attached to Gateway %s, which the input does not hold: a listener's hostname narrows its routes' hostnames, and where it is within both, the implementations put both routes' rules in one virtual host, while without it the more specific hostname's rules hide the others'; add the Gateway to the input (kubectl get gateway -n %s %s -o yaml)", a.id, x, b.id, y, p.name, ns, gw)
						return
					}
				}
			}
		}
	}
}

// otherPorts says, of a conversion for one port of a Gateway in the
// input, where to run the plugin: on that port alone, since its listeners
// on other ports route otherwise.
func (c *converter) otherPorts() {
	for _, p := range c.parents() {
		if p.kind != "parent" || p.listeners == "" {
			continue
		}
		var others []string
		for _, l := range c.gateways[p.name] {
			if "port "+l.port != p.part && !slices.Contains(others, l.port) {
				others = append(others, l.port)
			}
		}
		if len(others) > 0 {
			c.note("the configuration is for %s: run the plugin on that port alone (a WasmPlugin's match.ports, or a policy on those listeners), since the Gateway's listeners on port %s route otherwise", p, strings.Join(others, ", "))
		}
	}
}
