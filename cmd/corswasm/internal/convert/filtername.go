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
	// name is the CORS filter's config name; "" when the connection
	// manager has none. Without the connection manager, it is the name
	// under which the input puts its CORS policies.
	name string
	// uncertain are, without the connection manager, the names of
	// FilterConfig entries that may be the CORS filter's (its name is
	// not known): the CORS handling must not depend on whether they are.
	uncertain []string
	// others are, without the connection manager and with its CORS
	// policies under another name than the canonical one, names the
	// filter may have instead, under which those policies are not read
	// and the deprecated cors fields apply where no level has one: a
	// route whose CORS handling those fields then give differently must
	// not depend on the name.
	others []string
	// disabled: the filter is disabled unless a route enables it
	// (http_filters[].disabled).
	disabled bool
	// stripAnyPort: the connection manager removes the port from
	// :authority (strip_any_host_port), or strippedPort, the listener's
	// port, when :authority has it (strip_matching_host_port).
	stripAnyPort bool
	strippedPort string
	// stripDot: the connection manager removes a trailing dot from the
	// host (strip_trailing_host_dot).
	stripDot bool
	// parent is what its route configuration is attached to: the
	// connection manager's listener, or the document given alone.
	parent parent
}

// inputHCM stands for the connection manager of route configurations,
// virtual hosts or routes read without it (cfgs are their
// typed_per_filter_config maps): it runs the CORS filter, enabled, under
// the name their CORS policies have (envoy.filters.http.cors when they
// have none), refused when they have several. When that name is the
// canonical one, which Envoy also reads under any other name, a
// FilterConfig under another name may be the filter's, unless the name is
// another Envoy filter's canonical one (envoy.filters.http.ext_authz…):
// such a name is uncertain, and a route whose CORS handling depends on it
// is refused (see envoy.go's routes).
func (c *converter) inputHCM(from string, p parent, cfgs []map[string]*anypb.Any) *hcm {
	names, filterConfigs := entryNames(cfgs)
	h := &hcm{name: corsFilterName, parent: p}
	switch len(names) {
	case 0:
	case 1:
		h.name = names[0]
	default:
		c.refuse("%s: CORS policies under the names %s in typed_per_filter_config: Envoy reads those under the name its connection manager gives the CORS filter (http_filters), and those under %s only where there are none, so which apply depends on that name; convert with the bootstrap or listener that names it, or use one name", from, quoteAll(names), corsFilterName)
		h.name = names[0]
	}
	for _, n := range filterConfigs {
		if h.name == corsFilterName && !strings.HasPrefix(n, "envoy.filters.http.") {
			h.uncertain = append(h.uncertain, n)
		}
	}
	if h.name != corsFilterName {
		h.others = []string{corsFilterName}
	}
	return h
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, " and ")
}

// entryNames returns the names under which typed_per_filter_config maps
// hold a CORS policy, and those under which they hold a FilterConfig
// without one, sorted.
func entryNames(cfgs []map[string]*anypb.Any) (policies, filterConfigs []string) {
	for _, m := range cfgs {
		for name, a := range m {
			p, _ := corsEntry(a)
			switch {
			case p != nil:
				policies = append(policies, name)
			case a.GetTypeUrl() == filterConfigType:
				filterConfigs = append(filterConfigs, name)
			}
		}
	}
	slices.Sort(policies)
	slices.Sort(filterConfigs)
	policies = slices.Compact(policies)
	filterConfigs = slices.DeleteFunc(slices.Compact(filterConfigs), func(n string) bool { return slices.Contains(policies, n) })
	return policies, filterConfigs
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
// filter: its typed_per_filter_config entries, read by the filter's name
// (entry), and its deprecated cors field (virtual hosts and route
// actions).
type corsLevel struct {
	from       string
	cfgs       map[string]*anypb.Any
	deprecated *envoyPolicy
}

func level(from string, cfgs map[string]*anypb.Any, deprecated *routev3.CorsPolicy) corsLevel {
	return corsLevel{from: from, cfgs: cfgs, deprecated: deprecatedPolicy(from, deprecated)}
}

// entry reads the level's entry under name: its CORS policy, if any, and
// whether it disables the filter (nil when there is no entry: the level
// says neither way).
func (l *corsLevel) entry(name string) (p *envoyPolicy, disabled *bool) {
	a, ok := l.cfgs[name]
	if !ok || name == "" {
		return nil, nil
	}
	cp, d := corsEntry(a)
	if cp != nil {
		p = typedPolicy(l.from, cp)
	}
	return p, &d
}

// corsEntry reads a typed_per_filter_config entry as PerFilterConfigs
// does: a CorsPolicy, or a FilterConfig that disables the filter, enables
// it explicitly (an empty config) or wraps a CorsPolicy. Entries of other
// filters were removed before the route table was read
// (readTypedConfigs).
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
