package convert

import (
	"fmt"
	"strings"
	"time"

	"github.com/corswasm/corswasm/internal/engine"
)

// vhost is what a source chooses by the request's host before it looks at
// its routes: an Envoy virtual host, an Istio VirtualService's hosts, or
// one hostname of the Gateway API's HTTPRoutes. Among the vhosts whose
// domains match a request, the most specific domain's is chosen (see
// domainRank); its routes are then tried in order, and a request that
// matches none of them gets no CORS handling from the source, even if
// another vhost would match it.
type vhost struct {
	// kind is the source's kind: "istio", "envoy" or "gateway".
	kind string
	// from names the vhost in notes; name is the base of the rule that
	// stands for its unmatched requests.
	from, name string
	// domains are the hosts chosen, in lower case and without a port:
	// exact names, "*.suffix" wildcards, or "*" for every host;
	// sidecarDomains those an Istio VirtualService takes too on the
	// mesh's sidecars (see istioDomains).
	domains, sidecarDomains []string
	// scopes are its routes, in the order the source tries them.
	scopes []scope
	// parents are what the vhost is attached to (see parents.go);
	// gateways, for a VirtualService bound to Gateways converted as one,
	// those it names (see istioselectors.go), nil otherwise.
	parents  []parent
	gateways []string
	// authorities are the domains as Envoy compares them, with their
	// ports; table is the Envoy route configuration's host matching (see
	// ports.go), nil for the other sources.
	authorities []domain
	table       *authorityTable
	// namespace and created are an Istio VirtualService's, which order
	// the VirtualServices Istio merges (see mergedScopes); created is
	// zero when the document does not show it.
	namespace string
	created   time.Time
}

// scope is a part of the traffic to which a source gives one CORS policy,
// or none: a route, or one match condition of a route.
type scope struct {
	// from names the source part in notes ("VirtualService default/api
	// http[1]").
	from string
	// name is the rule name to use, before it is made valid and unique.
	name string
	// hosts narrows the scope to some hosts of its vhost's domains (an
	// Istio authority match); nil: all of them.
	hosts []string
	// paths select the paths; nil selects all.
	paths pathSet
	// cors is the policy; nil when the source does no CORS here, so the
	// filter must leave these requests alone.
	cors *engine.Config
	// conditions are what else the source selects the scope's requests
	// by, which corswasm rules cannot express ("headers", "a regex
	// path"…); such a scope is left out where that changes nothing, and
	// refused elsewhere (see conditional.go).
	conditions []condition
	// unordered: the source does not say where the scope comes among the
	// others (the Gateway API leaves a regular expression's precedence
	// to the implementation).
	unordered bool
	// notes are about its CORS handling, printed only if the scope is a
	// rule of the result (policyNote).
	notes []string
	// route is the name Envoy gives the route (xds.route_name): an Envoy
	// route's name, or the one Istio writes for a VirtualService route
	// (see istioRouteName); "" when the source gives none. bound: the
	// scope's rule names it (match.routes) instead of the conditions it
	// cannot express (see settle), and takes exactly the route's requests.
	route string
	bound bool
	// catchAll: Istio merges the routes of VirtualServices sharing a host
	// with these last (a prefix "/" without header, query or metadata
	// matches: IsCatchAllRoute in pilot/pkg/networking/core/route).
	catchAll bool
}

// whole reports whether the scope takes every request its vhost chooses.
func (s *scope) whole() bool { return s.hosts == nil && s.paths == nil && !s.bound }

// conditional reports whether the source also selects the scope's
// requests by what corswasm cannot match.
func (s *scope) conditional() bool { return len(s.conditions) > 0 }

// covers reports whether s takes every request of t, whatever t's
// conditions.
func (s *scope) covers(t *scope) bool {
	return coversHosts(s.hosts, t.hosts) && s.paths.covers(t.paths)
}

// overlaps reports whether some request is in both s and t.
func (s *scope) overlaps(t *scope) bool {
	return overlap(s.hosts, t.hosts) && s.paths.overlaps(t.paths)
}

// ruleName makes a name valid for a rule: letters, digits, "-" and "_",
// at most 64 of them.
func ruleName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-")
	if n == "" {
		n = "rule"
	}
	if len(n) > 60 {
		n = n[:60]
	}
	return n
}

// uniqueName returns name, or name-2, name-3… if taken, and takes it.
func uniqueName(name string, taken map[string]bool) string {
	n := name
	for i := 2; taken[n]; i++ {
		n = fmt.Sprintf("%s-%d", name, i)
	}
	taken[n] = true
	return n
}
