package convert

import (
	"fmt"
	"reflect"
	"slices"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/corswasm/corswasm/policy"
)

// envoy converts an Envoy bootstrap, RouteConfiguration, VirtualHost or
// Route, recognized by their fields (an "@type" is allowed).
func (c *converter) envoy(obj map[string]any) error {
	delete(obj, "@type")
	switch {
	case has(obj, "static_resources", "staticResources", "dynamic_resources", "dynamicResources"):
		return c.bootstrap(obj)
	case has(obj, "virtual_hosts", "virtualHosts"):
		if name, _ := obj["name"].(string); c.claimed[name] {
			return nil // converted with the connection manager that uses it
		}
		return c.routeConfiguration(obj, nil)
	case has(obj, "domains"):
		var vh routev3.VirtualHost
		if err := c.unmarshalEnvoy(obj, &vh, "VirtualHost"); err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy VirtualHost %q", vh.Name))
		from := fmt.Sprintf("virtual host %q", vh.Name)
		c.virtualHost(from, &vh, nil, &routeTable{h: c.inputHCM(from, parent{kind: "envoy"}, corsNames(virtualHostConfigs([]*routev3.VirtualHost{&vh})...)), ports: &portTable{}})
	case has(obj, "match"):
		var r routev3.Route
		if err := c.unmarshalEnvoy(obj, &r, "Route"); err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy Route %q", r.Name))
		from := fmt.Sprintf("route %q", r.Name)
		h := c.inputHCM(from, parent{kind: "envoy"}, corsNames(routeConfigs([]*routev3.Route{&r})...))
		c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: from, name: "route", domains: []string{"*"}, parents: []parent{h.parent},
			scopes: c.routes("", "route", nil, []*routev3.Route{&r}, &routeTable{h: h, ports: &portTable{}})})
	default:
		return nil
	}
	c.kinds["envoy"] = true
	return nil
}

// routeConfiguration converts a RouteConfiguration served by the
// connection manager h (nil when the input does not hold it).
func (c *converter) routeConfiguration(obj map[string]any, h *hcm) error {
	var rc routev3.RouteConfiguration
	if err := c.unmarshalEnvoy(obj, &rc, "RouteConfiguration"); err != nil {
		return err
	}
	c.sources = append(c.sources, fmt.Sprintf("Envoy RouteConfiguration %q", rc.Name))
	c.kinds["envoy"] = true
	from := fmt.Sprintf("route configuration %q", rc.Name)
	if h == nil {
		h = c.inputHCM(from, parent{kind: "route configuration", name: rc.Name}, corsNames(append(virtualHostConfigs(rc.VirtualHosts), rc.TypedPerFilterConfig)...))
	}
	if rc.Vhds != nil {
		c.refuse("%s: virtual hosts come from VHDS (vhds), which are not in the input; give the virtual hosts (Envoy's /config_dump has them)", from)
	}
	// A policy for the whole route configuration applies field by field
	// where a virtual host or route sets none.
	rt := &routeTable{h: h, ignorePathParameters: rc.IgnorePathParametersInPathMatching,
		ports: &portTable{ignored: rc.IgnorePortInHostMatching || h.stripAnyPort, stripped: h.strippedPort}}
	parents := []corsLevel{c.level(from, rc.TypedPerFilterConfig, nil, h)}
	for i, vh := range rc.VirtualHosts {
		c.virtualHost(fmt.Sprintf("%s virtual_hosts[%d] %q", from, i, vh.Name), vh, parents, rt)
	}
	return nil
}

func has(obj map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	return false
}

// unmarshalEnvoy reads obj as an Envoy message, after dropping the
// per-filter configurations the CORS filter does not read.
func (c *converter) unmarshalEnvoy(obj map[string]any, m proto.Message, what string) error {
	dropForeignTypedConfigs(obj)
	js, err := jsonOf(obj)
	if err != nil {
		return err
	}
	if err := protojson.Unmarshal(js, m); err != nil {
		return fmt.Errorf("not a valid Envoy %s (envoy.config.route.v3): %w", what, err)
	}
	return nil
}

// dropForeignTypedConfigs removes the per-filter configurations of other
// filters than CORS, whose types this command does not link (protojson
// would refuse them): it keeps CorsPolicy entries, and FilterConfig
// entries that wrap one, wrap nothing, or wrap an empty configuration
// (they may disable or enable the CORS filter).
func dropForeignTypedConfigs(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			cfgs, ok := val.(map[string]any)
			if !ok || k != "typed_per_filter_config" && k != "typedPerFilterConfig" {
				dropForeignTypedConfigs(val)
				continue
			}
			for name, cfg := range cfgs {
				if !readsCORS(cfg) {
					delete(cfgs, name)
				}
			}
		}
	case []any:
		for _, e := range v {
			dropForeignTypedConfigs(e)
		}
	}
}

