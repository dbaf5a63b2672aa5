package convert

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/corswasm/corswasm/internal/engine"
)

// gatewayDefaultMaxAge is the Access-Control-Max-Age a Gateway API
// implementation sends when the CORS filter sets none (HTTPCORSFilter's
// maxAge: "+kubebuilder:default=5").
const gatewayDefaultMaxAge = 5

// anyHost is a Gateway API origin whose host is the wildcard alone:
// every host of that scheme.
var anyHost = regexp.MustCompile(`^[a-z]+://\*(:[0-9]+)?$`)

// httpRouteMatches is an HTTPRoute's matches, with what the Gateway API
// orders them by.
type httpRouteMatches struct {
	id        string // "namespace/name", or the name alone
	namespace string
	created   time.Time
	hostnames []string
	matches   []gatewayMatch
	// refs are its parentRefs, and parents what they attach it to
	// (attachRoutes); listenerHosts the hostnames it takes on each
	// parent of a Gateway in the input (hostsOn); uncertain those of its
	// hostnames on a parent it may not be attached to, by why
	// (gatewayallowed.go).
	refs          []parentRef
	parents       []parent
	listenerHosts map[parent][]string
	uncertain     map[parent]map[string]string
}

// gatewayMatch is one HTTPRouteMatch of a rule.
type gatewayMatch struct {
	scope
	rule int
	// pathRank is 0 for an Exact path, 1 for a PathPrefix, 2 for a
	// RegularExpression; pathLen is a PathPrefix's length.
	pathRank, pathLen int
	method            bool
	headers, query    int
}

// httpRoute reads a Gateway API HTTPRoute: each rule's matches are scopes,
// ordered with those of the other HTTPRoutes of the same hostname once all
// are read (gatewayVHosts).
func (c *converter) httpRoute(js []byte) error {
	var hr gatewayv1.HTTPRoute
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hr); err != nil {
		return fmt.Errorf("not a valid gateway.networking.k8s.io/v1 HTTPRoute: %w", err)
	}
	id := hr.Name
	if hr.Namespace != "" {
		id = hr.Namespace + "/" + id
	}
	c.sources = append(c.sources, "Gateway API HTTPRoute "+id)
	c.kinds["gateway"] = true
	route := httpRouteMatches{id: id, namespace: hr.Namespace, created: hr.CreationTimestamp.Time, refs: readParentRefs(hr.Namespace, hr.Spec.ParentRefs)}
	for _, h := range hr.Spec.Hostnames {
		if h := strings.ToLower(string(h)); !slices.Contains(route.hostnames, h) {
			route.hostnames = append(route.hostnames, h)
		}
	}
	for i, rule := range hr.Spec.Rules {
		from := fmt.Sprintf("HTTPRoute %s rules[%d]", id, i)
		name := fmt.Sprintf("%s-%d", hr.Name, i)
		if rule.Name != nil {
			from += fmt.Sprintf(" %q", *rule.Name)
			name = string(*rule.Name)
		}
		var cors *engine.Config
		has := func(t gatewayv1.HTTPRouteFilterType) bool {
			return slices.ContainsFunc(rule.Filters, func(f gatewayv1.HTTPRouteFilter) bool { return f.Type == t })
		}
		for _, f := range rule.Filters {
			switch {
			case f.Type != gatewayv1.HTTPRouteFilterCORS || f.CORS == nil:
			case has(gatewayv1.HTTPRouteFilterRequestRedirect):
				// The Envoy-based implementations (Envoy Gateway, Istio)
				// write a redirect route, on which Envoy's CORS filter
				// does nothing (CorsFilter::decodeHeaders: routeEntry()
				// is null for a redirect).
				c.policyNote("%s answers with a redirect (RequestRedirect): Envoy's CORS filter, which the Envoy-based implementations use, does nothing there, so its CORS filter has no effect; the rule leaves its requests alone", from)
			case has(gatewayv1.HTTPRouteFilterExtensionRef):
				// An implementation's own filter may answer the request
				// itself (Envoy Gateway's HTTPRouteFilter directResponse,
				// written as a direct response, on which Envoy's CORS
				// filter does nothing), or not.
				c.refuse("%s has a CORS filter and an ExtensionRef filter, whose effect is the implementation's: one that answers the request itself (a direct response, in the Envoy-based implementations) leaves its CORS filter without effect, another does not; convert without the ExtensionRef filter if it never answers requests", from)
			case len(rule.BackendRefs) == 0:
				// With no backend and no filter that answers, the
				// implementation answers 500 itself (HTTPRouteRule.
				// BackendRefs); the Envoy-based ones write a direct
				// response, on which Envoy's CORS filter does nothing.
				c.policyNote("%s has no backendRefs: the implementation answers its requests itself (500; a direct response in the Envoy-based implementations, where Envoy's CORS filter does nothing), so its CORS filter has no effect; the rule leaves its requests alone", from)
			default:
				cors = c.gatewayCORS(from, f.CORS)
			}
		}
		c.backendCORS(from, rule.BackendRefs)
		matches := rule.Matches
		if len(matches) == 0 {
			matches = []gatewayv1.HTTPRouteMatch{{}}
		}
		notes := c.takeNotes()
		for _, m := range matches {
			gm := gatewayMatchOf(m)
			gm.from, gm.name, gm.cors, gm.rule, gm.notes = from, name, cors, i, notes
			route.matches = append(route.matches, gm)
		}
	}
	c.httpRoutes = append(c.httpRoutes, route)
	return nil
}

