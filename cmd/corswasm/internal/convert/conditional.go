package convert

import (
	"reflect"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
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
// 404s alone, and answers the preflights of requests the proxy answers
// 404. That holds only when a preflight meets the route's conditions
// exactly when its actual request does: a preflight that does not (a
// header its request has, the method) goes to the routes after it, and
// where none takes it the proxy answers it 404 and it fails, so the
// browser never sends the request; a rule would answer it. Such a route
// is kept only where the rule would fail every preflight too (it allows
// no origin), and refused otherwise.
//
// A preflight is not its actual request (Fetch standard, "CORS-preflight
// fetch", step 1): it has the request's URL, and so its path, query,
// host, scheme and port, and comes from the same client, but its method
// is OPTIONS, it carries none of the request's own headers (steps 2-5
// add Accept, Access-Control-Request-Method and -Headers alone), and,
// being sent without credentials, no cookies and no client certificate.

// condition is something else a source selects a route's requests by.
type condition struct {
	// what names it in notes and refusals ("headers").
	what string
	// inPreflight: a preflight meets it exactly when its actual request
	// does (a regex path, query parameters, the authority…).
	inPreflight bool
}

// preflightToo is a condition on what a preflight shares with its
// request.
func preflightToo(what string) condition { return condition{what, true} }

// requestOnly is a condition a preflight may meet otherwise than its
// request.
func requestOnly(what string) condition { return condition{what, false} }

// conditionNames joins the names of the scope's conditions: all of
// them, or those a preflight may meet otherwise than its request
// (requestOnly).
func (s *scope) conditionNames(requestOnly bool) string {
	var names []string
	for _, c := range s.conditions {
		if !requestOnly || !c.inPreflight {
			names = append(names, c.what)
		}
	}
	return strings.Join(names, ", ")
}

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
		conds := e.conditionNames(false)
		bind := bindable(e.route)
		other, same := sameWithout(entries, i)
		// Another route of the input has the name: a rule bound to it would
		// take that route's requests too, with this one's policy.
		if shared := c.sharedIf(bind && !same, &e.scope); shared != nil {
			bind = false
			c.note("%s: its rule is not bound to the route's name (match.routes %q): %s has that name too, and Envoy does not require route names to be unique, so xds.route_name does not tell the two apart and a rule bound to it would give that route's requests this route's CORS policy; it is converted as a route without a name", e.from, e.route, shared.from)
		}
		switch {
		case same:
			c.note("%s is left out for %s: corswasm rules cannot select requests by %s, and it changes nothing: the routes after it give every request it could take the same CORS handling", e.from, where, conds)
		case bind:
			c.note("%s: corswasm rules cannot select requests by %s; its rule is bound to the route's name instead (match.routes %q): it takes exactly the requests Envoy routes there, read from the attribute xds.route_name (a proxy that does not give the attribute matches no request to the rule)", e.from, conds, e.route)
			kept := *e
			kept.conditions, kept.bound = nil, true
			out = append(out, kept)
		case other == nil && e.conditionNames(true) != "" && !allowsNoOrigin(e.cors):
			c.refuse("%s: corswasm rules cannot select requests by %s, and a preflight may not meet %s as its request does (its method is OPTIONS, and it carries none of the request's own headers, cookies or credentials): in the source, a preflight of a request to %s that it takes matches no route unless a route after it takes the preflight, and the proxy answers it 404 itself, so the preflight fails and the browser never sends the request; a rule without those conditions would answer that preflight", e.from, conds, e.conditionNames(true), where)
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

// allowsNoOrigin reports whether a policy fails every preflight, as the
// proxy's 404 does.
func allowsNoOrigin(p *engine.Config) bool {
	return len(p.AllowOrigins) == 0 && len(p.AllowOriginRegexes) == 0
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
