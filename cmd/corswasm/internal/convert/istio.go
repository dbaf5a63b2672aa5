package convert

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	networking "istio.io/api/networking/v1alpha3"

	"github.com/corswasm/corswasm/internal/engine"
)

// virtualService converts an Istio VirtualService: a vhost of its hosts,
// whose http routes are scopes (narrowed by their match's authority, with
// its uri's paths) in the order Istio matches them: the first that matches
// decides, even when a later one names the request's authority.
func (c *converter) virtualService(js []byte) error {
	obj, err := readIstioObject(js, "VirtualService")
	if err != nil {
		return err
	}
	id := obj.id
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
	parents := istioParents(obj.Metadata.Namespace, vs.Gateways)
	defer c.about(parents)()
	c.exportedTo(id, obj.Metadata.Namespace, vs.ExportTo, parents)
	domains, sidecar := c.istioDomains(id, obj.Metadata.Namespace, &vs)
	vh := vhost{kind: "istio", from: "VirtualService " + id, name: obj.Metadata.Name, domains: withoutDots(domains), sidecarDomains: sidecar,
		authorities: istioAuthorities(domains), parents: parents, namespace: obj.Metadata.Namespace, created: obj.Metadata.CreationTimestamp}
	for i, h := range vs.Http {
		from := fmt.Sprintf("VirtualService %s http[%d]", id, i)
		name := fmt.Sprintf("%s-%d", obj.Metadata.Name, i)
		if h.Name != "" {
			from += fmt.Sprintf(" %q", h.Name)
			name = h.Name
		}
		if h.Delegate != nil {
			c.refuse("%s delegates to VirtualService %s/%s: convert that one instead (its routes and CORS policies)", from, h.Delegate.Namespace, h.Delegate.Name)
			continue
		}
		var cors *engine.Config
		switch {
		case h.CorsPolicy == nil:
		case h.Redirect != nil || h.DirectResponse != nil:
			// Istio writes the CORS policy on the route, but Envoy's CORS
			// filter does nothing on a route that answers itself
			// (CorsFilter::decodeHeaders: routeEntry() is null for
			// redirects and direct responses).
			c.policyNote("%s answers with a redirect or a direct response: Envoy's CORS filter does nothing there, so its corsPolicy has no effect; the rule leaves its requests alone", from)
		default:
			cors = c.istioCORS(from, h.CorsPolicy)
		}
		// Istio emits no route after a catch-all one: neither the
		// route's other match conditions nor the routes after it
		// (BuildHTTPRoutesForVirtualService).
		notes := c.takeNotes()
		catchAll := len(h.Match) == 0
		if catchAll {
			c.nameRoute(h.Name, from, cors)
			vh.scopes = append(vh.scopes, scope{from: from, name: name, cors: cors, catchAll: true, route: h.Name, notes: notes})
		}
		for j, m := range h.Match {
			s := c.istioMatch(fmt.Sprintf("%s match[%d]", from, j), m)
			s.from, s.name, s.cors, s.notes = from, name, cors, notes
			s.route = istioRouteName(h.Name, m.Name)
			c.nameRoute(s.route, from, cors)
			vh.scopes = append(vh.scopes, s)
			if catchAll = s.catchAll && !s.conditional(); catchAll {
				if j+1 < len(h.Match) {
					c.note("%s match[%d] takes every request: Istio ignores the match conditions after it", from, j)
				}
				break
			}
		}
		if catchAll {
			if i+1 < len(vs.Http) {
				c.note("%s takes every request: Istio ignores the routes after it", from)
			}
			break
		}
	}
	c.vhosts = append(c.vhosts, vh)
	return nil
}

