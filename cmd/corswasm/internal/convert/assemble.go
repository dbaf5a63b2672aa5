package convert

import (
	"cmp"
	"reflect"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// corswasm's rules are one list, the first rule that matches deciding;
// the sources choose a vhost by host first, then a route within it. The
// conversion keeps the source's choice: vhosts' domains are ranked as the
// source ranks them (domainRank), and each run of domains (a block) gets
// its vhosts' routes in the source's order, followed, unless a route
// already takes every request there, by a disabled rule for those
// domains (a fence): a request the chosen vhost does not route gets no
// CORS handling, as in the source, instead of falling to the rules of a
// less specific vhost.

// block is a run of domains, adjacent in precedence, chosen by the same
// vhosts: their rules are written once for all of them.
type block struct {
	domains []string
	members []int // indexes into converter.vhosts
}

// entry is a rule before it is named: a scope within a block, or a fence.
type entry struct {
	scope
	fence *vhost
}

// assemble builds the configuration: a single policy for every request
// becomes the top level; otherwise the top level is disabled (the source
// did no CORS outside its routes) and each entry is a rule that sets
// every field it needs, so that nothing is inherited.
func (c *converter) assemble() *engine.Config {
	c.tablesAgree()
	var entries []entry
	reached := make(map[*scope]bool)
	for _, b := range c.blocks() {
		entries = append(entries, c.blockEntries(b, reached)...)
	}
	c.unreached(reached)
	entries = c.pruneFences(entries)
	// Disabled rules at the end change nothing: the top level is disabled
	// already.
	for len(entries) > 0 && entries[len(entries)-1].cors == nil {
		entries = entries[:len(entries)-1]
	}
	disabled := false
	switch {
	case len(entries) == 0:
		return &engine.Config{Enabled: &disabled}
	case len(entries) == 1 && entries[0].whole():
		return entries[0].cors
	}
	top := &engine.Config{Enabled: &disabled}
	names := make(map[string]bool)
	for _, e := range entries {
		r := engine.Rule{Name: uniqueName(ruleName(e.name), names), Match: matchOf(&e.scope)}
		enabled := e.cors != nil
		if enabled {
			r.Config = *e.cors
		}
		r.Config.Enabled = &enabled
		top.Rules = append(top.Rules, r)
	}
	return top
}

// matchOf writes a scope's hosts and paths as a rule's match.
func matchOf(s *scope) *engine.Match {
	m := &engine.Match{Hosts: s.hosts}
	for _, p := range s.paths {
		switch p.kind {
		case pathExact:
			m.Paths = append(m.Paths, p.value)
		case pathSegments:
			m.PathSeparatedPrefixes = append(m.PathSeparatedPrefixes, p.value)
		default:
			m.PathPrefixes = append(m.PathPrefixes, p.value)
		}
	}
	if s.bound {
		m.Routes = []string{s.route}
	}
	if s.whole() {
		// A rule needs a match: every path starts with "/".
		m.PathPrefixes = []string{"/"}
	}
	return m
}

// blocks ranks every vhost's domains and groups adjacent domains that the
// same vhosts choose.
func (c *converter) blocks() []block {
	type domain struct {
		name    string
		members []int
	}
	var table []*domain
	byName := make(map[string]*domain)
	for i, vh := range c.vhosts {
		for _, d := range vh.domains {
			e := byName[d]
			if e == nil {
				e = &domain{name: d}
				byName[d] = e
				table = append(table, e)
			}
			if !slices.Contains(e.members, i) {
				e.members = append(e.members, i)
			}
		}
	}
	for _, e := range table {
		if len(e.members) > 1 {
			c.sharedDomain(e.name, e.members)
		}
	}
	// Domains of equal rank never choose the same host, so their order is
	// free: by vhost, to write each vhost's rules once.
	slices.SortStableFunc(table, func(a, b *domain) int {
		ra, la := domainRank(a.name)
		rb, lb := domainRank(b.name)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(la, lb), cmp.Compare(a.members[0], b.members[0]))
	})
	var blocks []block
	for _, e := range table {
		if n := len(blocks); n > 0 && slices.Equal(blocks[n-1].members, e.members) {
			blocks[n-1].domains = append(blocks[n-1].domains, e.name)
			continue
		}
		blocks = append(blocks, block{domains: []string{e.name}, members: e.members})
	}
	return blocks
}

