package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/corswasm/corswasm/internal/engine"
)

// Envoy Gateway's SecurityPolicy (gateway.envoyproxy.io/v1alpha1) holds
// CORS in spec.cors (api/v1alpha1/cors_types.go in envoyproxy/gateway).
// Envoy Gateway turns it into Envoy's CORS filter's per-route CorsPolicy
// (internal/xds/translator/cors.go): the origins as StringMatchers, an
// origin with "*" as a safe_regex in which each "*" is ".*" and the rest is
// literal, any other exactly (internal/gatewayapi/securitypolicy.go,
// buildCORS and wildcard2regex); allow_methods and allow_headers "*" when
// the list holds "*", else joined with ", "; expose_headers joined;
// max_age the whole seconds of maxAge, a Go duration (none when it does not
// parse); allow_credentials always set (false by default);
// forward_not_matching_preflights false. That CorsPolicy is what the
// conversion converts, as an Envoy one, except the origins, which are
// converted here.
//
// A policy targeting an HTTPRoute (or GRPCRoute) applies to its routes,
// which Envoy Gateway names "<kind>/<namespace>/<name>/rule/<i>/match/<j>/
// <host>" (irRoutePrefix in internal/gatewayapi): they become a rule bound
// to the prefix "<kind>/<namespace>/<name>/*". A policy targeting a Gateway
// applies to the Gateway's routes that no route's policy takes (a route's
// policy wins over its Gateway's, without merging), which becomes the last
// rule, bound to every route.

// egOrigin is the syntax Envoy Gateway's API server accepts for an origin
// (the kubebuilder pattern of Origin in api/v1alpha1/cors_types.go).
var egOrigin = regexp.MustCompile(`^(\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/(\*|(\*\.)?(([\w-]+\.?)+)?[\w-]+)(:\d{1,5})?)$`)

// egSecurityPolicy is the part of a SecurityPolicy the conversion reads.
type egSecurityPolicy struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		TargetRef       *egTargetRef      `json:"targetRef"`
		TargetRefs      []egTargetRef     `json:"targetRefs"`
		TargetSelectors []json.RawMessage `json:"targetSelectors"`
		MergeType       *string           `json:"mergeType"`
		CORS            json.RawMessage   `json:"cors"`
	} `json:"spec"`
}

type egTargetRef struct {
	Group       string  `json:"group"`
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	SectionName *string `json:"sectionName"`
}

// egCORS is spec.cors; it is decoded strictly: a field the conversion
// does not know may change what is allowed.
type egCORS struct {
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     []string `json:"allowMethods"`
	AllowHeaders     []string `json:"allowHeaders"`
	ExposeHeaders    []string `json:"exposeHeaders"`
	MaxAge           *string  `json:"maxAge"`
	AllowCredentials *bool    `json:"allowCredentials"`
}

// egPolicy is a SecurityPolicy's CORS converted, with what it targets.
type egPolicy struct {
	from string
	// routes are the route name prefixes of its route targets; gateway
	// is the NAMESPACE/NAME of its Gateway target.
	routes  []string
	gateway string
	cors    *engine.Config
	notes   []string
	// spec is the policy as read when it has no cors: its targets are
	// read only when the input has policies with cors, which it shadows.
	spec *egSecurityPolicy
}

// egWithCORS is the number of SecurityPolicies read that have cors.
func (c *converter) egWithCORS() int {
	n := 0
	for _, p := range c.securityPolicies {
		if p.spec == nil {
			n++
		}
	}
	return n
}

