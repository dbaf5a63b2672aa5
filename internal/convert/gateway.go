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

	"github.com/corswasm/corswasm/policy"
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
	created   time.Time
	hostnames []string
	matches   []gatewayMatch
}

// gatewayMatch is one HTTPRouteMatch of a rule.
type gatewayMatch struct {
	scope
	rule           int
	exact, method  bool
	headers, query int
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
	route := httpRouteMatches{id: id, created: hr.CreationTimestamp.Time}
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
		var cors *policy.Config
		for _, f := range rule.Filters {
			if f.Type == gatewayv1.HTTPRouteFilterCORS && f.CORS != nil {
				cors = c.gatewayCORS(from, f.CORS)
			}
		}
		matches := rule.Matches
		if len(matches) == 0 {
			matches = []gatewayv1.HTTPRouteMatch{{}}
		}
		for j, m := range matches {
			at := fmt.Sprintf("%s matches[%d]", from, j)
			if gm, ok := c.gatewayMatch(at, m, cors); ok {
				gm.from, gm.name, gm.cors, gm.rule = from, name, cors, i
				route.matches = append(route.matches, gm)
			}
		}
	}
	c.httpRoutes = append(c.httpRoutes, route)
	return nil
}

// gatewayVHosts makes a vhost of each hostname of the HTTPRoutes read
// (HTTPRoutes without hostnames take every host), with the matches of
// every HTTPRoute that has it, in the Gateway API's precedence
// (HTTPRouteRule.Matches): the path (see pathPrecedence), a method match,
// the most header matches, the most query parameter matches, the oldest
// route, the first route by "namespace/name", the first rule.
func (c *converter) gatewayVHosts() {
	type match struct {
		route int
		m     *gatewayMatch
	}
	byHost := make(map[string][]match)
	routes := make(map[string][]string)
	var order []string
	for ri := range c.httpRoutes {
		r := &c.httpRoutes[ri]
		hosts := r.hostnames
		if len(hosts) == 0 {
			hosts = []string{"*"}
		}
		for _, h := range hosts {
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
			return c.routeAge(h, &c.httpRoutes[a.route], &c.httpRoutes[b.route])
		})
		vh := vhost{kind: "gateway", name: h, domains: []string{h},
			from: fmt.Sprintf("hostname %q (HTTPRoute %s)", h, strings.Join(routes[h], ", "))}
		if h == "*" {
			vh.name, vh.from = "any-host", fmt.Sprintf("HTTPRoute %s without hostnames", strings.Join(routes[h], ", "))
		}
		for _, m := range ms {
			vh.scopes = append(vh.scopes, m.m.scope)
		}
		c.vhosts = append(c.vhosts, vh)
	}
}

// pathPrecedence orders two matches by their paths. The Gateway API puts
// exact paths first, then longer prefixes; corswasm compares an exact path
// as a prefix, so a longer prefix must come before a shorter exact path
// (an exact "/a" would otherwise take "/a/b/x" from a prefix "/a/b"): the
// longer path first, the exact one first between equals. Where the
// Gateway API's order differs, the two never match the same request.
func pathPrecedence(x, y *gatewayMatch) int {
	pathLen := func(m *gatewayMatch) int {
		if len(m.prefixes) == 0 {
			return 1 // "/"
		}
		return len(m.prefixes[0])
	}
	if d := cmp.Compare(pathLen(y), pathLen(x)); d != 0 {
		return d
	}
	return boolInt(y.exact) - boolInt(x.exact)
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

// gatewayMatch converts one HTTPRouteMatch: its path prefixes, and what
// ranks it.
func (c *converter) gatewayMatch(at string, m gatewayv1.HTTPRouteMatch, cors *policy.Config) (gatewayMatch, bool) {
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
	case gatewayv1.PathMatchPathPrefix:
		if value != "/" {
			s.prefixes = []string{value}
			if !strings.HasSuffix(value, "/") && cors != nil {
				c.note("%s: the path prefix %q matches whole segments in the Gateway API; corswasm's matches bytes, so the policy also applies to %q", at, value, value+"x")
			}
		}
	case gatewayv1.PathMatchExact:
		s.prefixes, s.exact = []string{value}, true
		if cors != nil {
			c.note("%s: the exact path %q became a path prefix: the policy also applies to longer paths", at, value)
		}
	default:
		if cors != nil {
			c.refuse("%s: corswasm rules cannot select requests by a %s path, and leaving it out would apply a CORS policy to requests the source did not", at, kind)
		} else {
			c.note("%s: left out (corswasm cannot select requests by a %s path); no CORS policy depends on it", at, kind)
		}
		return s, false
	}
	s.method, s.headers, s.query = m.Method != nil, len(m.Headers), len(m.QueryParams)
	s.conditional = s.method || s.headers > 0 || s.query > 0
	if cors != nil && s.conditional {
		c.note("%s: corswasm does not match on headers, query parameters or the method: the policy applies to every request to these hosts and paths", at)
	}
	return s, true
}

// gatewayCORS converts an HTTPCORSFilter.
func (c *converter) gatewayCORS(from string, f *gatewayv1.HTTPCORSFilter) *policy.Config {
	cfg := &policy.Config{}
	var ms []originMatcher
	for _, o := range f.AllowOrigins {
		v := string(o)
		if anyHost.MatchString(v) {
			c.refuse("%s: origin %q allows every host of its scheme; use \"*\" if that is meant (never with credentials), or list the origins", from, v)
			continue
		}
		// The Gateway API's "*" host label matches one or more labels to
		// its left, as corswasm's subdomain wildcard does.
		ms = append(ms, originMatcher{"exact", v})
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
		c.note("%s: no maxAge: the Gateway API's default of %d s is written out", from, gatewayDefaultMaxAge)
	}
	c.maxAge(from, maxAge, cfg)
	if f.AllowCredentials != nil && *f.AllowCredentials {
		cfg.AllowCredentials = boolPtr(true)
	}
	return cfg
}
