package convert

import (
	"fmt"
	"strconv"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/corswasm/corswasm/internal/engine"
)

// envoyPolicy holds the fields both of Envoy's CorsPolicy messages have,
// and the level that set them.
type envoyPolicy struct {
	from                         string
	origins                      []*matcherv3.StringMatcher
	methods, headers, expose     string
	maxAge                       string
	credentials, privateNetwork  *wrapperspb.BoolValue
	forward                      *wrapperspb.BoolValue
	filterEnabled, shadowEnabled *corev3.RuntimeFractionalPercent
}

func typedPolicy(from string, p *corsv3.CorsPolicy) *envoyPolicy {
	return &envoyPolicy{from: from, origins: p.AllowOriginStringMatch, methods: p.AllowMethods, headers: p.AllowHeaders,
		expose: p.ExposeHeaders, maxAge: p.MaxAge, credentials: p.AllowCredentials, privateNetwork: p.AllowPrivateNetworkAccess,
		forward: p.ForwardNotMatchingPreflights, filterEnabled: p.FilterEnabled, shadowEnabled: p.ShadowEnabled}
}

func deprecatedPolicy(from string, p *routev3.CorsPolicy) *envoyPolicy {
	if p == nil {
		return nil
	}
	return &envoyPolicy{from: from, origins: p.AllowOriginStringMatch, methods: p.AllowMethods, headers: p.AllowHeaders,
		expose: p.ExposeHeaders, maxAge: p.MaxAge, credentials: p.AllowCredentials, privateNetwork: p.AllowPrivateNetworkAccess,
		forward: p.ForwardNotMatchingPreflights, filterEnabled: p.GetFilterEnabled(), shadowEnabled: p.ShadowEnabled}
}

// routeCORS returns the policy Envoy's CORS filter applies to requests
// routed through levels (the most specific first: weighted cluster,
// route, virtual host, route configuration): nil when it does nothing.
//
// It follows CorsFilter::initializeCorsPolicies and the field getters
// (source/extensions/filters/http/cors/cors_filter.cc): the policies are
// the typed_per_filter_config ones of every level under the filter's name
// (Http::Utility::getAllPerFilterConfig, RouteEntryImplBase::
// perFilterConfigs), or under its canonical name when no level has one
// (see filtername.go), or, only when no level has either, the deprecated
// cors fields of the route and its virtual host. Each field comes from the most specific policy that sets
// it: origins from a non-empty list, methods, headers, exposed headers
// and max age from a non-empty string, credentials, private network
// access and forward_not_matching_preflights from a present wrapper.
// filter_enabled and shadow_enabled are the most specific policy's alone
// (CorsFilter::enabled, shadowEnabled). A FilterConfig that disables the
// filter at the most specific level that says either way (or the
// connection manager's default) keeps the filter out of the request's
// chain (RouteEntryImplBase::filterDisabled).
func (c *converter) routeCORS(levels []corsLevel, h *hcm) *engine.Config {
	if h.name == "" {
		return nil // the connection manager has no CORS filter
	}
	disabled := h.disabled
	var typed, canonical, deprecated []*envoyPolicy
	decided := false
	for i := range levels {
		l := &levels[i]
		p, d := l.entry(h.name)
		if d != nil && !decided {
			disabled, decided = *d, true
		}
		if p != nil {
			typed = append(typed, p)
		}
		if h.name != corsFilterName {
			if p, _ := l.entry(corsFilterName); p != nil {
				canonical = append(canonical, p)
			}
		}
		if l.deprecated != nil {
			deprecated = append(deprecated, l.deprecated)
		}
	}
	if disabled {
		return nil
	}
	ps := typed
	if len(ps) == 0 {
		ps = canonical
	}
	if len(ps) == 0 {
		ps = deprecated
	}
	if len(ps) == 0 {
		return nil
	}
	mode, percent, ok := c.enforcement(ps[0])
	if !ok || mode == "" {
		return nil
	}
	cfg := c.envoyConfig(ps)
	if mode == engine.Audit {
		cfg.Mode = engine.Audit
	}
	cfg.EnforcePercent = percent
	return cfg
}

