package convert

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/corswasm/corswasm/policy"
)

// corsFilterType is the per-route configuration of Envoy's CORS filter.
const corsFilterType = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy"

// envoy converts an Envoy RouteConfiguration, VirtualHost or Route,
// recognized by their fields (an "@type" is allowed).
func (c *converter) envoy(obj map[string]any) error {
	delete(obj, "@type")
	c.dropForeignTypedConfigs(obj, "")
	js, err := jsonOf(obj)
	if err != nil {
		return err
	}
	switch {
	case has(obj, "virtual_hosts", "virtualHosts"):
		var rc routev3.RouteConfiguration
		if err := unmarshalEnvoy(js, &rc, "RouteConfiguration"); err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy RouteConfiguration %q", rc.Name))
		// A policy for the whole route configuration applies where a
		// virtual host or route sets none.
		rcCORS := c.typedCORS(fmt.Sprintf("route configuration %q", rc.Name), rc.TypedPerFilterConfig)
		for i, vh := range rc.VirtualHosts {
			c.virtualHost(fmt.Sprintf("route configuration %q virtual_hosts[%d] %q", rc.Name, i, vh.Name), vh, rcCORS)
		}
	case has(obj, "domains"):
		var vh routev3.VirtualHost
		if err := unmarshalEnvoy(js, &vh, "VirtualHost"); err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy VirtualHost %q", vh.Name))
		c.virtualHost(fmt.Sprintf("virtual host %q", vh.Name), &vh, nil)
	case has(obj, "match"):
		var r routev3.Route
		if err := unmarshalEnvoy(js, &r, "Route"); err != nil {
			return err
		}
		c.sources = append(c.sources, fmt.Sprintf("Envoy Route %q", r.Name))
		c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: fmt.Sprintf("route %q", r.Name), name: "route", domains: []string{"*"},
			scopes: c.routes("", "route", nil, []*routev3.Route{&r})})
	default:
		return nil
	}
	c.kinds["envoy"] = true
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

func unmarshalEnvoy(js []byte, m proto.Message, what string) error {
	if err := protojson.Unmarshal(js, m); err != nil {
		return fmt.Errorf("not a valid Envoy %s (envoy.config.route.v3): %w", what, err)
	}
	return nil
}

