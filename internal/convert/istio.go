package convert

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	networking "istio.io/api/networking/v1alpha3"

	"github.com/corswasm/corswasm/policy"
)

// virtualService converts an Istio VirtualService: a vhost of its hosts,
// whose http routes are scopes (narrowed by their match's authority, with
// its uri's paths) in the order Istio matches them: the first that matches
// decides, even when a later one names the request's authority.
func (c *converter) virtualService(js []byte) error {
	var obj struct {
		Metadata struct{ Name, Namespace string } `json:"metadata"`
		Spec     rawJSON                          `json:"spec"`
	}
	if err := decodeJSON(js, &obj); err != nil {
		return fmt.Errorf("VirtualService: %w", err)
	}
	id := obj.Metadata.Name
	if obj.Metadata.Namespace != "" {
		id = obj.Metadata.Namespace + "/" + id
	}
	var vs networking.VirtualService
	spec, err := goDurations(obj.Spec, vs.ProtoReflect().Descriptor())
	if err != nil {
		return fmt.Errorf("VirtualService %s: %w", id, err)
	}
	if err := protojson.Unmarshal(spec, &vs); err != nil {
		return fmt.Errorf("VirtualService %s: not a valid istio.networking.v1alpha3.VirtualService spec: %w", id, err)
	}
	c.sources = append(c.sources, "Istio VirtualService "+id)
	c.kinds["envoy"] = true
	if len(vs.Gateways) > 0 {
		c.note("VirtualService %s is bound to gateways %s: run the plugin on those (a WasmPlugin selecting them)", id, strings.Join(vs.Gateways, ", "))
	}
	vh := vhost{kind: "istio", from: "VirtualService " + id, name: obj.Metadata.Name, domains: c.istioDomains(id, obj.Metadata.Namespace, &vs)}
	// A route that cannot be scoped is refused when it, or a route after
	// it, does CORS: leaving it out would hand its requests to later
	// rules.
	corsAfter := make([]bool, len(vs.Http)+1)
	for i := len(vs.Http) - 1; i >= 0; i-- {
		corsAfter[i] = corsAfter[i+1] || vs.Http[i].CorsPolicy != nil
	}
	for i, h := range vs.Http {
		from := fmt.Sprintf("VirtualService %s http[%d]", id, i)
		name := fmt.Sprintf("%s-%d", obj.Metadata.Name, i)
		if h.Name != "" {
			from += fmt.Sprintf(" %q", h.Name)
			name = h.Name
		}
		var cors *policy.Config
		if h.CorsPolicy != nil {
			cors = c.istioCORS(from, h.CorsPolicy)
		}
		if h.Delegate != nil {
			c.refuse("%s delegates to VirtualService %s/%s: convert that one instead (its routes and CORS policies)", from, h.Delegate.Namespace, h.Delegate.Name)
			continue
		}
		if len(h.Match) == 0 {
			vh.scopes = append(vh.scopes, scope{from: from, name: name, cors: cors})
			continue
		}
		vh.scopes = append(vh.scopes, c.istioMatches(from, name, h.Match, cors, corsAfter[i])...)
	}
	c.vhosts = append(c.vhosts, vh)
	return nil
}