// first returns the most specific policy whose field set reports set.
func first(ps []*envoyPolicy, set func(*envoyPolicy) bool) *envoyPolicy {
	for _, p := range ps {
		if set(p) {
			return p
		}
	}
	return nil
}

// envoyConfig converts the policies' fields, each from the most specific
// policy that sets it.
func (c *converter) envoyConfig(ps []*envoyPolicy) *engine.Config {
	cfg := &engine.Config{}
	if p := first(ps, func(p *envoyPolicy) bool { return len(p.origins) > 0 }); p != nil {
		c.origins(p.from, envoyOrigins(p.origins), cfg)
	}
	credentials := false
	if p := first(ps, func(p *envoyPolicy) bool { return p.credentials != nil }); p != nil && p.credentials.Value {
		credentials = true
		cfg.AllowCredentials = boolPtr(true)
	}
	if p := first(ps, func(p *envoyPolicy) bool { return p.methods != "" }); p != nil {
		c.envoyLists(p.from, envoyFields, p.methods, "", "", credentials, cfg)
	}
	if p := first(ps, func(p *envoyPolicy) bool { return p.headers != "" }); p != nil {
		c.envoyLists(p.from, envoyFields, "", p.headers, "", credentials, cfg)
	}
	if p := first(ps, func(p *envoyPolicy) bool { return p.expose != "" }); p != nil {
		c.envoyLists(p.from, envoyFields, "", "", p.expose, credentials, cfg)
	}
	if p := first(ps, func(p *envoyPolicy) bool { return p.maxAge != "" }); p != nil {
		if n, err := strconv.ParseInt(p.maxAge, 10, 64); err != nil {
			c.refuse("%s: max_age %q is not a number of seconds", p.from, p.maxAge)
		} else {
			c.maxAge(p.from, n, cfg)
		}
	}
	if p := first(ps, func(p *envoyPolicy) bool { return p.privateNetwork != nil }); p != nil && p.privateNetwork.Value {
		cfg.AllowPrivateNetwork = boolPtr(true)
	}
	// forward_not_matching_preflights (default true) forwards the
	// preflights whose origin is not allowed, and no other
	// (CorsFilter::decodeHeaders): what "forward_disallowed_origin" does.
	switch p := first(ps, func(p *envoyPolicy) bool { return p.forward != nil }); {
	case p == nil || p.forward.Value:
		cfg.OnUnmatchedPreflight = engine.ForwardDisallowedOrigin
	default:
		c.policyNote("%s: Envoy answered a refused preflight 200 without CORS headers; corswasm answers 403 without them", p.from)
	}
	return cfg
}

func envoyOrigins(ms []*matcherv3.StringMatcher) []originMatcher {
	var out []originMatcher
	for _, m := range ms {
		o := originMatcher{kind: "custom", ignoreCase: m.IgnoreCase}
		switch m.MatchPattern.(type) {
		case *matcherv3.StringMatcher_Exact:
			o.kind, o.value = "exact", m.GetExact()
		case *matcherv3.StringMatcher_Prefix:
			o.kind, o.value = "prefix", m.GetPrefix()
		case *matcherv3.StringMatcher_Suffix:
			o.kind, o.value = "suffix", m.GetSuffix()
		case *matcherv3.StringMatcher_SafeRegex:
			o.kind, o.value = "regex", m.GetSafeRegex().GetRegex()
		case *matcherv3.StringMatcher_Contains:
			o.kind, o.value = "contains", m.GetContains()
		}
		out = append(out, o)
	}
	return out
}

