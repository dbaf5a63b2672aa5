package convert

import (
	"reflect"
	"strings"
)

// A source may select a route by what corswasm rules cannot match: a
// header, a query parameter, the method, a regex path, a case-insensitive
// path, a runtime fraction… Both ways of converting such a route change
// the answer to some request: a rule without those conditions takes the
// requests the source sends to the routes after it, and leaving the route
// out sends its own requests there. Either way nothing changes when the
// routes after it give every request the route could take the same CORS
// handling as the route itself (checked conservatively: the same policy,
// as converted): then it is left out. A request that no route takes gets
// no CORS handling in the sources (no route: Envoy's CORS filter does
// nothing), and the proxy answers it 404 itself (Router::Filter::
// decodeHeaders: no route), as in Envoy when no virtual host takes it
// (see ports.go); when the routes after it take some of the route's
// requests with its CORS handling and no route takes the others, the
// route is kept without its conditions: it adds CORS headers to those
// 404s alone. Otherwise the conversion is refused.

// settle leaves out each conditional entry of a block whose requests get
// the same CORS handling without it, and refuses the others. entries are
// in the source's order; where names the block's hosts.
func (c *converter) settle(entries []entry, where string) []entry {
	var out []entry
	for i := range entries {
		e := &entries[i]
		if !e.conditional() {
			out = append(out, *e)
			continue
		}
		conds := strings.Join(e.conditions, ", ")
		switch other, same := sameWithout(entries, i); {
		case same:
			c.note("%s is left out for %s: corswasm rules cannot select requests by %s, and it changes nothing: the routes after it give every request it could take the same CORS handling", e.from, where, conds)
		case other == nil:
			c.note("%s: corswasm rules cannot select requests by %s; the requests to %s that do not meet them match no route, which the proxy answers 404 itself without CORS handling: the rule takes them too, which adds CORS headers to those 404s alone", e.from, conds, where)
			kept := *e
			kept.conditions = nil
			out = append(out, kept)
		default:
			c.refuse("%s: corswasm rules cannot select requests by %s, and the CORS handling of requests to %s depends on them: those that meet them get its CORS handling, the others that of %s, which differs", e.from, conds, where, other.from)
		}
	}
	return out
}

// sameWithout reports whether every request entries[i] could take gets
// entries[i]'s CORS handling from the other entries: each of them that
// overlaps it has the same policy, and one that takes all of its requests
// unconditionally stops the search (before it is reached, or for an
// entry whose place the source leaves open, anywhere), unless entries[i]
// does no CORS, which is also what a request no route takes gets. When
// not, it returns the entry that differs, or nil if the difference is
// that no route takes some of the requests.
func sameWithout(entries []entry, i int) (*entry, bool) {
	e := &entries[i]
	covered := false
	for j := range entries {
		o := &entries[j]
		if j == i || j < i && !e.unordered || !o.scope.overlaps(&e.scope) {
			continue
		}
		if !reflect.DeepEqual(o.cors, e.cors) {
			return o, false
		}
		if !o.conditional() && o.scope.covers(&e.scope) {
			covered = true
			if !e.unordered {
				break
			}
		}
	}
	return nil, covered || e.cors == nil
}