// securityPolicy reads an Envoy Gateway SecurityPolicy. One without cors
// (JWT, OIDC, authorization alone) is no CORS source, but it still takes
// the routes it targets from their Gateway's policy: Envoy Gateway sets
// a route's security features for any policy targeting it
// (translateSecurityPolicyForRoute), and the Gateway's policy skips every
// route that has them (translateSecurityPolicyForGateway), so those
// routes get no CORS at all. Its targets are read when the input has
// policies with cors (see egShadows).
func (c *converter) securityPolicy(js []byte) error {
	var sp egSecurityPolicy
	if err := json.Unmarshal(js, &sp); err != nil {
		return fmt.Errorf("SecurityPolicy: %w", err)
	}
	ns, name := sp.Metadata.Namespace, sp.Metadata.Name
	from := "Envoy Gateway SecurityPolicy " + ns + "/" + name
	if ns == "" {
		from = "Envoy Gateway SecurityPolicy " + name
	}
	if len(sp.Spec.CORS) == 0 || string(sp.Spec.CORS) == "null" {
		c.securityPolicies = append(c.securityPolicies, &egPolicy{from: from, spec: &sp})
		return nil
	}
	c.sources = append(c.sources, from)
	c.kinds["envoy"] = true
	p := &egPolicy{from: from}
	c.securityPolicies = append(c.securityPolicies, p)
	c.egTargets(from, &sp, p)
	var cors egCORS
	dec := json.NewDecoder(bytes.NewReader(sp.Spec.CORS))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cors); err != nil {
		c.refuse("%s: spec.cors: %v", from, err)
		return nil
	}
	p.cors = c.egCORS(from, &cors)
	p.notes = c.takeNotes()
	return nil
}

// egTargets records the targets of a policy.
func (c *converter) egTargets(from string, sp *egSecurityPolicy, p *egPolicy) {
	why := ""
	if p.spec != nil {
		why = " (it has no cors, but Envoy Gateway gives the routes it targets none of their Gateway's CORS)"
	}
	if sp.Spec.MergeType != nil {
		c.refuse("%s: mergeType %q merges it with its Gateway's SecurityPolicy, which the conversion does not do%s; convert a policy without it", from, *sp.Spec.MergeType, why)
	}
	if len(sp.Spec.TargetSelectors) > 0 {
		c.refuse("%s: targetSelectors choose routes by labels the input does not show%s; name the targets in targetRefs", from, why)
	}
	refs := sp.Spec.TargetRefs
	if sp.Spec.TargetRef != nil {
		refs = append([]egTargetRef{*sp.Spec.TargetRef}, refs...)
	}
	if len(refs) == 0 && len(sp.Spec.TargetSelectors) == 0 && p.spec == nil {
		c.refuse("%s: no targetRefs: it applies to nothing", from)
	}
	for _, r := range refs {
		c.egTarget(from+why, sp.Metadata.Namespace, r, p)
	}
}

// egTarget records a target of a policy.
func (c *converter) egTarget(from, ns string, r egTargetRef, p *egPolicy) {
	if r.Group != "gateway.networking.k8s.io" {
		c.refuse("%s: target %s %q of group %q: want a Gateway, HTTPRoute or GRPCRoute of gateway.networking.k8s.io", from, r.Kind, r.Name, r.Group)
		return
	}
	if r.SectionName != nil {
		c.refuse("%s: target %s %q section %q: the conversion binds whole Gateways and routes; target the whole %s", from, r.Kind, r.Name, *r.SectionName, r.Kind)
		return
	}
	switch r.Kind {
	case "Gateway":
		if p.gateway != "" {
			c.refuse("%s: it targets two Gateways; convert each Gateway's policies on their own", from)
			return
		}
		p.gateway = ns + "/" + r.Name
	case "HTTPRoute", "GRPCRoute":
		if ns == "" {
			c.refuse("%s: no metadata.namespace: the names of its routes start with it; write it", from)
			return
		}
		prefix := strings.ToLower(r.Kind) + "/" + ns + "/" + r.Name + "/"
		if !bindable(prefix) || r.Name == "" {
			c.refuse("%s: target %s %q: not a name a route can have", from, r.Kind, r.Name)
			return
		}
		p.routes = append(p.routes, prefix+"*")
	default:
		c.refuse("%s: target kind %q: want a Gateway, HTTPRoute or GRPCRoute", from, r.Kind)
	}
}

