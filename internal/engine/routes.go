package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
)

// A rule may name the route and the virtual host Envoy chose for the
// request (match.routes, match.virtual_hosts). Envoy serves both names to
// a Wasm filter as the attributes xds.route_name and xds.virtual_host_name
// (Envoy's attribute reference, "Configuration attributes":
// docs/root/intro/arch_overview/advanced/attributes.rst). A rule bound to
// names decides exactly the requests Envoy routed there, where hosts and
// paths only approximate the route's own match (headers, query, regex
// paths).
//
// A route condition is one more condition of the match: every condition
// given must hold, and the first rule whose match holds still decides.

// maxRouteNameLength bounds route and virtual host entries. Envoy Gateway's
// longest names, httproute/<namespace>/<name>/rule/<i>/match/<j>/<host>,
// stay well under it.
const maxRouteNameLength = 1024

// nameEntry is one entry of match.routes or match.virtual_hosts: an exact
// name, or a prefix (written with a trailing "*", kept without it).
type nameEntry struct {
	name   string
	prefix bool
}

// routeConditions are a rule's checked route and virtual host entries.
type routeConditions struct {
	routes, virtualHosts []nameEntry
}

func (c routeConditions) empty() bool { return len(c.routes) == 0 && len(c.virtualHosts) == 0 }

// checkRouteConditions validates a match's routes and virtual_hosts.
func checkRouteConditions(m *Match, prefix string, p *problems) routeConditions {
	if m == nil {
		return routeConditions{}
	}
	c := routeConditions{
		routes:       checkNames(m.Routes, prefix, "match.routes", p),
		virtualHosts: checkNames(m.VirtualHosts, prefix, "match.virtual_hosts", p),
	}
	// The index holds a host and path index per pair of a route and a
	// virtual host entry (routeIndex).
	if n := len(c.routes) * len(c.virtualHosts); n > maxRoutePairs {
		p.error(&FieldError{Path: prefix + "match", Value: strconv.Itoa(len(c.routes)) + " routes × " + strconv.Itoa(len(c.virtualHosts)) + " virtual_hosts",
			Reason: "more than 1000 pairs: split the rule, or name fewer routes or virtual hosts (a prefix ending in \"*\" names many)", Code: CodeRoutePairsTooMany})
		return routeConditions{}
	}
	return c
}

// maxRoutePairs bounds the pairs of route and virtual host entries of one
// rule.
const maxRoutePairs = 1000

// checkNames validates a list of names: each entry non-empty, not too
// long, with no control character and no surrounding spaces, and "*" only
// as its last character. A duplicate, or an exact name a prefix of the list
// covers, is a warning.
func checkNames(list []string, prefix, field string, p *problems) []nameEntry {
	var out []nameEntry
	for i, raw := range list {
		if reason := checkName(raw); reason != "" {
			p.error(&FieldError{Path: prefix + indexPath(field, i), Value: quote(raw), Reason: reason, Code: CodeRouteNameInvalid})
			continue
		}
		out = append(out, nameEntry{strings.TrimSuffix(raw, "*"), strings.HasSuffix(raw, "*")})
	}
	for i, raw := range list {
		if checkName(raw) != "" {
			continue
		}
		e := nameEntry{strings.TrimSuffix(raw, "*"), strings.HasSuffix(raw, "*")}
		if j := slices.Index(list[:i], raw); j >= 0 {
			p.warn(&FieldError{Path: prefix + indexPath(field, i), Value: quote(raw), Reason: "duplicate of " + indexPath(field, j) + "; remove it", Code: CodeDuplicate})
			continue
		}
		for j, other := range list {
			if j == i || !strings.HasSuffix(other, "*") || checkName(other) != "" {
				continue
			}
			o := strings.TrimSuffix(other, "*")
			if strings.HasPrefix(e.name, o) && (!e.prefix || len(e.name) > len(o)) {
				p.warn(&FieldError{Path: prefix + indexPath(field, i), Value: quote(raw), Reason: "covered by " + indexPath(field, j) + " " + quote(other) + "; remove it", Code: CodeRedundant})
				break
			}
		}
	}
	return out
}

// checkName returns why a route or virtual host entry is invalid, "" when
// it is valid.
func checkName(s string) string {
	switch {
	case s == "":
		return "empty: give a name, or a prefix ending in \"*\""
	case len(s) > maxRouteNameLength:
		return "longer than 1024 bytes"
	case strings.IndexByte(strings.TrimSuffix(s, "*"), '*') >= 0:
		return "\"*\" may only end an entry (a prefix); a name is compared byte for byte"
	case strings.TrimSpace(s) != s:
		return "starts or ends with a space"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return "contains a control character"
		}
	}
	return ""
}

// addRule indexes rule i: by host and path alone when it names no route
// nor virtual host, in the route index otherwise.
func (p *Policy) addRule(i int, hosts []origin.Host, paths []pathEntry, c routeConditions) {
	if c.empty() {
		p.index.add(i, hosts, paths)
		return
	}
	if p.routes == nil {
		p.routes = &routeIndex{}
	}
	p.routes.add(i, hosts, paths, c)
}