// enforcement maps the most specific policy's filter_enabled and
// shadow_enabled onto corswasm: "enforce" (with the enforced share when
// filter_enabled is below 100%), "audit" (shadow mode: Envoy only counts
// origins, as audit mode changes nothing), or "" when the filter does
// nothing (CorsFilter::decodeHeaders returns at once when neither is on).
// ok is false when refused.
//
// Outside filter_enabled's share Envoy's filter changes nothing, whether
// shadow_enabled counts those requests or not; so does audit mode, which
// enforce_percent applies to the rest: shadow_enabled then changes nothing
// either.
func (c *converter) enforcement(p *envoyPolicy) (mode string, percent *int, ok bool) {
	enabled, exact, ok := c.percentOf(p.from, "filter_enabled", p.filterEnabled, 100)
	switch {
	case !ok:
		return "", nil, false
	case enabled == 100:
		return engine.Enforce, nil, true
	case enabled > 0:
		if !exact {
			c.policyNote("%s: filter_enabled %s is not a whole percentage: rounded down to %d%%, so that the rule never applies the policy to a larger share than Envoy did", p.from, fraction(p.filterEnabled), enabled)
		}
		c.policyNote("%s: filter_enabled %d%%: the rule enforces that share (\"enforce_percent\": %d) and audits the rest, changing nothing of it, as Envoy's filter does outside its share; Envoy picks the requests at random, corswasm by origin and host, so that a page sees one behaviour", p.from, enabled, enabled)
		return engine.Enforce, &enabled, true
	case !exact:
		c.policyNote("%s: filter_enabled %s is below 1%%: rounded down to 0%%, so that the rule never applies the policy to a larger share than Envoy did", p.from, fraction(p.filterEnabled))
	}
	shadow, _, ok := c.percentOf(p.from, "shadow_enabled", p.shadowEnabled, 0)
	switch {
	case !ok:
		return "", nil, false
	case shadow == 100:
		c.policyNote("%s: filter_enabled 0%% with shadow_enabled 100%%: Envoy only counts allowed and refused origins; the rule is in \"mode\": \"audit\", which changes nothing either and compares corswasm's answers with the upstream's", p.from)
		return engine.Audit, nil, true
	case p.shadowEnabled.GetDefaultValue().GetNumerator() > 0:
		c.policyNote("%s: filter_enabled 0%% with shadow_enabled %s: Envoy only counts allowed and refused origins of that share; the rule is in \"mode\": \"audit\", which changes nothing either, and compares every request's answer, not a share", p.from, fraction(p.shadowEnabled))
		return engine.Audit, nil, true
	}
	c.policyNote("%s: filter_enabled 0%%: Envoy's CORS filter leaves these requests alone; so does the rule (\"enabled\": false)", p.from)
	return "", nil, true
}

// percentOf reads a RuntimeFractionalPercent as the whole percentage of
// requests it applies to, rounded down (exact says whether it was whole);
// absent, it is unset. Envoy evaluates it per request
// (SnapshotImpl::featureEnabled in source/common/runtime/runtime_impl.cc):
// the runtime key's value when the runtime sets one, the default
// otherwise, on for a random value below the numerator out of the
// denominator (ProtobufPercentHelper::evaluateFractionalPercent): never
// at 0, always from the denominator up. A runtime key, whose value the
// file does not show, is refused: corswasm has no runtime.
func (c *converter) percentOf(from, field string, f *corev3.RuntimeFractionalPercent, unset int) (pct int, exact, ok bool) {
	if f == nil {
		return unset, true, true
	}
	num, den := uint64(f.GetDefaultValue().GetNumerator()), denominator(f.GetDefaultValue().GetDenominator())
	if f.RuntimeKey != "" {
		c.refuse("%s: %s takes its share of requests from Envoy's runtime key %q when the runtime sets it (%s otherwise), which the file does not show, and corswasm has no runtime; if the runtime does not set %q (see Envoy's /runtime admin page), remove runtime_key and convert again", from, field, f.RuntimeKey, fraction(f), f.RuntimeKey)
		return 0, false, false
	}
	if num >= den {
		return 100, true, true
	}
	return int(num * 100 / den), num*100%den == 0, true
}

// fraction writes a RuntimeFractionalPercent's default as
// numerator/denominator.
func fraction(f *corev3.RuntimeFractionalPercent) string {
	return fmt.Sprintf("%d/%d", f.GetDefaultValue().GetNumerator(), denominator(f.GetDefaultValue().GetDenominator()))
}

func denominator(d typev3.FractionalPercent_DenominatorType) uint64 {
	switch d {
	case typev3.FractionalPercent_TEN_THOUSAND:
		return 10000
	case typev3.FractionalPercent_MILLION:
		return 1000000
	}
	return 100
}