// dropForeignTypedConfigs removes the per-filter configurations of other
// filters than CORS, whose types this command does not link (protojson
// would refuse them), noting each.
func (c *converter) dropForeignTypedConfigs(v any, path string) {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if (k == "typed_per_filter_config" || k == "typedPerFilterConfig") && isObject(val) {
				for name, cfg := range val.(map[string]any) {
					if m, ok := cfg.(map[string]any); !ok || m["@type"] != corsFilterType {
						delete(val.(map[string]any), name)
					}
				}
				continue
			}
			c.dropForeignTypedConfigs(val, path+"."+k)
		}
	case []any:
		for _, e := range v {
			c.dropForeignTypedConfigs(e, path)
		}
	}
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// virtualHost adds a virtual host: its domains and its routes; inherited
// is the route configuration's policy, which the virtual host's replaces.
func (c *converter) virtualHost(from string, vh *routev3.VirtualHost, inherited *policy.Config) {
	var domains []string
	for _, d := range vh.Domains {
		d = strings.ToLower(d)
		host, _, hasPort := strings.Cut(d, ":")
		if hasPort && !strings.HasPrefix(d, "[") {
			c.note("%s: domain %q: corswasm ignores the port of :authority; the rule matches %q on every port", from, d, host)
			d = host
		}
		if d != "*" && (strings.HasPrefix(d, "*") && !strings.HasPrefix(d, "*.") || strings.HasSuffix(d, "*")) {
			c.refuse("%s: domain %q: corswasm matches hosts exactly or by a whole-label wildcard (*.example.com)", from, d)
			continue
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	vhCORS := c.typedCORS(from, vh.TypedPerFilterConfig)
	if vhCORS == nil && vh.Cors != nil {
		vhCORS = c.routeCORS(from, vh.Cors)
	}
	if vhCORS == nil {
		vhCORS = inherited
	}
	c.vhosts = append(c.vhosts, vhost{kind: "envoy", from: from, name: vh.Name, domains: domains, scopes: c.routes(from, vh.Name, vhCORS, vh.Routes)})
}

// routes returns one scope per route, in order (Envoy takes the first
// route that matches). A route's own CORS policy replaces its virtual
// host's whole.
func (c *converter) routes(from, vhName string, vhCORS *policy.Config, routes []*routev3.Route) []scope {
	cors := make([]*policy.Config, len(routes))
	for i, r := range routes {
		at := routeName(from, i, r)
		cors[i] = vhCORS
		if p := c.typedCORS(at, r.TypedPerFilterConfig); p != nil {
			cors[i] = p
		} else if ra := r.GetRoute(); ra != nil && ra.Cors != nil {
			cors[i] = c.routeCORS(at, ra.Cors)
		}
	}
	corsAfter := make([]bool, len(routes)+1)
	for i := len(routes) - 1; i >= 0; i-- {
		corsAfter[i] = corsAfter[i+1] || cors[i] != nil
	}
	var scopes []scope
	for i, r := range routes {
		at := routeName(from, i, r)
		m := r.GetMatch()
		var prefixes []string
		switch {
		case m.GetPrefix() != "" && m.GetPrefix() != "/":
			prefixes = []string{m.GetPrefix()}
		case m.GetPrefix() == "/":
		case m.GetPath() != "":
			prefixes = []string{m.GetPath()}
			c.note("%s: the exact path %q became a path prefix: the policy also applies to longer paths", at, m.GetPath())
		case m.GetPathSeparatedPrefix() != "":
			prefixes = []string{m.GetPathSeparatedPrefix()}
			c.note("%s: path_separated_prefix %q became a byte prefix: it also matches %q", at, m.GetPathSeparatedPrefix(), m.GetPathSeparatedPrefix()+"x")
		default:
			c.unscopable(at, "this kind of path match", corsAfter[i])
			continue
		}
		conditional := len(m.Headers) > 0 || len(m.QueryParameters) > 0 || m.Grpc != nil || m.RuntimeFraction != nil || len(m.DynamicMetadata) > 0
		if cors[i] != nil {
			if conditional {
				c.note("%s: corswasm does not match on headers, query parameters, gRPC, runtime fractions or metadata: the policy applies to every request to these hosts and paths", at)
			}
			if cs := m.CaseSensitive; cs != nil && !cs.Value {
				c.note("%s: case_sensitive false: corswasm compares path prefixes case-sensitively", at)
			}
		}
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", vhName, i)
		}
		scopes = append(scopes, scope{from: at, name: name, prefixes: prefixes, cors: cors[i], conditional: conditional})
	}
	return scopes
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

// typedCORS converts the CORS filter's per-filter configuration, if any.
func (c *converter) typedCORS(from string, cfgs map[string]*anypb.Any) *policy.Config {
	for _, a := range cfgs {
		var p corsv3.CorsPolicy
		if a.GetTypeUrl() == corsFilterType && a.UnmarshalTo(&p) == nil {
			return c.envoyCORS(from, envoyPolicy{
				origins: p.AllowOriginStringMatch, methods: p.AllowMethods, headers: p.AllowHeaders,
				expose: p.ExposeHeaders, maxAge: p.MaxAge, credentials: p.AllowCredentials,
				privateNetwork: p.AllowPrivateNetworkAccess, forward: p.ForwardNotMatchingPreflights,
				filterEnabled: p.FilterEnabled != nil, shadow: p.ShadowEnabled != nil,
			})
		}
	}
	return nil
}

// routeCORS converts the deprecated cors field of a virtual host or route.
func (c *converter) routeCORS(from string, p *routev3.CorsPolicy) *policy.Config {
	return c.envoyCORS(from, envoyPolicy{
		origins: p.AllowOriginStringMatch, methods: p.AllowMethods, headers: p.AllowHeaders,
		expose: p.ExposeHeaders, maxAge: p.MaxAge, credentials: p.AllowCredentials,
		privateNetwork: p.AllowPrivateNetworkAccess, forward: p.ForwardNotMatchingPreflights,
		filterEnabled: p.GetFilterEnabled() != nil, shadow: p.ShadowEnabled != nil,
	})
}

// envoyPolicy holds the fields both of Envoy's CorsPolicy messages have.
type envoyPolicy struct {
	origins                     []*matcherv3.StringMatcher
	methods, headers, expose    string
	maxAge                      string
	credentials, privateNetwork *wrapperspb.BoolValue
	forward                     *wrapperspb.BoolValue
	filterEnabled, shadow       bool
}

func (c *converter) envoyCORS(from string, p envoyPolicy) *policy.Config {
	cfg := &policy.Config{}
	var ms []originMatcher
	for _, m := range p.origins {
		switch {
		case m.GetExact() != "":
			ms = append(ms, originMatcher{"exact", m.GetExact()})
		case m.GetPrefix() != "":
			ms = append(ms, originMatcher{"prefix", m.GetPrefix()})
		case m.GetSuffix() != "":
			ms = append(ms, originMatcher{"suffix", m.GetSuffix()})
		case m.GetSafeRegex() != nil:
			ms = append(ms, originMatcher{"regex", m.GetSafeRegex().GetRegex()})
		case m.GetContains() != "":
			ms = append(ms, originMatcher{"contains", m.GetContains()})
		default:
			ms = append(ms, originMatcher{"custom", ""})
		}
	}
	c.origins(from, ms, cfg)
	c.methods(from, commaList(p.methods), cfg)
	cfg.AllowHeaders = commaList(p.headers)
	cfg.ExposeHeaders = commaList(p.expose)
	if p.maxAge != "" {
		n, err := strconv.ParseInt(p.maxAge, 10, 64)
		if err != nil {
			c.refuse("%s: max_age %q is not a number of seconds", from, p.maxAge)
		} else {
			c.maxAge(from, n, cfg)
		}
	}
	if p.credentials.GetValue() {
		cfg.AllowCredentials = boolPtr(true)
	}
	if p.privateNetwork.GetValue() {
		cfg.AllowPrivateNetwork = boolPtr(true)
	}
	switch {
	case p.forward == nil:
		c.note("%s: Envoy forwards preflights that fail the policy to the upstream by default (forward_not_matching_preflights); corswasm refuses them (403). Set \"on_unmatched_preflight\": \"forward\" if the upstream must answer them", from)
	case p.forward.Value:
		cfg.OnUnmatchedPreflight = policy.Forward
	default:
		c.note("%s: Envoy answered a refused preflight 200 without CORS headers; corswasm answers 403 without them", from)
	}
	if p.filterEnabled {
		c.note("%s: filter_enabled (a runtime fraction) is ignored: corswasm decides every request", from)
	}
	if p.shadow {
		c.note("%s: shadow_enabled: for the same effect, put the rule in \"mode\": \"audit\"", from)
	}
	return cfg
}
