package filter

// Envoy's names for the route and the virtual host it chose, as paths for
// proxy_get_property: segments joined by NUL. Envoy serves them to a Wasm
// filter among its CEL attributes (docs: intro/arch_overview/advanced/
// attributes.rst, "Configuration attributes"; source/extensions/common/
// wasm/context.cc, Context::getProperty walking the path's segments).
const (
	routeNameProperty       = "xds\x00route_name"
	virtualHostNameProperty = "xds\x00virtual_host_name"
)

// fetchRoute reads the names of the route and the virtual host Envoy chose,
// each with one proxy_get_property, and only when a rule names them (see
// engine.Policy.RouteInputs). A name the host does not give (no route, an
// Envoy without the attribute) stays "": a rule naming routes then does not
// match. So does one the host fails to give: the request is still decided,
// by the rules that do not name routes, rather than left without CORS
// handling.
func (r *requestHeaders) fetchRoute(rules ruleInputs) {
	if rules.route {
		if v, _, err := hostProperty(routeNameProperty); err == nil {
			r.req.Route = v
		}
	}
	if rules.virtualHost {
		if v, _, err := hostProperty(virtualHostNameProperty); err == nil {
			r.req.VirtualHost = v
		}
	}
}