// istioMatches returns the scopes of a route's match conditions (any of
// which selects the route), merging those with the same hosts.
func (c *converter) istioMatches(from, name string, ms []*networking.HTTPMatchRequest, cors *policy.Config, corsHereOrAfter bool) []scope {
	var order []string
	byHosts := make(map[string]*scope)
	for j, m := range ms {
		at := fmt.Sprintf("%s match[%d]", from, j)
		var hs, prefixes []string
		ok, conditional := true, false
		if a := m.Authority; a != nil {
			if e := a.GetExact(); e != "" {
				hs = []string{c.authority(at, e, cors != nil)}
			} else {
				ok = false
				c.unscopable(at, "an authority prefix or regex", corsHereOrAfter)
			}
		}
		if u := m.Uri; u != nil {
			switch {
			case u.GetPrefix() != "":
				prefixes = []string{u.GetPrefix()}
			case u.GetExact() != "":
				prefixes = []string{u.GetExact()}
				c.note("%s: the exact path %q became a path prefix: the policy also applies to %q and %q", at, u.GetExact(), strings.TrimSuffix(u.GetExact(), "/")+"/more", u.GetExact()+"x")
			default:
				ok = false
				c.unscopable(at, "a regex path", corsHereOrAfter)
			}
		}
		for _, other := range []struct {
			set  bool
			what string
		}{
			{m.Method != nil, "method"}, {m.Scheme != nil, "scheme"}, {len(m.Headers) > 0, "headers"},
			{len(m.WithoutHeaders) > 0, "withoutHeaders"}, {len(m.QueryParams) > 0, "queryParams"}, {m.Port != 0, "port"},
			{len(m.SourceLabels) > 0, "sourceLabels"}, {m.SourceNamespace != "", "sourceNamespace"}, {len(m.Gateways) > 0, "gateways"},
		} {
			if other.set {
				conditional = true
				if cors != nil {
					c.note("%s: corswasm does not match on %s: the policy applies to every request to these hosts and paths", at, other.what)
				}
			}
		}
		if m.IgnoreUriCase && cors != nil {
			c.note("%s: ignoreUriCase: corswasm compares path prefixes case-sensitively", at)
		}
		if !ok {
			continue
		}
		key := strings.Join(hs, ",")
		if s, seen := byHosts[key]; seen {
			if s.prefixes != nil && prefixes != nil {
				s.prefixes = append(s.prefixes, prefixes...)
			} else {
				s.prefixes = nil // one condition selects every path
			}
			// The route takes every request of its hosts if one
			// condition does.
			s.conditional = s.conditional && (conditional || prefixes != nil)
			continue
		}
		byHosts[key] = &scope{from: from, name: name, hosts: hs, prefixes: prefixes, cors: cors, conditional: conditional || prefixes != nil}
		order = append(order, key)
	}
	var out []scope
	for _, k := range order {
		out = append(out, *byHosts[k])
	}
	return out
}

// unscopable handles a match corswasm cannot express: refused when CORS
// depends on it, left out otherwise.
func (c *converter) unscopable(at, what string, corsHereOrAfter bool) {
	if corsHereOrAfter {
		c.refuse("%s: corswasm rules cannot select requests by %s, and leaving it out would apply a CORS policy to requests the source did not", at, what)
		return
	}
	c.note("%s: left out (corswasm cannot select requests by %s); no CORS policy depends on it", at, what)
}

// istioCORS converts a corsPolicy.
func (c *converter) istioCORS(from string, p *networking.CorsPolicy) *policy.Config {
	cfg := &policy.Config{}
	var ms []originMatcher
	for _, o := range p.AllowOrigin {
		ms = append(ms, originMatcher{"exact", o})
	}
	for _, o := range p.AllowOrigins {
		switch {
		case o.GetExact() != "":
			ms = append(ms, originMatcher{"exact", o.GetExact()})
		case o.GetPrefix() != "":
			ms = append(ms, originMatcher{"prefix", o.GetPrefix()})
		case o.GetRegex() != "":
			ms = append(ms, originMatcher{"regex", o.GetRegex()})
		}
	}
	c.origins(from, ms, cfg)
	c.methods(from, p.AllowMethods, cfg)
	cfg.AllowHeaders = p.AllowHeaders
	cfg.ExposeHeaders = p.ExposeHeaders
	if d := p.MaxAge; d != nil {
		if d.Nanos != 0 {
			c.note("%s: max age %s: Envoy sends whole seconds; so does corswasm (%d)", from, d.AsDuration(), d.Seconds)
		}
		c.maxAge(from, d.Seconds, cfg)
	}
	if b := p.AllowCredentials; b != nil && b.Value {
		cfg.AllowCredentials = boolPtr(true)
	}
	switch p.UnmatchedPreflights {
	case networking.CorsPolicy_FORWARD:
		cfg.OnUnmatchedPreflight = policy.Forward
	case networking.CorsPolicy_IGNORE:
		c.note("%s: unmatchedPreflights IGNORE: Envoy answered a refused preflight 200 without CORS headers; corswasm answers 403 without them (the browser fails it either way)", from)
	default:
		c.note("%s: Istio forwards preflights that fail the policy to the upstream by default; corswasm refuses them (403). Set \"on_unmatched_preflight\": \"forward\" if the upstream must answer them", from)
	}
	return cfg
}