// routeIndex chooses among the rules that name routes or virtual hosts:
// by route name, then virtual host name, then host and path (a ruleIndex
// per pair of entries). Rules without route entries are apart (anyRoute),
// as are, at the second level, rules without virtual host entries.
type routeIndex struct {
	byRoute  nameTrie[*vhostIndex]
	anyRoute *vhostIndex
	// route, virtualHost, hosts: some rule names routes, virtual hosts,
	// hosts.
	route, virtualHost, hosts bool
}

// vhostIndex chooses among the rules of one route entry (or of rules
// without route entries): by virtual host name, then host and path.
type vhostIndex struct {
	byHost  nameTrie[*ruleIndex]
	anyHost *ruleIndex
}

func (x *routeIndex) add(i int, hosts []origin.Host, paths []pathEntry, c routeConditions) {
	x.hosts = x.hosts || len(hosts) > 0
	x.route = x.route || len(c.routes) > 0
	x.virtualHost = x.virtualHost || len(c.virtualHosts) > 0
	var levels []*vhostIndex
	if len(c.routes) == 0 {
		if x.anyRoute == nil {
			x.anyRoute = &vhostIndex{}
		}
		levels = append(levels, x.anyRoute)
	}
	for _, e := range c.routes {
		levels = append(levels, x.byRoute.get(e, func() *vhostIndex { return &vhostIndex{} }))
	}
	for _, v := range levels {
		var trees []*ruleIndex
		if len(c.virtualHosts) == 0 {
			if v.anyHost == nil {
				v.anyHost = newRuleIndex()
			}
			trees = append(trees, v.anyHost)
		}
		for _, e := range c.virtualHosts {
			trees = append(trees, v.byHost.get(e, newRuleIndex))
		}
		for _, t := range trees {
			// A rule reaching one tree twice (duplicate entries) is
			// inserted twice: the tree keeps the first rule per entry.
			t.add(i, hosts, paths)
		}
	}
}

// find returns the first rule of the index whose match holds for r, or -1.
func (x *routeIndex) find(r *Request) int {
	best := -1
	if x.anyRoute != nil {
		best = x.anyRoute.findIn(r)
	}
	if r.Route == "" {
		return best
	}
	return first(best, x.byRoute.first(r.Route, r))
}

// findIn returns the first rule of the index whose match holds for r, or
// -1.
func (v *vhostIndex) findIn(r *Request) int {
	best := -1
	if v.anyHost != nil {
		best = v.anyHost.findIn(r)
	}
	if r.VirtualHost == "" {
		return best
	}
	return first(best, v.byHost.first(r.VirtualHost, r))
}

// nameTrie maps name entries to values in a radix tree: the entries a name
// matches (its exact entry, and each prefix entry it starts with) lie
// along one walk down the name, so that finding them costs one pass over
// the name, whatever the number of entries.
type nameTrie[T interface{ findIn(*Request) int }] struct {
	root nameNode[T]
}

// nameNode is reached by the bytes of its label: the entries ending here,
// exact and prefix, and its children, whose labels start with distinct
// bytes.
type nameNode[T any] struct {
	label               string
	exact, prefix       T
	hasExact, hasPrefix bool
	children            []*nameNode[T]
}

// get returns the value of entry e, creating it with mk.
func (t *nameTrie[T]) get(e nameEntry, mk func() T) T {
	n, key := &t.root, e.name
	for key != "" {
		c := n.child(key[0])
		if c == nil {
			c = &nameNode[T]{label: key}
			n.children = append(n.children, c)
		} else if common := commonPrefix(c.label, key); common < len(c.label) {
			// Split the edge: c keeps the tail of its label under a new
			// node holding the common part.
			mid := &nameNode[T]{label: c.label[:common], children: []*nameNode[T]{c}}
			for i, o := range n.children {
				if o == c {
					n.children[i] = mid
				}
			}
			c.label = c.label[common:]
			c = mid
		}
		n, key = c, key[len(c.label):]
	}
	if e.prefix {
		if !n.hasPrefix {
			n.prefix, n.hasPrefix = mk(), true
		}
		return n.prefix
	}
	if !n.hasExact {
		n.exact, n.hasExact = mk(), true
	}
	return n.exact
}

// first returns the first rule (smallest index) that the values of the
// entries name matches choose for r, or -1.
func (t *nameTrie[T]) first(name string, r *Request) int {
	best := -1
	n := &t.root
	for {
		if n.hasPrefix {
			best = first(best, n.prefix.findIn(r))
		}
		if name == "" {
			if n.hasExact {
				best = first(best, n.exact.findIn(r))
			}
			return best
		}
		c := n.child(name[0])
		if c == nil || !strings.HasPrefix(name, c.label) {
			return best
		}
		n, name = c, name[len(c.label):]
	}
}

func (n *nameNode[T]) child(b byte) *nameNode[T] {
	for _, c := range n.children {
		if c.label[0] == b {
			return c
		}
	}
	return nil
}

// findIn chooses among the rules of a host and path index.
func (x *ruleIndex) findIn(r *Request) int { return x.find(r.Authority, r.Path) }

// RouteInputs reports whether choosing a rule reads the names of the
// route and of the virtual host Envoy chose: only when some rule names
// them, so that a filter fetches neither otherwise.
func (p *Policy) RouteInputs() (route, virtualHost bool) {
	if p.routes == nil {
		return false, false
	}
	return p.routes.route, p.routes.virtualHost
}
