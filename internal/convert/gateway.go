package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

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

// httpRoute converts a Gateway API HTTPRoute: each rule's matches are
// scopes, ordered as the Gateway API gives precedence (exact paths first,
// then longer prefixes), within the route's hostnames.
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
	var hosts []string
	for _, h := range hr.Spec.Hostnames {
		hosts = append(hosts, string(h))
	}
	var scopes []scope
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
			s, ok := c.gatewayMatch(at, m, cors)
			if ok {
				s.from, s.name, s.hosts, s.cors = from, name, hosts, cors
				scopes = append(scopes, s)
			}
		}
	}
	// Exact paths before prefixes, longer prefixes first; a stable sort
	// keeps the route's order among equals.
	slices.SortStableFunc(scopes, func(a, b scope) int {
		return pathRank(&b) - pathRank(&a)
	})
	c.scopes = append(c.scopes, scopes...)
	return nil
}

// pathRank orders scopes by path specificity.
func pathRank(s *scope) int {
	if len(s.prefixes) == 0 {
		return 0
	}
	return len(s.prefixes[0])
}

// gatewayMatch converts one HTTPRouteMatch into a scope's path prefixes.
func (c *converter) gatewayMatch(at string, m gatewayv1.HTTPRouteMatch, cors *policy.Config) (scope, bool) {
	kind, value := gatewayv1.PathMatchPathPrefix, "/"
	if m.Path != nil {
		if m.Path.Type != nil {
			kind = *m.Path.Type
		}
		if m.Path.Value != nil {
			value = *m.Path.Value
		}
	}
	var s scope
	switch kind {
	case gatewayv1.PathMatchPathPrefix:
		if value != "/" {
			s.prefixes = []string{value}
			if !strings.HasSuffix(value, "/") && cors != nil {
				c.note("%s: the path prefix %q matches whole segments in the Gateway API; corswasm's matches bytes, so the policy also applies to %q", at, value, value+"x")
			}
		}
	case gatewayv1.PathMatchExact:
		s.prefixes = []string{value}
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
	if cors != nil && (len(m.Headers) > 0 || len(m.QueryParams) > 0 || m.Method != nil) {
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