// backendCORS refuses a CORS filter on a backendRef: filters there run
// "if and only if the request is being forwarded to the backend defined
// here", with implementation-specific support (HTTPBackendRef.Filters in
// apis/v1/httproute_types.go). Whether an implementation supports it, and
// what it does with a preflight, which it would answer before any backend
// is chosen, or with a rule whose backends differ, the API does not say.
func (c *converter) backendCORS(from string, refs []gatewayv1.HTTPBackendRef) {
	for i, ref := range refs {
		if slices.ContainsFunc(ref.Filters, func(f gatewayv1.HTTPRouteFilter) bool { return f.Type == gatewayv1.HTTPRouteFilterCORS }) {
			c.refuse("%s backendRefs[%d] has a CORS filter: the Gateway API leaves a backendRef's filters to the implementation (HTTPBackendRef.Filters: implementation-specific), and whether one applies it, and to which requests (a preflight is answered before a backend is chosen), the files do not show; move it to the rule's filters", from, i)
		}
	}
}

// gatewayVHosts makes a vhost of each hostname the HTTPRoutes attached
// to p take there (see hostsOn), with the matches of
// every HTTPRoute that has it, in the Gateway API's precedence
// (HTTPRouteRule.Matches): the path (see pathPrecedence), a method match,
// the most header matches, the most query parameter matches, the oldest
// route, the first route by "namespace/name", the first rule.
func (c *converter) gatewayVHosts(httpRoutes []*httpRouteMatches, p parent) []vhost {
	type match struct {
		route int
		m     *gatewayMatch
	}
	byHost := make(map[string][]match)
	routes := make(map[string][]string)
	var order []string
	var out []vhost
	c.unknownHostnames(httpRoutes, p)
	c.uncertainRoutes(httpRoutes, p)
	for ri, r := range httpRoutes {
		for _, h := range r.hostsOn(p) {
			if _, seen := routes[h]; !seen {
				order = append(order, h)
			}
			routes[h] = append(routes[h], r.id)
			for mi := range r.matches {
				byHost[h] = append(byHost[h], match{ri, &r.matches[mi]})
			}
		}
	}
	for _, h := range order {
		ms := byHost[h]
		slices.SortStableFunc(ms, func(a, b match) int {
			x, y := a.m, b.m
			if d := pathPrecedence(x, y); d != 0 {
				return d
			}
			if x.method != y.method {
				return boolInt(y.method) - boolInt(x.method)
			}
			if d := cmp.Or(cmp.Compare(y.headers, x.headers), cmp.Compare(y.query, x.query)); d != 0 || a.route == b.route {
				return cmp.Or(d, cmp.Compare(x.rule, y.rule))
			}
			return c.routeAge(h, httpRoutes[a.route], httpRoutes[b.route])
		})
		vh := vhost{kind: "gateway", name: h, domains: []string{h}, authorities: []domain{{host: h}}, parents: []parent{p},
			from: fmt.Sprintf("hostname %q (HTTPRoute %s)", h, strings.Join(routes[h], ", "))}
		if h == "*" {
			vh.name, vh.from = "any-host", fmt.Sprintf("HTTPRoute %s without hostnames", strings.Join(routes[h], ", "))
		}
		for _, m := range ms {
			vh.scopes = append(vh.scopes, m.m.scope)
		}
		out = append(out, vh)
	}
	return out
}

// pathPrecedence orders two matches by their paths, as the Gateway API
// does (HTTPRouteRule.Matches): an Exact path first, then the PathPrefix
// with the most characters. A RegularExpression's place is the
// implementation's: last here, and its scope says its place is open.
func pathPrecedence(x, y *gatewayMatch) int {
	return cmp.Or(cmp.Compare(x.pathRank, y.pathRank), cmp.Compare(y.pathLen, x.pathLen))
}