// egCORS converts a SecurityPolicy's cors as Envoy Gateway hands it to
// Envoy's CORS filter.
func (c *converter) egCORS(from string, cors *egCORS) *engine.Config {
	p := &corsv3.CorsPolicy{
		AllowMethods:                 egList(cors.AllowMethods, true),
		AllowHeaders:                 egList(cors.AllowHeaders, true),
		ExposeHeaders:                egList(cors.ExposeHeaders, false),
		AllowCredentials:             wrapperspb.Bool(cors.AllowCredentials != nil && *cors.AllowCredentials),
		ForwardNotMatchingPreflights: wrapperspb.Bool(false),
	}
	if cors.MaxAge != nil {
		d, err := time.ParseDuration(*cors.MaxAge)
		if err != nil {
			c.refuse("%s: maxAge %q is not a duration: Envoy Gateway then sends no Access-Control-Max-Age; write one such as \"600s\"", from, *cors.MaxAge)
		} else {
			p.MaxAge = fmt.Sprint(int64(d.Seconds()))
		}
	}
	cfg := c.envoyConfig([]*envoyPolicy{typedPolicy(from, p)})
	c.origins(from, c.egOrigins(from, cors.AllowOrigins), cfg)
	return cfg
}

// egList is a list as Envoy Gateway writes it into a CorsPolicy.
func egList(l []string, star bool) string {
	for _, s := range l {
		if star && s == "*" {
			return "*"
		}
	}
	return strings.Join(l, ", ")
}

// egOrigins reads Envoy Gateway's origins as matchers with Envoy Gateway's
// meaning. An origin without "*" is compared exactly, case and all. A "*"
// is ".*", any run of characters: the host "*.example.com" matches the
// origins whose host ends in ".example.com" on that scheme and port, one
// label or several under it, which is what corswasm's subdomain wildcard
// allows (a browser sends no host with an empty label there; corswasm
// allows none either); the host "*" matches every host and every port of
// the scheme, which corswasm cannot say and refuses; "*" alone is every
// origin.
func (c *converter) egOrigins(from string, origins []string) []originMatcher {
	var ms []originMatcher
	for _, o := range origins {
		switch {
		case !egOrigin.MatchString(o):
			c.refuse("%s: origin %q is not one Envoy Gateway's API accepts (scheme://host[:port], \"*\" only as the whole host or its first label, or \"*\" alone)", from, o)
		case o == "*":
			ms = append(ms, originMatcher{kind: "exact", value: "*"})
		case !strings.Contains(o, "*"):
			ms = append(ms, originMatcher{kind: "exact", value: o})
		case egHost(o) == "*":
			c.refuse("%s: origin %q allows every host of its scheme, on every port; use \"*\" if that is meant (never with credentials), or list the origins", from, o)
		case hasUpper(o):
			c.neverMatches(from, originMatcher{kind: "wildcard", value: o}, "a browser sends no upper-case letter in Origin, and Envoy Gateway compares it case-sensitively")
		case !serialized(strings.Replace(o, "*", "a", 1)):
			c.neverMatches(from, originMatcher{kind: "wildcard", value: o}, "it is not an origin as a browser serializes it (no default port)")
		default:
			ms = append(ms, originMatcher{kind: "gateway", value: o})
		}
	}
	return ms
}

// securityPolicyConfig assembles the SecurityPolicies read: a rule for
// each policy's routes, in the order read, then one for the Gateway's
// policy, bound to every route; the top level does nothing (the routes no
// policy targets have no CORS handling from Envoy Gateway). The routes of
// a policy without cors get a rule with "enabled": false before the
// Gateway's: Envoy Gateway gives them no CORS, not the Gateway's.
func (c *converter) securityPolicyConfig(gateway string) *engine.Config {
	disabled := false
	top := &engine.Config{Enabled: &disabled}
	var gw *egPolicy
	for _, p := range c.securityPolicies {
		if p.spec != nil {
			c.egTargets(p.from, p.spec, p)
		}
	}
	for _, p := range c.securityPolicies {
		switch {
		case p.gateway == "":
		case gateway != "" && p.gateway != gateway:
			if p.spec == nil {
				c.note("%s: it targets Gateway %s, not %s: left out", p.from, p.gateway, gateway)
			}
		case p.spec != nil:
		case gw != nil:
			c.refuse("%s and %s both target a Gateway (%s, %s): convert one Gateway's policies at a time (--parent NAMESPACE/NAME)", gw.from, p.from, gw.gateway, p.gateway)
		default:
			gw = p
		}
	}
	// A policy without cors on the Gateway whose policy is converted
	// conflicts with it: Envoy Gateway applies one of them.
	for _, p := range c.securityPolicies {
		if gw != nil && p.spec != nil && p.gateway == gw.gateway {
			c.refuse("%s and %s (which has no cors) both target Gateway %s: Envoy Gateway applies one of them and reports the other as conflicting; convert the one it applies", gw.from, p.from, gw.gateway)
		}
	}
	routes := make(map[string]string)
	names := make(map[string]bool)
	for _, p := range c.securityPolicies {
		for _, r := range p.routes {
			if other, ok := routes[r]; ok {
				c.refuse("%s and %s both target %s: Envoy Gateway applies one of them and reports the other as conflicting; convert the one it applies", other, p.from, strings.TrimSuffix(r, "/*"))
			}
			routes[r] = p.from
		}
		if len(p.routes) == 0 {
			continue
		}
		if p.spec != nil {
			if gw != nil {
				c.egShadow(top, p, gw, names)
			}
			continue
		}
		c.egRule(top, p, p.routes, names)
	}
	if gw != nil {
		c.egRule(top, gw, []string{"*"}, names)
		c.note("%s: its rule matches every route the filter runs on: attach corswasm's EnvoyExtensionPolicy to Gateway %s (or to its routes)", gw.from, gw.gateway)
	}
	return top
}

