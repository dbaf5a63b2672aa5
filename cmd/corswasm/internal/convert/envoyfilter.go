package convert

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	networking "istio.io/api/networking/v1alpha3"
)

// An Istio EnvoyFilter patches the Envoy configuration Istio generates
// from VirtualServices and Gateway API routes (EnvoyFilter.configPatches):
// it may disable or reconfigure the CORS filter, or change the routes
// and virtual hosts the conversion reads, and its result is not in the
// documents. A patch that may change the CORS handling of the converted
// routes is refused; the others are left alone.

// envoyFilter is an EnvoyFilter read, checked once every route is read.
type envoyFilter struct {
	id   string
	spec *networking.EnvoyFilter
}

// readEnvoyFilter reads an EnvoyFilter's spec.
func (c *converter) readEnvoyFilter(js []byte) error {
	obj, err := readIstioObject(js, "EnvoyFilter")
	if err != nil {
		return err
	}
	id := obj.id
	var spec networking.EnvoyFilter
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(obj.Spec, &spec); err != nil {
		return fmt.Errorf("EnvoyFilter %s: not a valid istio.networking.v1alpha3.EnvoyFilter spec: %w", id, err)
	}
	c.envoyFilters = append(c.envoyFilters, envoyFilter{id: id, spec: &spec})
	return nil
}

// checkEnvoyFilters refuses each patch that may change the CORS handling
// of the converted routes.
func (c *converter) checkEnvoyFilters() {
	for _, ef := range c.envoyFilters {
		for i, p := range ef.spec.ConfigPatches {
			if why := c.patchTouches(p); why != "" {
				c.refuse("EnvoyFilter %s configPatches[%d] (applyTo %s, %s): it may change the CORS handling of the converted routes (%s), and the documents do not show its result; convert Envoy's configuration of the proxy (its /config_dump) instead, or leave the patch out of the input if it does not change CORS",
					ef.id, i, p.ApplyTo, p.GetPatch().GetOperation(), why)
			}
		}
	}
}

// The fields of what a patch may change whose value changes the CORS
// handling of the routes: the filters that run and their order, the
// routes and how a request is matched to them, the CORS policies, and
// what answers a request instead of its route. The others (timeouts,
// retries, headers added, ignore_port_in_host_matching and the
// connection manager's strip_* fields, which only make Envoy ignore what
// corswasm rules ignore) change nothing of it.
var (
	connectionManagerFields = []string{"http_filters", "route_config", "rds", "scoped_routes"}
	routeConfigFields       = []string{"virtual_hosts", "vhds", "vhost_header", "typed_per_filter_config", "ignore_path_parameters_in_path_matching"}
	virtualHostFields       = []string{"domains", "routes", "typed_per_filter_config", "cors", "require_tls", "matcher"}
	routeFields             = []string{"match", "typed_per_filter_config", "redirect", "direct_response", "filter_action", "non_forwarding_action"}
	routeActionFields       = []string{"cors", "weighted_clusters", "cluster_specifier_plugin", "inline_cluster_specifier_plugin"}
	listenerFields          = []string{"filter_chains", "default_filter_chain", "filters"}
)

// patchTouches says what of the converted routes a patch may change, ""
// when nothing: it reads the patch's applyTo, its operation, the filter it
// patches or inserts, and the fields its value sets.
func (c *converter) patchTouches(p *networking.EnvoyFilter_EnvoyConfigObjectPatch) string {
	op := p.GetPatch().GetOperation()
	value := p.GetPatch().GetValue().AsMap()
	merge := op == networking.EnvoyFilter_Patch_MERGE
	switch p.ApplyTo {
	case networking.EnvoyFilter_HTTP_FILTER:
		sub := p.GetMatch().GetListener().GetFilterChain().GetFilter().GetSubFilter().GetName()
		switch {
		case sub == corsFilterName || sub == "cors":
			return "it patches the CORS filter, or inserts a filter beside it"
		case isCORSFilter(value):
			return "its value is the CORS filter"
		}
	case networking.EnvoyFilter_NETWORK_FILTER:
		name := p.GetMatch().GetListener().GetFilterChain().GetFilter().GetName()
		hcm := name == "" || name == "envoy.filters.network.http_connection_manager"
		cfg, _ := field(value, "typed_config").(map[string]any)
		switch {
		case hcm && (op == networking.EnvoyFilter_Patch_REMOVE || op == networking.EnvoyFilter_Patch_REPLACE):
			return "it removes or replaces the HTTP connection manager"
		case !merge && typeOf(cfg) == hcmType:
			return "it adds an HTTP connection manager"
		case hcm && merge:
			if set := setFields(cfg, connectionManagerFields); set != "" {
				return "it sets the HTTP connection manager's " + set
			}
		}
	case networking.EnvoyFilter_LISTENER, networking.EnvoyFilter_FILTER_CHAIN:
		if op != networking.EnvoyFilter_Patch_REMOVE {
			if set := setFields(value, listenerFields); set != "" {
				return "it sets the " + set + " that route requests"
			}
		}
	case networking.EnvoyFilter_EXTENSION_CONFIG:
		if isCORSFilter(value) {
			return "its value is the CORS filter"
		}
	case networking.EnvoyFilter_ROUTE_CONFIGURATION:
		if !merge {
			return "it replaces route configurations"
		}
		if set := setFields(value, routeConfigFields); set != "" {
			return "it sets the route configurations' " + set
		}
	case networking.EnvoyFilter_VIRTUAL_HOST, networking.EnvoyFilter_HTTP_ROUTE:
		why := c.routePatch(p.ApplyTo, op, value)
		if why == "" {
			return ""
		}
		vh := p.GetMatch().GetRouteConfiguration().GetVhost()
		if host := vhostHost(vh.GetName(), vh.GetDomainName()); host != "" && !c.convertsHost(host) {
			return ""
		}
		if r := vh.GetRoute().GetName(); r != "" && !c.convertsRoute(r) {
			return ""
		}
		if p.ApplyTo == networking.EnvoyFilter_VIRTUAL_HOST && op == networking.EnvoyFilter_Patch_ADD {
			domains, _ := field(value, "domains").([]any)
			if !slices.ContainsFunc(domains, func(d any) bool { s, _ := d.(string); return c.convertsHost(strings.TrimSuffix(vhostHost(s, ""), ".")) }) {
				return ""
			}
		}
		return why
	}
	return ""
}

