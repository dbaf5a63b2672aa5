package convert

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// An HTTPRoute's parentRef attaches it to a Gateway's listeners
// (ParentReference in apis/v1/shared_types.go): with a sectionName, to the
// listener of that name; with a port, to every listener on that port; with
// both, to the named listener when it is on that port; with neither, to
// every listener. Which listener is on which port is in the Gateway: read
// from the input when it has the Gateway, when a parentRef names a port.
// A parentRef of another kind (a Service, for the mesh) is its own
// parent, KIND:NAMESPACE/NAME.

// parentRef is one of an HTTPRoute's parentRefs.
type parentRef struct {
	// name is NAMESPACE/NAME, or KIND:NAMESPACE/NAME for another kind
	// than Gateway.
	name          string
	section, port string
}

// gatewayListener is a listener of a Gateway in the input: its name,
// port, hostname in lower case ("" for every host), and which HTTPRoutes
// it takes (see admits).
type gatewayListener struct {
	name, port, hostname string
	// from is its allowedRoutes.namespaces.from ("Same" when unset);
	// httpRoutes is false when its allowedRoutes.kinds leave out
	// HTTPRoute.
	from       gatewayv1.FromNamespaces
	httpRoutes bool
}

// readParentRefs reads an HTTPRoute's parentRefs; none is the parent "".
func readParentRefs(namespace string, refs []gatewayv1.ParentReference) []parentRef {
	if len(refs) == 0 {
		return []parentRef{{}}
	}
	var out []parentRef
	for _, r := range refs {
		ns := namespace
		if r.Namespace != nil {
			ns = string(*r.Namespace)
		}
		ref := parentRef{name: ns + "/" + string(r.Name)}
		if r.Kind != nil && *r.Kind != "Gateway" {
			ref.name = string(*r.Kind) + ":" + ref.name
		}
		if r.SectionName != nil {
			ref.section = string(*r.SectionName)
		}
		if r.Port != nil {
			ref.port = strconv.Itoa(int(*r.Port))
		}
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

// readGateway reads the listeners of a Gateway API Gateway: those that
// take HTTPRoutes (HTTP and HTTPS).
func (c *converter) readGateway(js []byte) error {
	var gw gatewayv1.Gateway
	if err := json.Unmarshal(js, &gw); err != nil {
		return fmt.Errorf("not a valid gateway.networking.k8s.io/v1 Gateway: %w", err)
	}
	id := gw.Namespace + "/" + gw.Name
	c.gateways[id] = []gatewayListener{}
	for _, l := range gw.Spec.Listeners {
		if l.Protocol == gatewayv1.HTTPProtocolType || l.Protocol == gatewayv1.HTTPSProtocolType {
			gl := gatewayListener{name: string(l.Name), port: strconv.Itoa(int(l.Port)), from: gatewayv1.NamespacesFromSame, httpRoutes: true}
			if l.Hostname != nil {
				gl.hostname = strings.ToLower(string(*l.Hostname))
			}
			if a := l.AllowedRoutes; a != nil {
				if a.Namespaces != nil && a.Namespaces.From != nil {
					gl.from = *a.Namespaces.From
				}
				gl.httpRoutes = len(a.Kinds) == 0 || slices.ContainsFunc(a.Kinds, takesHTTPRoutes)
			}
			switch gl.from {
			case gatewayv1.NamespacesFromAll, gatewayv1.NamespacesFromSame, gatewayv1.NamespacesFromSelector:
			default:
				return fmt.Errorf("Gateway %s listener %s: allowedRoutes.namespaces.from %q is not All, Same or Selector", id, gl.name, gl.from)
			}
			c.gateways[id] = append(c.gateways[id], gl)
		}
	}
	return nil
}

// attachRoutes gives each HTTPRoute its parents: with the Gateway in the
// input, the listeners its parentRefs attach it to; otherwise the
// Gateway ("" part: each of its listeners), its listener by sectionName,
// or its listeners on a port. Without the Gateway, a parentRef by port
// beside other parentRefs of that Gateway is refused: which routes apply
// together depends on which listeners are on the port.
func (c *converter) attachRoutes() {
	unknown := make(map[string][]parentRef) // the distinct parentRefs of each Gateway not in the input
	var order []string
	byPort := make(map[string][]string) // … and the routes attached by a port
	for i := range c.httpRoutes {
		r := &c.httpRoutes[i]
		r.parents, r.listenerHosts, r.uncertain = nil, nil, nil
		for _, ref := range r.refs {
			listeners, known := c.gateways[ref.name]
			if known {
				for _, l := range listeners {
					if (ref.section == "" || ref.section == l.name) && (ref.port == "" || ref.port == l.port) {
						c.attachToListener(r, ref.name, l, listeners)
					}
				}
				continue
			}
			p := parent{kind: "parent", name: ref.name}
			switch {
			case ref.section != "":
				p.part = "section " + ref.section
			case ref.port != "":
				p.part = "port " + ref.port
			}
			r.addParent(p)
			if why := unknownGatewayAdmits(ref.name, r.namespace); why != "" && ref.name != "" && !strings.Contains(ref.name, ":") {
				r.mayAttach(p, r.hostsOn(p), why)
			}
			if unknown[ref.name] == nil {
				order = append(order, ref.name)
			}
			if !slices.Contains(unknown[ref.name], ref) {
				unknown[ref.name] = append(unknown[ref.name], ref)
			}
			if ref.port != "" {
				byPort[ref.name] = append(byPort[ref.name], fmt.Sprintf("HTTPRoute %s (port %s)", r.id, ref.port))
			}
		}
		if len(r.parents) == 0 {
			c.note("HTTPRoute %s: its parentRefs name no HTTP or HTTPS listener of their Gateway that takes it and whose hostname it shares: it takes no request: left out", r.id)
		}
	}
	for _, name := range order {
		refs := unknown[name]
		if len(byPort[name]) == 0 || len(refs) == 1 && refs[0].section == "" {
			continue
		}
		ns, gw, _ := strings.Cut(name, "/")
		c.refuse("%s attached to the listeners of Gateway %s on a port (parentRefs port), and other parentRefs name that Gateway: which routes apply together depends on which of its listeners are on that port, which the Gateway says: add it to the input (kubectl get gateway -n %s %s -o yaml) and convert for one of its listeners (--parent %s/LISTENER)",
			strings.Join(slices.Compact(byPort[name]), " and "), name, ns, gw, name)
	}
}

func (r *httpRouteMatches) addParent(p parent) {
	if !slices.Contains(r.parents, p) {
		r.parents = append(r.parents, p)
	}
}

// selectParent reports whether --parent NAMESPACE/NAME[/SECTION] names
// the Gateway API parent p, and the parent it stands for: with a section,
// the routes attached to the whole Gateway are attached to that listener.
func selectParent(sel string, p parent) (parent, bool) {
	if p.name == sel {
		return p, true
	}
	section, ok := strings.CutPrefix(sel, p.name+"/")
	if !ok || strings.Contains(section, "/") {
		return p, false
	}
	if p.listeners != "" {
		return p, slices.Contains(strings.Split(p.listeners, ", "), section)
	}
	want := parent{kind: p.kind, name: p.name, part: "section " + section}
	return want, p.part == "" || p == want
}
