package convert

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// An Istio Gateway applies to the gateway pods its selector matches
// (every label of the selector on the pod; a Gateway without a selector
// applies to every gateway pod: gatewayWithInstances in pilot/pkg/model/
// push_context.go; in any namespace unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE
// is set, which this conversion does not model), and a pod routes the servers of all of its Gateways
// merged: the plain HTTP servers of one port, whichever Gateway they are
// in, share one route configuration, http.PORT, where each server's hosts
// get the routes of the VirtualServices bound to its own Gateway
// (MergeGateways in pilot/pkg/model/gateway.go, buildGatewayHTTPRouteConfig
// in pilot/pkg/networking/core/gateway.go). A WasmPlugin selects pods too,
// not Gateways. So Gateways with the same selector are one attachment and
// are converted together; Gateways whose selectors may match one pod
// without being the same (no label they both name has different values)
// are refused, since which pods carry both the files do not show.

// istioGatewayGroups converts the Gateways in the files that have the
// same selector, and VirtualServices bound to each, as one gateway: the
// parent named by their names joined with ", " (see istioMembers).
func (c *converter) istioGatewayGroups() {
	var bound []string
	for _, vh := range c.vhosts {
		for _, p := range vh.parents {
			if _, known := c.istioSelectors[p.name]; vh.kind == "istio" && p.kind == "gateway" && known && !slices.Contains(bound, p.name) {
				bound = append(bound, p.name)
			}
		}
	}
	slices.Sort(bound)
	group := make(map[string]string, len(bound))
	for i, a := range bound {
		for _, b := range bound[i+1:] {
			sa, sb := c.istioSelectors[a], c.istioSelectors[b]
			switch {
			case maps.Equal(sa, sb):
				if group[b] == "" {
					group[b] = a
				}
			case selectorsMayShare(sa, sb):
				c.refuse("Gateways %s (selector %s) and %s (selector %s) may apply to the same pods (a pod with the labels of both), where Istio merges their servers and routes, or to different ones: the files do not show which; give them the same selector, or selectors that differ in a label both name", a, selectorString(sa), b, selectorString(sb))
			}
		}
	}
	members := make(map[string][]string)
	for _, g := range bound {
		// group[g] is the first Gateway with g's selector, in order.
		first := g
		if group[g] != "" {
			first = group[g]
		}
		members[first] = append(members[first], g)
	}
	rename := make(map[string]string)
	for first, ms := range members {
		if len(ms) < 2 {
			continue
		}
		name := strings.Join(ms, ", ")
		c.istioMembers[name] = ms
		for _, m := range ms {
			rename[m] = name
		}
		c.note("Gateways %s have the same selector (%s): Istio merges their servers on the pods it selects, so they are converted as one", strings.Join(ms, " and "), selectorString(c.istioSelectors[first]))
	}
	if len(rename) == 0 {
		return
	}
	regroup := func(parents []parent) []parent {
		var out []parent
		for _, p := range parents {
			if p.kind == "gateway" && rename[p.name] != "" {
				p.name = rename[p.name]
			}
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
		return out
	}
	for i := range c.vhosts {
		vh := &c.vhosts[i]
		for _, p := range vh.parents {
			if p.kind == "gateway" {
				vh.gateways = append(vh.gateways, p.name)
			}
		}
		vh.parents = regroup(vh.parents)
	}
	for _, s := range c.attachedSaid {
		s.parents = regroup(s.parents)
	}
	for p, notes := range c.parentNotes {
		if q := regroup([]parent{p})[0]; q != p {
			c.parentNotes[q] = append(c.parentNotes[q], notes...)
			delete(c.parentNotes, p)
		}
	}
	c.istioGroupOf = rename
}

// istioGatewaysOf returns the Gateways a gateway parent stands for: its
// members when it is a group (see istioGatewayGroups), or itself.
func (c *converter) istioGatewaysOf(name string) []string {
	if ms := c.istioMembers[name]; ms != nil {
		return ms
	}
	return []string{name}
}

// boundTo reports whether VirtualService vh is bound to Gateway gw, one of
// a group's.
func (vh *vhost) boundTo(gw string) bool {
	return vh.gateways == nil || slices.Contains(vh.gateways, gw)
}

// selectorsMayShare reports whether a pod could carry the labels of both
// selectors: no label both name has different values.
func selectorsMayShare(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; ok && w != v {
			return false
		}
	}
	return true
}

// selectorString writes a selector as label=value pairs, in order.
func selectorString(s map[string]string) string {
	if len(s) == 0 {
		return "none: every gateway pod"
	}
	pairs := make([]string, 0, len(s))
	for _, k := range slices.Sorted(maps.Keys(s)) {
		pairs = append(pairs, fmt.Sprintf("%s=%s", k, s[k]))
	}
	return strings.Join(pairs, ", ")
}

// istioGatewayNamed returns the gateway parent's name for a gateway the
// user names: the group it is converted in, if any.
func (c *converter) istioGatewayNamed(g string) string {
	name := resolveGateway("", g)
	if group := c.istioGroupOf[name]; group != "" {
		return group
	}
	return name
}