// routePatch says what a patch of virtual hosts or routes changes of
// their CORS handling, "" when nothing.
func (c *converter) routePatch(applyTo networking.EnvoyFilter_ApplyTo, op networking.EnvoyFilter_Patch_Operation, value map[string]any) string {
	switch {
	case op == networking.EnvoyFilter_Patch_REMOVE:
		return "it removes virtual hosts or routes"
	case op != networking.EnvoyFilter_Patch_MERGE && applyTo == networking.EnvoyFilter_VIRTUAL_HOST:
		return "it adds a virtual host"
	case op != networking.EnvoyFilter_Patch_MERGE:
		return "it adds a route"
	case applyTo == networking.EnvoyFilter_VIRTUAL_HOST:
		if set := setFields(value, virtualHostFields); set != "" {
			return "it sets their virtual hosts' " + set
		}
	default:
		action, _ := field(value, "route").(map[string]any)
		set := setFields(value, routeFields)
		if a := setFields(action, routeActionFields); a != "" {
			set = strings.TrimPrefix(set+", route."+strings.ReplaceAll(a, ", ", ", route."), ", ")
		}
		if set != "" {
			return "it sets their routes' " + set
		}
	}
	return ""
}

// setFields names the fields of obj among names (by their proto or JSON
// name), "" for none.
func setFields(obj map[string]any, names []string) string {
	var set []string
	for _, n := range names {
		if field(obj, n) != nil {
			set = append(set, n)
		}
	}
	return strings.Join(set, ", ")
}

// isCORSFilter reports whether a patch's value is the CORS filter: its
// name, or its typed_config (a TypedStruct's type_url too).
func isCORSFilter(value map[string]any) bool {
	name, _ := value["name"].(string)
	cfg, _ := field(value, "typed_config").(map[string]any)
	url, _ := field(cfg, "type_url").(string)
	return name == corsFilterName || typeOf(cfg) == corsFilterCfgT || url == corsFilterCfgT
}

// vhostHost returns the host of an EnvoyFilter's virtual host match:
// Istio names a virtual host "host:port".
func vhostHost(name, domain string) string {
	if domain != "" {
		return strings.ToLower(domain)
	}
	host, _, _ := strings.Cut(name, ":")
	return strings.ToLower(host)
}

// convertsHost reports whether some converted vhost or HTTPRoute may take
// host.
func (c *converter) convertsHost(host string) bool {
	var domains []string
	for _, vh := range c.vhosts {
		domains = append(domains, vh.domains...)
	}
	for _, r := range c.httpRoutes {
		domains = append(domains, r.hostnames...)
		if len(r.hostnames) == 0 {
			domains = append(domains, "*")
		}
	}
	return slices.ContainsFunc(domains, func(d string) bool { return hostsOverlap(d, host) || d == "*" || host == "*" })
}

// convertsRoute reports whether a converted route is named name.
func (c *converter) convertsRoute(name string) bool {
	for _, vh := range c.vhosts {
		if slices.ContainsFunc(vh.scopes, func(s scope) bool { return s.name == name || strings.HasPrefix(name, s.name+".") }) {
			return true
		}
	}
	return len(c.httpRoutes) > 0 // Istio names Gateway API routes after their own ids
}
