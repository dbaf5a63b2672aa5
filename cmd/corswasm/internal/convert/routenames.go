package convert

import "strings"

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
