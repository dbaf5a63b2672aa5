package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// A corswasm configuration applies alike to every request on the
// listeners its plugin runs on, while the sources attach routes to
// parents, each of which routes only its own requests: an Envoy
// connection manager (a listener's), an Istio gateway (or the mesh's
// sidecars: VirtualService.gateways), a Gateway API Gateway or one of its
// listeners (HTTPRoute.parentRefs, the precedence of routes applying among
// those of one listener). The conversion is done for each parent on its
// own; when the parents' configurations differ, one configuration would
// give some request on one parent the CORS handling of another, so the
// conversion is refused, and Selection converts for one parent.

// parent is what routes are attached to.
type parent struct {
	// kind is "listener" (an Envoy bootstrap's), "route configuration"
	// (one given without its listener), "envoy" (virtual hosts and
	// routes given alone), "gateway" (Istio's, "mesh" for sidecars) or
	// "parent" (a Gateway API parentRef).
	kind string
	// name is the listener's or route configuration's name, or the
	// gateway's or parent's NAMESPACE/NAME ("" for an HTTPRoute without
	// parentRefs).
	name string
	// part is a listener's connection manager when it has several, or a
	// Gateway API listener (sectionName, or port), "" for all of them.
	part string
	// listeners are the names of a Gateway's listeners on the port part
	// names, when the input holds the Gateway (see gatewaylisteners.go).
	listeners string
}

// String names the parent in refusals.
func (p parent) String() string {
	var s string
	switch {
	case p.kind == "gateway" && p.name == "mesh":
		s = "the mesh (sidecars)"
	case p.kind == "parent" && p.name == "":
		s = "no parent (HTTPRoutes without parentRefs)"
	case p.kind == "envoy":
		s = "the virtual hosts and routes given alone"
	default:
		s = fmt.Sprintf("%s %q", p.kind, p.name)
	}
	if p.part != "" {
		s += " " + p.part
	}
	if p.listeners != "" {
		s += " (listeners " + p.listeners + ")"
	}
	return s
}

// flag is the corswasm convert flag that converts for p alone ("" for
// none).
func (p parent) flag() string {
	switch p.kind {
	case "listener":
		if chain, ok := strings.CutPrefix(p.part, chainPart); ok {
			return "--listener " + p.name + "/" + chain
		}
		return "--listener " + p.name
	case "gateway":
		// Gateways converted as one: any of them names them all.
		first, _, _ := strings.Cut(p.name, ", ")
		return "--gateway " + first
	case "parent":
		section, named := strings.CutPrefix(p.part, "section ")
		first, _, _ := strings.Cut(p.listeners, ", ")
		switch {
		case p.name == "":
			return ""
		case first != "":
			return "--parent " + p.name + "/" + first
		case named:
			return "--parent " + p.name + "/" + section
		}
		// The whole Gateway, or its listeners on one port, the only
		// parentRef of that Gateway (see attachRoutes).
		return "--parent " + p.name
	}
	return ""
}

// Selection converts for one parent alone; "" selects every parent of a
// kind.
type Selection struct {
	// Listener is an Envoy bootstrap's listener name, or NAME/CHAIN for
	// one of its filter chains, by name or index ("default" for
	// default_filter_chain).
	Listener string
	// Gateway is an Istio gateway, NAMESPACE/NAME, or "mesh".
	Gateway string
	// Parent is a Gateway API parent, NAMESPACE/NAME of a Gateway, or
	// NAMESPACE/NAME/SECTION for one of its listeners, with the others on
	// its port when the input holds the Gateway (see gatewayparents.go);
	// KIND:NAMESPACE/NAME for another kind.
	Parent string
}

// attached reports whether an HTTPRoute attached to parents takes the
// requests of parent p: a route attached to a whole Gateway takes those
// of each of its listeners.
func attached(parents []parent, p parent) bool {
	return slices.ContainsFunc(parents, func(q parent) bool {
		return q == p || q.kind == p.kind && q.name == p.name && q.part == ""
	})
}

