package convert

import (
	"reflect"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// Envoy names the route it chose (the attribute xds.route_name): an Envoy
// route's own name; for a VirtualService route, Istio writes its
// http[].name, followed by "." and the match condition's name when that
// has one (translateRoute in pilot/pkg/networking/core/route/route.go). A
// rule bound to that name (match.routes) takes exactly the requests Envoy
// sends to the route, whatever the route selects them by.

// istioRouteName is the name Istio gives the route of a VirtualService's
// http route and one of its match conditions.
func istioRouteName(http, match string) string {
	if match != "" {
		return http + "." + match
	}
	return http
}

// bindable reports whether a rule can name the route: it has a name that
// match.routes accepts as an exact name (no "*", which would make a
// prefix; no control character, no surrounding space; at most 1024
// bytes).
func bindable(name string) bool {
	if name == "" || len(name) > 1024 || strings.Contains(name, "*") || strings.TrimSpace(name) != name {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// Envoy does not require a route's name to be unique (istio/istio#22858:
// duplicates are accepted), and Istio's composed names may collide: http
// route "beta" with the match condition "canary" and http route
// "beta.canary" are both named "beta.canary". xds.route_name then does not
// say which of them Envoy chose, and a rule bound to the name would take
// the other route's requests too, with the bound route's CORS policy. The
// conversion binds a rule to a name only when no other route of the input
// has it: all the routes read, whatever their virtual host, route
// configuration, VirtualService or parent, since the filter may run
// wherever any of them is served.

// namedRoute is a route of the input that has a name: where it comes from
// (a scope's from) and its CORS handling, as converted.
type namedRoute struct {
	from string
	cors *engine.Config
}

// nameRoute records that the route at from, with the CORS handling cors,
// is named name (the xds.route_name Envoy gives it). A route without a
// name is not recorded: no rule is bound to the empty name.
func (c *converter) nameRoute(name, from string, cors *engine.Config) {
	if name == "" {
		return
	}
	if c.routeNames == nil {
		c.routeNames = make(map[string][]namedRoute)
	}
	c.routeNames[name] = append(c.routeNames[name], namedRoute{from, cors})
}

// sharedIf is nameSharedWith(e) when check holds, nil otherwise.
func (c *converter) sharedIf(check bool, e *scope) *namedRoute {
	if !check {
		return nil
	}
	return c.nameSharedWith(e)
}

// nameSharedWith returns another route of the input that a rule bound to
// e's route (match.routes) would take too, or nil when there is none: one
// with the same name, since bindable accepts only an exact name; were a
// prefix entry (ending in "*") bound, every name it starts.
// The same route read again (a route configuration served by two
// connection managers, the match conditions of one Istio http route) is
// not another route unless its CORS handling differs.
func (c *converter) nameSharedWith(e *scope) *namedRoute {
	entry := e.route
	var names []string
	if prefix, ok := strings.CutSuffix(entry, "*"); ok {
		for name := range c.routeNames {
			if strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
	} else {
		names = []string{entry}
	}
	for _, name := range names {
		for i, r := range c.routeNames[name] {
			if r.from != e.from || !reflect.DeepEqual(r.cors, e.cors) {
				return &c.routeNames[name][i]
			}
		}
	}
	return nil
}