// readsCORS reports whether a typed_per_filter_config entry may be the
// CORS filter's.
func readsCORS(cfg any) bool {
	m, _ := cfg.(map[string]any)
	switch m["@type"] {
	case corsFilterType:
		return true
	case filterConfigType:
		inner, present := m["config"]
		if !present {
			return true
		}
		im, _ := inner.(map[string]any)
		t, _ := im["@type"].(string)
		return im != nil && (t == "" && len(im) == 0 || t == corsFilterType)
	}
	return false
}

// virtualHost adds a virtual host: its domains and its routes; parents
// are the levels above it (the route configuration's).
func (c *converter) virtualHost(from string, vh *routev3.VirtualHost, parents []corsLevel, rt *routeTable) {
	hosts, domains := c.envoyDomains(from, vh.Domains, rt.ports)
	levels := append([]corsLevel{c.level(from, vh.TypedPerFilterConfig, vh.Cors, rt.h)}, parents...)
	if vh.Matcher != nil {
		c.refuse("%s chooses its routes with a matcher tree (matcher), which corswasm cannot convert", from)
	}
	scopes := c.routes(from, vh.Name, levels, vh.Routes, rt)
	if vh.RequireTls != routev3.VirtualHost_NONE && slices.ContainsFunc(scopes, func(s scope) bool { return s.cors != nil }) {
		c.refuse("%s: require_tls %s: Envoy redirects plain-HTTP requests to https without CORS handling, and corswasm rules cannot select requests by scheme", from, vh.RequireTls)
	}
	c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: from, name: vh.Name, domains: hosts, scopes: scopes, authorities: domains, ports: rt.ports, parents: []parent{rt.h.parent}})
}

// routeTable is how a route configuration's routes are matched: its
// connection manager's CORS filter, and its own matching fields.
type routeTable struct {
	h *hcm
	// ports says how the port counts in choosing a virtual host; one for
	// each route configuration.
	ports *portTable
	// ignorePathParameters: paths are matched up to their first ";"
	// (ignore_path_parameters_in_path_matching).
	ignorePathParameters bool
}

// routes returns one scope per route, in order (Envoy takes the first
// route that matches); parents are the levels above the routes.
func (c *converter) routes(from, vhName string, parents []corsLevel, routes []*routev3.Route, rt *routeTable) []scope {
	var scopes []scope
	for i, r := range routes {
		at := routeName(from, i, r)
		paths, conditions, never := envoyMatch(r.GetMatch(), rt)
		if never != "" {
			c.note("%s: %s: Envoy never takes this route: left out", at, never)
			continue
		}
		levels := append([]corsLevel{c.level(at, r.TypedPerFilterConfig, r.GetRoute().GetCors(), rt.h)}, parents...)
		cors := c.weightedCORS(at, r, levels, rt.h)
		if cors != nil && r.GetRoute() == nil && r.GetNonForwardingAction() == nil && r.GetFilterAction() == nil {
			// CorsFilter::decodeHeaders does nothing on a route without a
			// route entry: RouteEntryImplBase::routeEntry is null for
			// redirects and direct responses. The policy's own notes do
			// not apply.
			c.takeNotes()
			c.policyNote("%s answers with a redirect or a direct response: Envoy's CORS filter does nothing there, so its CORS policy has no effect; the rule leaves its requests alone", at)
			cors = nil
		}
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", vhName, i)
		}
		scopes = append(scopes, scope{from: at, name: name, paths: paths, cors: cors, conditions: conditions, notes: c.takeNotes()})
	}
	return scopes
}

// weightedCORS is routeCORS for a route whose weighted clusters may add a
// level of their own (WeightedClusterEntry::perFilterConfigs): the policy
// must then be the same whichever cluster Envoy picks.
func (c *converter) weightedCORS(at string, r *routev3.Route, levels []corsLevel, h *hcm) *policy.Config {
	var clusters []corsLevel
	for i, cw := range r.GetRoute().GetWeightedClusters().GetClusters() {
		clusters = append(clusters, c.level(fmt.Sprintf("%s weighted_clusters.clusters[%d] %q", at, i, cw.Name), cw.TypedPerFilterConfig, nil, h))
	}
	if !slices.ContainsFunc(clusters, func(l corsLevel) bool { return l.typed != nil || l.canonical != nil || l.disabled != nil }) {
		return c.routeCORS(levels, h)
	}
	var cors *policy.Config
	for i, l := range clusters {
		ci := c.routeCORS(append([]corsLevel{l}, levels...), h)
		if i > 0 && !reflect.DeepEqual(ci, cors) {
			c.refuse("%s: its weighted clusters give requests different CORS policies, and Envoy picks the cluster at random by weight; a corswasm rule applies one policy to all of its requests", at)
			return nil
		}
		cors = ci
	}
	return cors
}

func routeName(from string, i int, r *routev3.Route) string {
	at := fmt.Sprintf("routes[%d]", i)
	if from != "" {
		at = from + " " + at
	}
	if r.Name != "" {
		at += fmt.Sprintf(" %q", r.Name)
	}
	return at
}