// blockEntries writes a block's rules: its vhosts' routes in order, then
// a fence unless one of them takes every request.
func (c *converter) blockEntries(b block, reached map[*scope]bool) []entry {
	members := b.members
	if c.onSidecars() || slices.ContainsFunc(members, func(m int) bool { return c.vhosts[m].kind != "istio" }) {
		// Converted once, or refused (sharedDomain).
		members = members[:1]
	}
	group := make([]*vhost, len(members))
	for i, m := range members {
		group[i] = &c.vhosts[m]
	}
	scopes := mergedScopes(group)
	anyHost := slices.Contains(b.domains, "*")
	where := "every host"
	if !anyHost {
		where = strings.Join(b.domains, ", ")
	}
	var out []entry
	var whole *scope
	for _, s := range scopes {
		hosts, ok := narrow(s, b.domains)
		switch {
		case !ok:
			continue
		case whole == nil:
			reached[s] = true
			e := entry{scope: *s}
			e.hosts = hosts
			out = append(out, e)
			if s.whole() && !s.conditional() {
				whole = s
			}
		case anyHost:
			c.note("%s is unreachable behind %s, which matches every request: left out", s.from, whole.from)
		default:
			c.note("%s is unreachable for %s behind %s, which takes every request there: left out", s.from, where, whole.from)
		}
	}
	out = mergeAdjacent(c.settle(out, where))
	c.keepNotes(out)
	if whole == nil && !anyHost {
		vh := &c.vhosts[b.members[0]]
		out = append(out, entry{scope: scope{from: vh.from, name: vh.name + "-unmatched", hosts: b.domains}, fence: vh})
	}
	return out
}