// routeAge orders two HTTPRoutes whose matches tie: the older first, then
// by "namespace/name".
func (c *converter) routeAge(host string, a, b *httpRouteMatches) int {
	if d := a.created.Compare(b.created); d != 0 {
		return d
	}
	first, second := a.id, b.id
	if second < first {
		first, second = second, first
	}
	if a.created.IsZero() {
		c.note("HTTPRoutes %s and %s have matches of equal precedence for %s: the Gateway API prefers the older route; without a creationTimestamp in the documents, %s is taken first (by namespace/name)", first, second, hostOrAny(host), first)
	}
	return cmp.Compare(a.id, b.id)
}

func hostOrAny(h string) string {
	if h == "*" {
		return "every host"
	}
	return h
}

// gatewayMatchOf converts one HTTPRouteMatch: its path, what ranks it,
// and the conditions corswasm cannot match.
func gatewayMatchOf(m gatewayv1.HTTPRouteMatch) gatewayMatch {
	kind, value := gatewayv1.PathMatchPathPrefix, "/"
	if m.Path != nil {
		if m.Path.Type != nil {
			kind = *m.Path.Type
		}
		if m.Path.Value != nil {
			value = *m.Path.Value
		}
	}
	var s gatewayMatch
	switch kind {
	case gatewayv1.PathMatchExact:
		s.paths = pathSet{{pathExact, value}}
	case gatewayv1.PathMatchPathPrefix:
		// PathPrefix matches element by element, a trailing "/" ignored
		// (PathMatchType in apis/v1/httproute_types.go): "/abc" matches
		// "/abc", "/abc/" and "/abc/def", never "/abcd". Envoy Gateway
		// writes it as a path_separated_prefix without the trailing "/",
		// and "/" as every path (buildXdsRouteMatch in
		// internal/xds/translator/route.go).
		s.pathRank, s.pathLen = 1, len(value)
		if v := strings.TrimSuffix(value, "/"); v != "" {
			s.paths = pathSet{{pathSegments, v}}
		}
	default:
		s.pathRank, s.unordered = 2, true
		s.conditions = append(s.conditions, preflightToo(fmt.Sprintf("a %s path", kind)))
	}
	s.method, s.headers, s.query = m.Method != nil, len(m.Headers), len(m.QueryParams)
	// The implementations match the method as a header (Envoy Gateway: a
	// :method header match), which a preflight does not share with its
	// request, nor headers (see condition).
	for _, other := range []struct {
		set bool
		c   condition
	}{{s.method, requestOnly("the method")}, {s.headers > 0, requestOnly("headers")}, {s.query > 0, preflightToo("query parameters")}} {
		if other.set {
			s.conditions = append(s.conditions, other.c)
		}
	}
	return s
}

// gatewayOrigin writes a Gateway API origin as corswasm's allow_origins
// do: in lower case, without the scheme's default port.
func gatewayOrigin(o string) string {
	o = strings.ToLower(o)
	switch {
	case strings.HasPrefix(o, "https://"):
		return strings.TrimSuffix(o, ":443")
	case strings.HasPrefix(o, "http://"):
		return strings.TrimSuffix(o, ":80")
	}
	return o
}

// gatewayCORS converts an HTTPCORSFilter.
func (c *converter) gatewayCORS(from string, f *gatewayv1.HTTPCORSFilter) *engine.Config {
	cfg := &engine.Config{}
	var ms []originMatcher
	for _, o := range f.AllowOrigins {
		v := gatewayOrigin(string(o))
		if v != string(o) {
			c.policyNote("%s: origin %q is the origin %q: the Gateway API's origins are URIs, whose scheme and host compare case-insensitively (RFC 3986 sections 3.1 and 3.2.2), and the scheme's default port is assumed when none is given (HTTPCORSFilter.AllowOrigins)", from, string(o), v)
		}
		if anyHost.MatchString(v) {
			c.refuse("%s: origin %q allows every host of its scheme; use \"*\" if that is meant (never with credentials), or list the origins", from, v)
			continue
		}
		// The Gateway API's "*" host label matches one or more labels to
		// its left, as corswasm's subdomain wildcard does.
		ms = append(ms, originMatcher{kind: "gateway", value: v})
	}
	c.origins(from, ms, cfg)
	var methods []string
	for _, m := range f.AllowMethods {
		methods = append(methods, string(m))
	}
	c.methods(from, methods, cfg)
	for _, h := range f.AllowHeaders {
		cfg.AllowHeaders = append(cfg.AllowHeaders, string(h))
	}
	for _, h := range f.ExposeHeaders {
		cfg.ExposeHeaders = append(cfg.ExposeHeaders, string(h))
	}
	maxAge := int64(f.MaxAge)
	if maxAge == 0 {
		maxAge = gatewayDefaultMaxAge
		c.policyNote("%s: no maxAge: the Gateway API's default of %d s is written out", from, gatewayDefaultMaxAge)
	}
	c.maxAge(from, maxAge, cfg)
	if f.AllowCredentials != nil && *f.AllowCredentials {
		cfg.AllowCredentials = boolPtr(true)
	}
	return cfg
}