// egShadow appends the rule of a policy without cors, which passes the
// requests of its routes untouched, as Envoy does on a route without a
// CORS policy: no CORS headers added, every preflight sent upstream.
func (c *converter) egShadow(top *engine.Config, p, gw *egPolicy, names map[string]bool) {
	disabled := false
	top.Rules = append(top.Rules, engine.Rule{Name: uniqueName(ruleName(strings.TrimPrefix(p.from, "Envoy Gateway SecurityPolicy ")), names),
		Match: &engine.Match{Routes: p.routes}, Config: engine.Config{Enabled: &disabled}})
	c.note("%s: it has no cors, and replaces %s on the routes it targets (%s), which Envoy Gateway then gives no CORS: a rule with \"enabled\": false passes their requests untouched", p.from, gw.from, strings.Join(p.routes, ", "))
}

// egHost is the host of an origin scheme://host[:port].
func egHost(o string) string {
	_, rest, _ := strings.Cut(o, "://")
	host, _, _ := strings.Cut(rest, ":")
	return host
}

// egRule appends the rule of a policy, bound to routes.
func (c *converter) egRule(top *engine.Config, p *egPolicy, routes []string, names map[string]bool) {
	if p.cors == nil {
		return
	}
	for _, n := range p.notes {
		c.note("%s", n)
	}
	enabled := true
	r := engine.Rule{Name: uniqueName(ruleName(strings.TrimPrefix(p.from, "Envoy Gateway SecurityPolicy ")), names),
		Match: &engine.Match{Routes: routes}, Config: *p.cors}
	r.Config.Enabled = &enabled
	top.Rules = append(top.Rules, r)
}

// convertSecurityPolicies finishes a conversion of SecurityPolicies, which
// are converted on their own: a Gateway API HTTPRoute's CORS filter takes
// precedence over them on its rules (internal/xds/translator/cors.go), and
// the conversion does not combine the two.
func (c *converter) convertSecurityPolicies(sel Selection) (*Result, error) {
	if sel.Listener != "" || sel.Gateway != "" {
		return nil, fmt.Errorf("an Envoy Gateway SecurityPolicy is converted for a Gateway (--parent NAMESPACE/NAME), not a listener or an Istio gateway")
	}
	if len(c.sources) != c.egWithCORS() {
		c.refuse("the input holds Envoy Gateway SecurityPolicies and other CORS sources (%s): an HTTPRoute's own CORS filter takes precedence over a SecurityPolicy on its rules; convert the SecurityPolicies on their own, and remove the routes' CORS filters", strings.Join(c.sources, ", "))
	}
	cfg := c.securityPolicyConfig(sel.Parent)
	js := c.validate(cfg)
	r := &Result{Sources: c.sources, Notes: c.notes, Refusals: c.refusals}
	if len(c.refusals) == 0 {
		c.behaviourNotes(cfg)
		r.Notes = c.notes
		r.Config, r.JSON = cfg, js
	}
	return r, nil
}
