package convert

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/corswasm/corswasm/internal/engine"
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
		foreign, err := c.unmarshalEnvoy(obj, &vh, "VirtualHost")
		if err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy VirtualHost %q", vh.Name))
		from := fmt.Sprintf("virtual host %q", vh.Name)
		defer c.about([]parent{{kind: "envoy"}})()
		h := c.inputHCM(from, parent{kind: "envoy"}, virtualHostConfigs([]*routev3.VirtualHost{&vh}))
		c.foreignUnderCORS(from, foreign, h)
		c.virtualHost(from, &vh, nil, &routeTable{h: h, table: &authorityTable{source: "envoy"}})
	case has(obj, "match"):
		var r routev3.Route
		foreign, err := c.unmarshalEnvoy(obj, &r, "Route")
		if err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy Route %q", r.Name))
		from := fmt.Sprintf("route %q", r.Name)
		defer c.about([]parent{{kind: "envoy"}})()
		h := c.inputHCM(from, parent{kind: "envoy"}, routeConfigs([]*routev3.Route{&r}))
		c.foreignUnderCORS(from, foreign, h)
		c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: from, name: "route", domains: []string{"*"}, parents: []parent{h.parent},
			scopes: c.routes("", "route", nil, []*routev3.Route{&r}, &routeTable{h: h, table: &authorityTable{source: "envoy"}})})
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
	foreign, err := c.unmarshalEnvoy(obj, &rc, "RouteConfiguration")
	if err != nil {
		return err
	}
	c.sources = append(c.sources, fmt.Sprintf("Envoy RouteConfiguration %q", rc.Name))
	c.kinds["envoy"] = true
	from := fmt.Sprintf("route configuration %q", rc.Name)
	p := parent{kind: "route configuration", name: rc.Name}
	if h != nil {
		p = h.parent
	}
	defer c.about([]parent{p})()
	if h == nil {
		h = c.inputHCM(from, p, append(virtualHostConfigs(rc.VirtualHosts), rc.TypedPerFilterConfig))
	}
	c.foreignUnderCORS(from, foreign, h)
	if rc.Vhds != nil {
		c.refuse("%s: virtual hosts come from VHDS (vhds), which are not in the input; give the virtual hosts (Envoy's /config_dump has them)", from)
	}
	if rc.VhostHeader != "" {
		// RouteMatcher::findVirtualHost reads the host from that header,
		// and chooses no virtual host when it is absent.
		c.refuse("%s: vhost_header %q: Envoy chooses the virtual host by that header instead of :authority, and corswasm rules match :authority", from, rc.VhostHeader)
	}
	// A policy for the whole route configuration applies field by field
	// where a virtual host or route sets none.
	rt := &routeTable{h: h, ignorePathParameters: rc.IgnorePathParametersInPathMatching,
		table: &authorityTable{source: "envoy", ignored: rc.IgnorePortInHostMatching || h.stripAnyPort, stripped: h.strippedPort, dotStripped: h.stripDot}}
	parents := []corsLevel{level(from, rc.TypedPerFilterConfig, nil)}
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

// unmarshalEnvoy reads obj as an Envoy message, after removing the
// per-filter configurations the CORS filter does not read, which it
// returns (readTypedConfigs).
func (c *converter) unmarshalEnvoy(obj map[string]any, m proto.Message, what string) ([]foreignEntry, error) {
	foreign := readTypedConfigs(obj, "")
	js, err := jsonOf(obj)
	if err != nil {
		return nil, err
	}
	if err := protojson.Unmarshal(js, m); err != nil {
		return nil, fmt.Errorf("not a valid Envoy %s (envoy.config.route.v3): %w", what, err)
	}
	return foreign, nil
}

// virtualHost adds a virtual host: its domains and its routes; parents
// are the levels above it (the route configuration's).
func (c *converter) virtualHost(from string, vh *routev3.VirtualHost, parents []corsLevel, rt *routeTable) {
	hosts, domains := c.envoyDomains(from, vh.Domains, rt.table)
	levels := append([]corsLevel{level(from, vh.TypedPerFilterConfig, vh.Cors)}, parents...)
	if vh.Matcher != nil {
		c.refuse("%s chooses its routes with a matcher tree (matcher), which corswasm cannot convert", from)
	}
	scopes := c.routes(from, vh.Name, levels, vh.Routes, rt)
	if vh.RequireTls != routev3.VirtualHost_NONE && slices.ContainsFunc(scopes, func(s scope) bool { return s.cors != nil }) {
		c.note("%s: require_tls %s: %s", from, vh.RequireTls, redirectAnswered)
	}
	c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: from, name: vh.Name, domains: hosts, scopes: scopes, authorities: domains, table: rt.table, parents: []parent{rt.h.parent}})
}