// istioParents returns the gateways a VirtualService is bound to, as
// NAMESPACE/NAME (resolveGateway); "mesh" when it names none
// (VirtualService.gateways).
func istioParents(namespace string, gateways []string) []parent {
	if len(gateways) == 0 {
		return []parent{{kind: "gateway", name: "mesh"}}
	}
	var out []parent
	for _, g := range gateways {
		if p := (parent{kind: "gateway", name: resolveGateway(namespace, g)}); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// resolveGateway writes a VirtualService's gateway as NAMESPACE/NAME, as
// Istio reads it (resolveGatewayName in pilot/pkg/model/
// virtualservice.go): "mesh" alone is the sidecars; "./edge" and a name
// without a dot are in the VirtualService's namespace; a name with a dot
// is the older NAME.NAMESPACE[.svc.cluster.local]. Without a namespace, a
// name without one is kept as written.
func resolveGateway(namespace, g string) string {
	switch name, dotted := strings.CutPrefix(g, "./"); {
	case g == "mesh":
		return g
	case dotted && namespace != "":
		return namespace + "/" + name
	case strings.Contains(g, "/"):
		return g
	case strings.Contains(g, "."):
		name, rest, _ := strings.Cut(g, ".")
		ns, _, _ := strings.Cut(rest, ".")
		return ns + "/" + name
	case namespace != "":
		return namespace + "/" + g
	}
	return g
}

// assembleByParent builds the configuration for the parents the
// selection keeps: the one configuration of them all, refused when they
// differ.
func (c *converter) assembleByParent(sel Selection) (*engine.Config, error) {
	selected, err := c.selectParents(sel)
	if err != nil {
		return nil, err
	}
	c.sayAttached(selected)
	if selected != nil {
		c.otherPorts()
	}
	c.gatewayNotes()
	parents := c.parents()
	if len(parents) <= 1 {
		var p parent
		if len(parents) == 1 {
			p = parents[0]
		}
		for i := range c.vhosts {
			c.vhosts[i] = forParent(c.vhosts[i], p)
		}
		c.istioGatewayHosts(p)
		c.vhosts = append(c.vhosts, c.gatewayVHosts(c.routesOf(p), p)...)
		c.notesOf(parents)
		c.assembling = p
		return c.assemble(), nil
	}
	all := c.vhosts
	var first *engine.Config
	var firstJSON []byte
	var differ []parent
	var each []parentConfig
	for _, p := range parents {
		c.vhosts = nil
		for _, vh := range all {
			if slices.Contains(vh.parents, p) {
				c.vhosts = append(c.vhosts, forParent(vh, p))
			}
		}
		c.istioGatewayHosts(p)
		c.vhosts = append(c.vhosts, c.gatewayVHosts(c.routesOf(p), p)...)
		c.assembling = p
		cfg := c.assemble()
		each = append(each, parentConfig{p, c.vhosts, cfg})
		js, _ := json.Marshal(cfg)
		switch {
		case first == nil:
			first, firstJSON = cfg, js
		case string(js) != string(firstJSON):
			differ = append(differ, p)
		}
	}
	if len(differ) > 0 {
		if w, ok := servingAll(each); ok {
			c.note("the configurations for %s and for %s differ only on hosts that some of them do not route, which those answer 404 themselves (a rule's CORS headers there expose nothing), and give each host they both route the same CORS handling: the configuration for %s, which routes every host the others route, is written", parents[0], joinParents(differ, " and for "), w.parent)
			first, differ = w.cfg, nil
		}
	}
	if len(differ) == 0 {
		c.notesOf(parents)
	}
	if len(differ) > 0 {
		c.refuse("the configurations for %s and for %s differ, and a corswasm configuration applies alike on every listener its plugin runs on: convert for one of them at a time%s",
			parents[0], joinParents(differ, " and for "), flagsOf(parents))
	}
	return first, nil
}

func joinParents(ps []parent, sep string) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, sep)
}

