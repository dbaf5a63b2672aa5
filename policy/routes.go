package policy

import (
	"slices"
	"strings"

	"github.com/corswasm/corswasm/policy/internal/origin"
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
	return routeConditions{
		routes:       checkNames(m.Routes, prefix, "match.routes", p),
		virtualHosts: checkNames(m.VirtualHosts, prefix, "match.virtual_hosts", p),
	}
}

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
	byRoute  nameIndex[*vhostIndex]
	anyRoute *vhostIndex
	// route, virtualHost, hosts: some rule names routes, virtual hosts,
	// hosts.
	route, virtualHost, hosts bool
}

type vhostIndex struct {
	byHost  nameIndex[*ruleIndex]
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
		best = x.anyRoute.find(r)
	}
	if r.Route == "" {
		return best
	}
	for k := 0; ; {
		v, next, ok := x.byRoute.next(r.Route, k)
		if !ok {
			return best
		}
		best, k = first(best, v.find(r)), next
	}
}

func (v *vhostIndex) find(r *Request) int {
	best := -1
	if v.anyHost != nil {
		best = v.anyHost.find(r.Authority, r.Path)
	}
	if r.VirtualHost == "" {
		return best
	}
	for k := 0; ; {
		t, next, ok := v.byHost.next(r.VirtualHost, k)
		if !ok {
			return best
		}
		best, k = first(best, t.find(r.Authority, r.Path)), next
	}
}

// nameIndex maps name entries to values: exact names in one hash map,
// prefixes in another with the list of their distinct lengths, so that
// the entries a name matches cost a lookup per prefix length at most.
type nameIndex[T any] struct {
	exact, prefixes map[string]T
	lengths         []int // increasing
}

// get returns the value of entry e, creating it with mk.
func (x *nameIndex[T]) get(e nameEntry, mk func() T) T {
	m := &x.exact
	if e.prefix {
		m = &x.prefixes
	}
	if *m == nil {
		*m = make(map[string]T)
	}
	v, ok := (*m)[e.name]
	if !ok {
		v = mk()
		(*m)[e.name] = v
		if e.prefix {
			if j, found := slices.BinarySearch(x.lengths, len(e.name)); !found {
				x.lengths = slices.Insert(x.lengths, j, len(e.name))
			}
		}
	}
	return v
}

// next returns the value of an entry name matches, found from cursor k on
// (0 to start), and the cursor to continue from; ok is false when there
// is none left.
func (x *nameIndex[T]) next(name string, k int) (v T, next int, ok bool) {
	if k == 0 {
		if v, ok := x.exact[name]; ok {
			return v, 1, true
		}
		k = 1
	}
	for ; k-1 < len(x.lengths); k++ {
		n := x.lengths[k-1]
		if n > len(name) {
			break
		}
		if v, ok := x.prefixes[name[:n]]; ok {
			return v, k + 1, true
		}
	}
	return v, 0, false
}

// RouteInputs reports whether choosing a rule reads the names of the
// route and of the virtual host Envoy chose: only when some rule names
// them, so that a filter fetches neither otherwise.
func (p *Policy) RouteInputs() (route, virtualHost bool) {
	if p.routes == nil {
		return false, false
	}
	return p.routes.route, p.routes.virtualHost
}
