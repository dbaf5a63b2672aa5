package convert

import (
	"fmt"
	"slices"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Envoy's CORS filter reads its per-route configuration by the name its
// connection manager gives it (http_filters[].name, its config name):
// every level's typed_per_filter_config entry under that name, or, only
// when no level has one, the entries under its canonical name
// envoy.filters.http.cors (ActiveStreamFilterBase::traversePerFilterConfig
// in source/common/http/filter_manager.cc). A FilterConfig disables or
// enables the filter under its config name alone (RouteEntryImplBase::
// filterDisabled in source/common/router/config_impl.cc, PerFilterConfigs
// in source/common/router/per_filter_config.cc). Without the connection
// manager, the name is the one under which the input puts its CORS
// policies; an input that uses several is refused, since which of them
// Envoy reads depends on the name.

// Type URLs of typed_per_filter_config entries the CORS filter reads.
const (
	corsFilterType   = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy"
	filterConfigType = "type.googleapis.com/envoy.config.route.v3.FilterConfig"
	// corsFilterName is the CORS filter's canonical name, the one Envoy's
	// documentation and Istio (wellknown.CORS) give it.
	corsFilterName = "envoy.filters.http.cors"
)

// hcm is what an HTTP connection manager says of its CORS filter.
type hcm struct {
	// known: the connection manager was read (from a bootstrap);
	// otherwise name is the one the input's CORS policies have.
	known bool
	// name is the CORS filter's config name; "" when the connection
	// manager has none.
	name string
	// disabled: the filter is disabled unless a route enables it
	// (http_filters[].disabled).
	disabled bool
	// stripAnyPort: the connection manager removes the port from
	// :authority (strip_any_host_port), or strippedPort, the listener's
	// port, when :authority has it (strip_matching_host_port).
	stripAnyPort bool
	strippedPort string
	// parent is what its route configuration is attached to: the
	// connection manager's listener, or the document given alone.
	parent parent
}

// inputHCM stands for the connection manager of route configurations,
// virtual hosts or routes read without it: it runs the CORS filter,
// enabled, under the name their CORS policies have (envoy.filters.http.cors
// when they have none), refused when they have several.
func (c *converter) inputHCM(from string, p parent, names []string) *hcm {
	switch len(names) {
	case 0:
		return &hcm{name: corsFilterName, parent: p}
	case 1:
		return &hcm{name: names[0], parent: p}
	}
	c.refuse("%s: CORS policies under the names %s in typed_per_filter_config: Envoy reads those under the name its connection manager gives the CORS filter (http_filters), and those under %s only where there are none, so which apply depends on that name; convert with the bootstrap or listener that names it, or use one name", from, quoteAll(names), corsFilterName)
	return &hcm{name: names[0], parent: p}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " and ")
}

// corsNames returns the names under which typed_per_filter_config maps
// hold a CORS policy, sorted.
func corsNames(cfgs ...map[string]*anypb.Any) []string {
	var names []string
	for _, m := range cfgs {
		for name, a := range m {
			if p, _ := corsEntry(a); p != nil && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// routeConfigs returns the typed_per_filter_config maps of routes, their
// weighted clusters included.
func routeConfigs(routes []*routev3.Route) []map[string]*anypb.Any {
	var out []map[string]*anypb.Any
	for _, r := range routes {
		out = append(out, r.TypedPerFilterConfig)
		for _, cw := range r.GetRoute().GetWeightedClusters().GetClusters() {
			out = append(out, cw.TypedPerFilterConfig)
		}
	}
	return out
}

// virtualHostConfigs returns the typed_per_filter_config maps of virtual
// hosts and their routes.
func virtualHostConfigs(vhs []*routev3.VirtualHost) []map[string]*anypb.Any {
	var out []map[string]*anypb.Any
	for _, vh := range vhs {
		out = append(out, vh.TypedPerFilterConfig)
		out = append(out, routeConfigs(vh.Routes)...)
	}
	return out
}

// corsLevel is what one level of Envoy's route table (route
// configuration, virtual host, route, weighted cluster) says to the CORS
// filter.
type corsLevel struct {
	from string
	// typed is the level's CORS policy under the filter's name, canonical
	// the one under its canonical name (when that is another), and
	// deprecated its cors field (virtual hosts and route actions).
	typed, canonical, deprecated *envoyPolicy
	// disabled is set by an entry under the filter's name: true disables
	// the filter here, false enables it explicitly.
	disabled *bool
}

// level reads a level's typed_per_filter_config entries for the CORS
// filter named as h says.
func (c *converter) level(from string, cfgs map[string]*anypb.Any, deprecated *routev3.CorsPolicy, h *hcm) corsLevel {
	l := corsLevel{from: from, deprecated: deprecatedPolicy(from, deprecated)}
	if a, ok := cfgs[h.name]; ok && h.name != "" {
		p, disabled := corsEntry(a)
		l.disabled = &disabled
		if p != nil {
			l.typed = typedPolicy(from, p)
		}
	}
	if a, ok := cfgs[corsFilterName]; ok && h.name != corsFilterName {
		if p, _ := corsEntry(a); p != nil {
			l.canonical = typedPolicy(from, p)
		}
	}
	return l
}

// corsEntry reads a typed_per_filter_config entry as PerFilterConfigs
// does: a CorsPolicy, or a FilterConfig that disables the filter, enables
// it explicitly (an empty config) or wraps a CorsPolicy. Entries of other
// filters were dropped before the route table was read
// (dropForeignTypedConfigs).
func corsEntry(a *anypb.Any) (p *corsv3.CorsPolicy, disabled bool) {
	switch a.GetTypeUrl() {
	case corsFilterType:
		p = &corsv3.CorsPolicy{}
		if a.UnmarshalTo(p) != nil {
			return nil, false
		}
		return p, false
	case filterConfigType:
		var fc routev3.FilterConfig
		if a.UnmarshalTo(&fc) != nil {
			return nil, false
		}
		if fc.Disabled {
			return nil, true
		}
		if fc.GetConfig().GetTypeUrl() == corsFilterType {
			p = &corsv3.CorsPolicy{}
			if fc.Config.UnmarshalTo(p) != nil {
				return nil, false
			}
			return p, false
		}
	}
	return nil, false
}