// flagsOf says how to convert for each parent.
func flagsOf(ps []parent) string {
	var flags []string
	for _, p := range ps {
		if f := p.flag(); f != "" && !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	if len(flags) == 0 {
		return " (give their documents separately)"
	}
	return " (" + strings.Join(flags, ", ") + ")"
}

// parents returns the parents of the vhosts and HTTPRoutes read, in
// order.
func (c *converter) parents() []parent {
	var out []parent
	add := func(ps []parent) {
		for _, p := range ps {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	for _, vh := range c.vhosts {
		add(vh.parents)
	}
	for _, r := range c.httpRoutes {
		add(r.parents)
	}
	return out
}

// routesOf returns the HTTPRoutes attached to p; not those attached to
// no listener. A route attached to a whole Gateway takes the requests of
// each of its listeners; beside routes attached to some of them, the
// whole Gateway stands for its other listeners.
func (c *converter) routesOf(p parent) []*httpRouteMatches {
	var out []*httpRouteMatches
	for i := range c.httpRoutes {
		if r := &c.httpRoutes[i]; attached(r.parents, p) {
			out = append(out, r)
		}
	}
	return out
}

// selectParents keeps the vhosts and HTTPRoutes of the parent the
// selection names, and drops the others': a listener's (each of its
// connection managers), a gateway's, or a Gateway API parent's (a
// Gateway's listener, with the routes attached to the whole Gateway). It
// returns whether it keeps a parent, nil when there is no selection.
func (c *converter) selectParents(sel Selection) (func(parent) bool, error) {
	var kind, want string
	var choose func(parent) (parent, bool)
	for _, s := range []struct {
		kind, want string
		choose     func(parent) (parent, bool)
	}{
		{"listener", sel.Listener, func(p parent) (parent, bool) {
			return p, p.name == sel.Listener || p.name+"/"+strings.TrimPrefix(p.part, chainPart) == sel.Listener
		}},
		{"gateway", sel.Gateway, func(p parent) (parent, bool) { return p, p.name == c.istioGatewayNamed(sel.Gateway) }},
		{"parent", sel.Parent, func(p parent) (parent, bool) { return selectParent(sel.Parent, p) }},
	} {
		switch {
		case s.want == "":
		case want != "":
			return nil, errors.New("convert for one listener, gateway or parent at a time")
		default:
			kind, want, choose = s.kind, s.want, s.choose
		}
	}
	if want == "" {
		return nil, nil
	}
	all := c.parents()
	if kind == "parent" {
		c.unknownListeners(want, func(p parent) bool { _, ok := choose(p); return ok })
	}
	// keep rewrites parents for the selection; false drops them all.
	keep := func(parents []parent) ([]parent, bool) {
		var kept []parent
		for _, p := range parents {
			if q, ok := choose(p); ok && p.kind == kind && !slices.Contains(kept, q) {
				kept = append(kept, q)
			}
		}
		return kept, len(kept) > 0
	}
	var dropped []string
	c.vhosts = slices.DeleteFunc(c.vhosts, func(vh vhost) bool {
		_, ok := keep(vh.parents)
		if !ok {
			dropped = append(dropped, vh.from)
		}
		return !ok
	})
	for i := range c.vhosts {
		c.vhosts[i].parents, _ = keep(c.vhosts[i].parents)
	}
	c.httpRoutes = slices.DeleteFunc(c.httpRoutes, func(r httpRouteMatches) bool {
		_, ok := keep(r.parents)
		if !ok {
			dropped = append(dropped, "HTTPRoute "+r.id)
		}
		return !ok
	})
	for i := range c.httpRoutes {
		c.httpRoutes[i].parents, _ = keep(c.httpRoutes[i].parents)
	}
	if len(c.vhosts) == 0 && len(c.httpRoutes) == 0 {
		return nil, fmt.Errorf("no %s %s in the input, which has %s", kind, want, joinParents(all, ", "))
	}
	for _, from := range dropped {
		c.note("%s is not attached to %s %s: left out", from, kind, want)
	}
	// The notes about the sources' behaviour are about those kept.
	c.kinds = map[string]bool{"envoy": len(c.vhosts) > 0} // Envoy's, and Istio's, which Envoy runs
	if len(c.httpRoutes) > 0 {
		c.kinds["gateway"] = true
	}
	return func(p parent) bool {
		_, ok := keep([]parent{p})
		return ok
	}, nil
}

// gatewayNotes says where to run the plugin for the VirtualServices bound
// to gateways.
func (c *converter) gatewayNotes() {
	for _, vh := range c.vhosts {
		var gateways []string
		for _, p := range vh.parents {
			if vh.kind == "istio" && p.name != "mesh" {
				gateways = append(gateways, p.name)
			}
		}
		if len(gateways) > 0 {
			c.note("%s is bound to gateways %s: run the plugin on those (a WasmPlugin selecting them)", vh.from, strings.Join(gateways, ", "))
		}
	}
}

// notesOf prints the notes about the parents the result is for.
func (c *converter) notesOf(parents []parent) {
	for _, p := range parents {
		for _, n := range c.parentNotes[p] {
			c.note("%s", n)
		}
	}
}

// forParent returns a vhost as parent p sees it: its own domains, and
// on the mesh's sidecars those they add.
func forParent(vh vhost, p parent) vhost {
	vh.domains = slices.Clone(vh.domains)
	vh.authorities = slices.Clone(vh.authorities)
	if p == (parent{kind: "gateway", name: "mesh"}) {
		vh.domains = append(vh.domains, vh.sidecarDomains...)
	}
	return vh
}

// onSidecars reports whether the configuration being assembled is for
// the mesh's sidecars.
func (c *converter) onSidecars() bool {
	return c.assembling == parent{kind: "gateway", name: "mesh"}
}