// istioMatch converts one match condition of a route (any of which
// selects it) as Istio translates it into an Envoy route match
// (TranslateRouteMatch in pilot/pkg/networking/core/route/route.go): its
// authority, its uri, and the conditions corswasm cannot match.
func (c *converter) istioMatch(at string, m *networking.HTTPMatchRequest) scope {
	var s scope
	if a := m.Authority; a != nil {
		// Istio matches the authority as a header (TranslateRouteMatch),
		// whole and case-sensitively: "api.example.com" does not take
		// "api.example.com:8443", which a gateway's virtual host takes
		// too (it ignores the port: see istioAuthorities), nor
		// "API.example.com".
		if e := a.GetExact(); e != "" {
			host, port := c.authority(e)
			s.hosts = []string{host}
			if port {
				s.conditions = append(s.conditions, preflightToo("the port in :authority"))
			} else {
				s.conditions = append(s.conditions, preflightToo(fmt.Sprintf("the port in :authority (Istio compares it whole: %q does not take %q)", e, e+":8443")))
			}
			if hasUpper(e) {
				s.conditions = append(s.conditions, preflightToo("the case of :authority (Istio compares it case-sensitively)"))
			}
		} else {
			s.conditions = append(s.conditions, preflightToo("an authority prefix or regex"))
		}
	}
	if u := m.Uri; u != nil {
		switch u.MatchType.(type) {
		case *networking.StringMatch_Prefix:
			if p := u.GetPrefix(); p != "/" && p != "" {
				s.paths = pathSet{{pathPrefix, p}}
			}
		case *networking.StringMatch_Exact:
			s.paths = pathSet{{pathExact, u.GetExact()}}
		default:
			// ".*" takes every path (and is a catch-all, IsCatchAllRoute).
			if u.GetRegex() != ".*" {
				s.conditions = append(s.conditions, preflightToo("a regex path"))
			}
		}
		// ignoreUriCase sets case_sensitive false: it changes nothing for
		// a path without letters.
		if m.IgnoreUriCase && hasLetters(u.GetPrefix()+u.GetExact()+u.GetRegex()) {
			s.conditions = append(s.conditions, preflightToo("case-insensitive paths (ignoreUriCase)"))
		}
	}
	// Istio translates these into header, query parameter or metadata
	// matches, which make a route no catch-all (IsCatchAllRoute): the
	// method into a :method header match, headers into header matches
	// (a JWT claim's into metadata), which a preflight does not share
	// with its request (see condition).
	headerLike := []struct {
		set bool
		c   condition
	}{
		{m.Method != nil, requestOnly("method")}, {m.Scheme != nil, preflightToo("scheme")}, {len(m.Headers) > 0, requestOnly("headers")},
		{len(m.WithoutHeaders) > 0, requestOnly("withoutHeaders")}, {len(m.QueryParams) > 0, preflightToo("queryParams")},
	}
	s.catchAll = s.paths == nil && m.Authority == nil && (m.Uri == nil || m.Uri.GetRegex() == "" || m.Uri.GetRegex() == ".*")
	for _, h := range headerLike {
		if h.set {
			s.conditions = append(s.conditions, h.c)
			s.catchAll = false
		}
	}
	// These choose the proxies and ports that get the route at all, the
	// same for a preflight, sent by the same client to the same port.
	for _, other := range []struct {
		set  bool
		what string
	}{
		{m.Port != 0, "port"}, {len(m.SourceLabels) > 0, "sourceLabels"}, {m.SourceNamespace != "", "sourceNamespace"},
		{len(m.Gateways) > 0, "gateways"},
	} {
		if other.set {
			s.conditions = append(s.conditions, preflightToo(other.what))
		}
	}
	return s
}

// istioCORS converts a corsPolicy.
func (c *converter) istioCORS(from string, p *networking.CorsPolicy) *engine.Config {
	cfg := &engine.Config{}
	var ms []originMatcher
	// Istio uses allowOrigins when it has any entry, and the deprecated
	// allowOrigin only otherwise (TranslateCORSPolicy in
	// pilot/pkg/networking/core/route/route.go): never both.
	switch {
	case len(p.AllowOrigins) > 0:
		if len(p.AllowOrigin) > 0 {
			c.policyNote("%s: allowOrigin is ignored: Istio uses allowOrigins alone when it is set", from)
		}
		for _, o := range p.AllowOrigins {
			switch {
			case o.GetExact() != "":
				ms = append(ms, originMatcher{kind: "exact", value: o.GetExact()})
			case o.GetPrefix() != "":
				ms = append(ms, originMatcher{kind: "prefix", value: o.GetPrefix()})
			case o.GetRegex() != "":
				ms = append(ms, originMatcher{kind: "regex", value: o.GetRegex()})
			}
		}
	default:
		for _, o := range p.AllowOrigin {
			ms = append(ms, originMatcher{kind: "exact", value: o})
		}
	}
	c.origins(from, ms, cfg)
	credentials := p.AllowCredentials.GetValue()
	c.envoyLists(from, istioFields, strings.Join(p.AllowMethods, ","), strings.Join(p.AllowHeaders, ","), strings.Join(p.ExposeHeaders, ","), credentials, cfg)
	if d := p.MaxAge; d != nil {
		if d.Nanos != 0 {
			c.policyNote("%s: max age %s: Envoy sends whole seconds; so does corswasm (%d)", from, d.AsDuration(), d.Seconds)
		}
		c.maxAge(from, d.Seconds, cfg)
	}
	if credentials {
		cfg.AllowCredentials = boolPtr(true)
	}
	// Istio sets forward_not_matching_preflights unless unmatchedPreflights
	// is IGNORE (forwardNotMatchingPreflights in pilot/pkg/networking/core/
	// route/route.go), and Envoy then forwards the preflights whose origin
	// is not allowed, and no other: "forward_disallowed_origin".
	if p.UnmatchedPreflights == networking.CorsPolicy_IGNORE {
		c.policyNote("%s: unmatchedPreflights IGNORE: Envoy answered a refused preflight 200 without CORS headers; corswasm answers 403 without them (the browser fails it either way)", from)
	} else {
		cfg.OnUnmatchedPreflight = engine.ForwardDisallowedOrigin
	}
	return cfg
}

// istioObject is an Istio resource's metadata and spec.
type istioObject struct {
	Metadata struct {
		Name, Namespace string
		// CreationTimestamp orders VirtualServices that Istio merges
		// (see mergedScopes); zero when the document does not show it.
		CreationTimestamp time.Time `json:"creationTimestamp"`
	} `json:"metadata"`
	Spec rawJSON `json:"spec"`
	// id is "namespace/name", or the name alone.
	id string
}

// readIstioObject reads an Istio resource of the kind given.
func readIstioObject(js []byte, kind string) (*istioObject, error) {
	var obj istioObject
	if err := decodeJSON(js, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	obj.id = obj.Metadata.Name
	if obj.Metadata.Namespace != "" {
		obj.id = obj.Metadata.Namespace + "/" + obj.id
	}
	return &obj, nil
}