// mergeAdjacent joins the adjacent entries of one source part (the match
// conditions of one Istio route) that take the same hosts into one rule
// with the paths of both.
func mergeAdjacent(entries []entry) []entry {
	var out []entry
	for _, e := range entries {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.from == e.from && last.name == e.name && last.cors == e.cors && slices.Equal(last.hosts, e.hosts) &&
				last.bound == e.bound && last.route == e.route {
				if last.paths != nil && e.paths != nil {
					last.paths = append(slices.Clip(last.paths), e.paths...)
				} else {
					last.paths = nil
				}
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// narrow returns the hosts of a block that a scope takes: nil for every
// host; false when none.
func narrow(s *scope, domains []string) ([]string, bool) {
	if s.hosts == nil {
		if slices.Contains(domains, "*") {
			return nil, true
		}
		return domains, true
	}
	var hosts []string
	for _, h := range s.hosts {
		if slices.ContainsFunc(domains, func(d string) bool { return covers(d, h) }) {
			hosts = append(hosts, h)
		}
	}
	return hosts, len(hosts) > 0
}

// unreached notes the scopes narrowed to hosts their vhost never chooses.
func (c *converter) unreached(reached map[*scope]bool) {
	for i := range c.vhosts {
		vh := &c.vhosts[i]
		for j := range vh.scopes {
			s := &vh.scopes[j]
			if s.hosts != nil && !reached[s] && !slices.ContainsFunc(s.hosts, func(h string) bool {
				return slices.ContainsFunc(vh.domains, func(d string) bool { return covers(d, h) })
			}) {
				c.note("%s: its authority %s is none of the hosts of %s (%s), so the source never routes to it: left out", s.from, strings.Join(s.hosts, ", "), vh.from, strings.Join(vh.domains, ", "))
			}
		}
	}
}

// pruneFences drops the fences no later enabled rule could pass: the
// disabled top level already leaves those requests alone.
func (c *converter) pruneFences(entries []entry) []entry {
	// The hosts of the enabled rules after each entry, from the last.
	later := newHostIndex()
	keep := make([]bool, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := &entries[i]
		keep[i] = e.fence == nil || later.overlaps(e.hosts)
		if e.cors != nil {
			later.add(e.hosts)
		}
	}
	var out []entry
	for i, e := range entries {
		if !keep[i] {
			continue
		}
		out = append(out, e)
		if e.fence != nil && e.fence.kind == "gateway" {
			c.note("%s: requests to %s that match none of its rules get no CORS handling, as in the Envoy-based implementations (Envoy Gateway, Istio), where a more specific hostname's routes hide the others'; the Gateway API gives them precedence without saying whether less specific hostnames' rules still apply, and an implementation where they do would apply those", e.fence.from, strings.Join(e.hosts, ", "))
		}
	}
	return out
}

// sharedDomain handles a domain several vhosts choose. Istio merges
// VirtualServices of one host: their routes are tried one vhost after the
// other, in creation order (see istioorder.go), refused where the
// documents do not show it and it matters. Otherwise the source tells them apart by what
// corswasm does not see (the port, in a domain or in the listener), and
// uses one vhost's routes alone: converted when every vhost gives every
// request the same CORS handling (the first's rules are then written),
// refused otherwise.
func (c *converter) sharedDomain(d string, members []int) {
	var names []string
	kinds := make(map[string]bool)
	for _, m := range members {
		names = append(names, c.vhosts[m].from)
		kinds[c.vhosts[m].kind] = true
	}
	list := strings.Join(names, " and ")
	if d == "*" {
		d = "every host"
	}
	if len(kinds) == 1 && kinds["istio"] && !c.onSidecars() {
		group := make([]*vhost, len(members))
		for i, m := range members {
			group[i] = &c.vhosts[m]
		}
		if _, known := creationOrder(group); !known && orderMatters(group) {
			c.refuse("%s share %s, and the CORS handling of some request there depends on the order Istio merges their routes in, their creation order (then name and namespace), which the documents do not show: give each its metadata.creationTimestamp (as `kubectl get -o yaml` writes it)", list, d)
		}
		return
	}
	if c.onSidecars() {
		for _, m := range members[1:] {
			if !sameHandling([]*vhost{&c.vhosts[members[0]]}, []*vhost{&c.vhosts[m]}) {
				c.refuse("%s share %s, and their CORS handling differs: on sidecars Istio uses one VirtualService for a host, the oldest, and the documents do not show which; give them different hosts, or merge them into one", list, d)
				return
			}
		}
		c.note("%s share %s: on sidecars Istio uses one of them, and they give every request the same CORS handling: converted once", list, d)
		return
	}
	first := &c.vhosts[members[0]]
	if first.table != nil && !slices.ContainsFunc(members, func(m int) bool { return c.vhosts[m].table != first.table }) {
		return // virtual hosts of one route configuration, apart by the port: agree's
	}
	for _, m := range members[1:] {
		if !sameHandling([]*vhost{first}, []*vhost{&c.vhosts[m]}) {
			c.refuse("%s all take %s, and their CORS handling differs; the source tells their requests apart by what corswasm rules cannot match (the port, in a domain or in the listener, or the kind of proxy): convert them separately, one plugin configuration for each listener", list, d)
			return
		}
	}
	c.note("%s all take %s, where the source uses one of them by what corswasm rules cannot match (the port, in a domain or in the listener); they give every request the same CORS handling: converted once", list, d)
}

// sameHandling reports whether two vhosts, or groups of VirtualServices
// Istio merges (see mergedScopes), route every request to the same CORS
// handling, by the same routes.
func sameHandling(a, b []*vhost) bool {
	type handling struct {
		hosts      []string
		paths      pathSet
		cors       *engine.Config
		conditions []condition
	}
	of := func(group []*vhost) []handling {
		var out []handling
		for _, s := range mergedScopes(group) {
			out = append(out, handling{s.hosts, s.paths, s.cors, s.conditions})
		}
		return out
	}
	return reflect.DeepEqual(of(a), of(b))
}

// mergedScopes returns the routes of vhosts that share a domain in the
// order they are tried: one vhost's in order, or VirtualServices' merged
// in creation order when the documents show it (see istioorder.go), else
// in the order given, with their catch-all routes last (SortVHostRoutes
// in pilot/pkg/networking/core/route/route.go).
func mergedScopes(vhosts []*vhost) []*scope {
	vhosts, _ = creationOrder(vhosts)
	var scopes []*scope
	for _, vh := range vhosts {
		for i := range vh.scopes {
			scopes = append(scopes, &vh.scopes[i])
		}
	}
	if len(vhosts) > 1 {
		slices.SortStableFunc(scopes, func(x, y *scope) int {
			return cmp.Compare(boolInt(x.catchAll), boolInt(y.catchAll))
		})
	}
	return scopes
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