// routeTable is how a route configuration's routes are matched: its
// connection manager's CORS filter, and its own matching fields.
type routeTable struct {
	h *hcm
	// table says how the port and a trailing dot count in choosing a
	// virtual host; one for each route configuration.
	table *authorityTable
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
		levels := append([]corsLevel{level(at, r.TypedPerFilterConfig, r.GetRoute().GetCors())}, parents...)
		var cors *engine.Config
		if r.GetRoute() == nil && r.GetNonForwardingAction() == nil && r.GetFilterAction() == nil {
			// CorsFilter::decodeHeaders does nothing on a route without a
			// route entry: RouteEntryImplBase::routeEntry is null for
			// redirects and direct responses.
			if c.weightedCORS(at, r, levels, rt.h) != nil {
				c.takeNotes() // the policy's own notes do not apply
				c.policyNote("%s answers with a redirect or a direct response: Envoy's CORS filter does nothing there, so its CORS policy has no effect; the rule leaves its requests alone", at)
			}
		} else {
			cors = c.weightedCORS(at, r, levels, rt.h)
			c.nameIndependent(at, r, levels, rt.h, cors)
		}
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", vhName, i)
		}
		c.nameRoute(r.Name, at, cors)
		scopes = append(scopes, scope{from: at, name: name, paths: paths, cors: cors, conditions: conditions, route: r.Name, notes: c.takeNotes()})
	}
	return scopes
}

// nameIndependent refuses a route whose CORS handling, cors with the
// filter named as h says, differs when the filter has one of h's
// uncertain names instead, or one of its other names and the deprecated
// cors fields then apply (see inputHCM).
func (c *converter) nameIndependent(at string, r *routev3.Route, levels []corsLevel, h *hcm, cors *engine.Config) {
	for _, name := range h.uncertain {
		if other := c.corsNamed(at, r, levels, h, name); !reflect.DeepEqual(other, cors) {
			c.refuse("%s: a FilterConfig under %q in typed_per_filter_config disables or enables the CORS filter only if its connection manager names it %q, which the input does not show, and the CORS handling of these requests depends on it; convert with the bootstrap or listener whose http_filters name the CORS filter", at, name, name)
			return
		}
	}
	// Policies under their own name are taken to be read (an input that
	// names them so means it), unless the filter named otherwise would
	// apply the deprecated cors fields here instead.
	for _, name := range h.others {
		if other := c.corsNamed(at, r, levels, h, name); other != nil && !reflect.DeepEqual(other, cors) {
			c.refuse("%s: its CORS policy is under %q in typed_per_filter_config, which Envoy reads only if its connection manager names the CORS filter %q; named otherwise (%q), the filter reads the deprecated cors field of the route or virtual host here instead, and the input does not show the name; convert with the bootstrap or listener whose http_filters name the CORS filter, or move the policy under %q", at, h.name, h.name, name, name)
			return
		}
	}
}

// corsNamed is the route's CORS handling with the filter named name
// instead of h's name, without notes or refusals.
func (c *converter) corsNamed(at string, r *routev3.Route, levels []corsLevel, h *hcm, name string) *engine.Config {
	alt := *h
	alt.name, alt.uncertain, alt.others = name, nil, nil
	var cors *engine.Config
	c.aside(func() { cors = c.weightedCORS(at, r, levels, &alt) })
	return cors
}

// aside runs f and forgets the notes and refusals it records.
func (c *converter) aside(f func()) {
	pending, refusals, said := c.pending, len(c.refusals), maps.Clone(c.said)
	var saying attachedSay
	if c.saying != nil {
		saying = *c.saying
	}
	f()
	c.pending, c.refusals, c.said = pending, c.refusals[:refusals], said
	if c.saying != nil {
		c.saying.notes, c.saying.refusals = saying.notes, saying.refusals
	}
}

// weightedCORS is routeCORS for a route whose weighted clusters may add a
// level of their own (WeightedClusterEntry::perFilterConfigs): the policy
// must then be the same whichever cluster Envoy picks.
func (c *converter) weightedCORS(at string, r *routev3.Route, levels []corsLevel, h *hcm) *engine.Config {
	var clusters []corsLevel
	for i, cw := range r.GetRoute().GetWeightedClusters().GetClusters() {
		clusters = append(clusters, level(fmt.Sprintf("%s weighted_clusters.clusters[%d] %q", at, i, cw.Name), cw.TypedPerFilterConfig, nil))
	}
	if !slices.ContainsFunc(clusters, func(l corsLevel) bool { return len(l.cfgs) > 0 }) {
		return c.routeCORS(levels, h)
	}
	var cors *engine.Config
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
