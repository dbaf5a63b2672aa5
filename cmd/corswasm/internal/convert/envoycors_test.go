package convert

import (
	"fmt"
	"testing"
)

// corsPolicy is a typed_per_filter_config entry for the CORS filter with
// the given fields (a YAML flow mapping's inside).
func corsPolicy(fields string) string {
	return `{"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy, ` + fields + `}`
}

// envoyRoutes is a route configuration whose own level, virtual host
// (api.example.com) and one route (prefix "/") have the given
// typed_per_filter_config entries for the CORS filter ("" for none);
// extraVH and extraRoute are more fields of the virtual host and route
// (a YAML flow mapping's inside, such as a deprecated cors).
func envoyRoutes(rc, vh, route, extraVH, extraRoute string) string {
	entry := func(e string) string {
		if e == "" {
			return "{}"
		}
		return "{envoy.filters.http.cors: " + e + "}"
	}
	if extraVH != "" {
		extraVH = ", " + extraVH
	}
	if extraRoute != "" {
		extraRoute = ", " + extraRoute
	}
	return fmt.Sprintf(`name: edge
typed_per_filter_config: %s
virtual_hosts:
- {name: api, domains: [api.example.com, "api.example.com:*"], typed_per_filter_config: %s%s,
   routes: [{name: all, match: {prefix: /}, route: {cluster: api%s}, typed_per_filter_config: %s}]}
`, entry(rc), entry(vh), extraVH, extraRoute, entry(route))
}

// vhAll sets every field at the virtual host.
const vhAll = `allow_origin_string_match: [{exact: "https://a.example"}], allow_methods: "PUT", allow_headers: "x-vhost",
  expose_headers: "x-vhost-exposed", max_age: "600", allow_credentials: true, allow_private_network_access: true,
  forward_not_matching_preflights: true`

// Envoy's CORS filter takes each field from the most specific policy that
// sets it (CorsFilter::allowOrigins, allowMethods, allowHeaders,
// exposeHeaders, maxAge, allowCredentials, allowPrivateNetworkAccess,
// forwardNotMatchingPreflights in source/extensions/filters/http/cors/
// cors_filter.cc): a route that sets one field keeps the virtual host's
// others. A list or string sets its field when not empty; a wrapper
// (credentials, private network, forward) when present, false too.
func TestEnvoyFieldByField(t *testing.T) {
	preflight := func(origin, method, headers string) req {
		return req{origin: origin, acrm: method, acrh: headers}
	}
	cases := []struct {
		desc    string
		route   string // the route's fields
		r       req
		want    string
		headers map[string]string
	}{
		{"origins: the route's list replaces the virtual host's, the other fields stay", `allow_origin_string_match: [{exact: "https://b.example"}]`,
			preflight("https://b.example", "PUT", "x-vhost"), "allowed",
			map[string]string{"access-control-allow-origin": "https://b.example", "access-control-allow-methods": "PUT", "access-control-allow-headers": "x-vhost", "access-control-max-age": "600", "access-control-allow-credentials": "true"}},
		{"origins: the virtual host's are no longer allowed", `allow_origin_string_match: [{exact: "https://b.example"}]`,
			preflight("https://a.example", "PUT", ""), "forwarded", nil},
		{"origins: an empty list sets nothing", `allow_origin_string_match: [], allow_headers: "x-route"`,
			preflight("https://a.example", "PUT", "x-route"), "allowed", map[string]string{"access-control-allow-origin": "https://a.example"}},
		{"methods: the route's", `allow_methods: "DELETE"`,
			preflight("https://a.example", "DELETE", "x-vhost"), "allowed", map[string]string{"access-control-allow-methods": "DELETE", "access-control-allow-headers": "x-vhost"}},
		{"methods: an empty string sets nothing", `allow_methods: "", max_age: "60"`,
			preflight("https://a.example", "PUT", ""), "allowed", map[string]string{"access-control-allow-methods": "PUT"}},
		{"headers: the route's", `allow_headers: "x-route"`,
			preflight("https://a.example", "PUT", "x-route"), "allowed", map[string]string{"access-control-allow-headers": "x-route", "access-control-allow-methods": "PUT"}},
		{"exposed headers: the route's", `expose_headers: "x-route-exposed"`,
			req{origin: "https://a.example"}, "allowed", map[string]string{"access-control-expose-headers": "x-route-exposed", "access-control-allow-credentials": "true"}},
		{"exposed headers: inherited", `max_age: "60"`,
			req{origin: "https://a.example"}, "allowed", map[string]string{"access-control-expose-headers": "x-vhost-exposed"}},
		{"max age: the route's", `max_age: "60"`,
			preflight("https://a.example", "PUT", ""), "allowed", map[string]string{"access-control-max-age": "60", "access-control-allow-credentials": "true"}},
		{"credentials: a present false overrides", `allow_credentials: false`,
			preflight("https://a.example", "PUT", ""), "allowed", map[string]string{"access-control-allow-credentials": "", "access-control-max-age": "600"}},
		{"private network: inherited", `max_age: "60"`,
			req{origin: "https://a.example", acrm: "PUT", pna: "true"}, "allowed", map[string]string{"access-control-allow-private-network": "true"}},
		// The origin is allowed: Envoy answers the preflight itself,
		// without Access-Control-Allow-Private-Network, and forwards
		// nothing (CorsFilter::decodeHeaders).
		{"private network: a present false overrides", `allow_private_network_access: false`,
			req{origin: "https://a.example", acrm: "PUT", pna: "true"}, "refused", nil},
		{"forward: inherited", `max_age: "60"`,
			preflight("https://c.example", "PUT", ""), "forwarded", nil},
		{"forward: a present false overrides", `forward_not_matching_preflights: false`,
			preflight("https://c.example", "PUT", ""), "refused", nil},
		{"filter_enabled: the route's policy alone counts (the virtual host's 0% does not)", `max_age: "60"`,
			preflight("https://a.example", "PUT", ""), "allowed", nil},
		{"filter_enabled 0% at the route: no CORS handling", `filter_enabled: {default_value: {numerator: 0}}`,
			preflight("https://a.example", "PUT", ""), "none", nil},
		{"filter_enabled 0% and shadow_enabled 100%: shadow mode", `filter_enabled: {default_value: {numerator: 0}}, shadow_enabled: {default_value: {numerator: 100}}`,
			preflight("https://a.example", "PUT", ""), "audit", nil},
		{"filter_enabled 10000/10000", `filter_enabled: {default_value: {numerator: 10000, denominator: TEN_THOUSAND}}`,
			preflight("https://a.example", "PUT", ""), "allowed", nil},
	}
	for _, tc := range cases {
		vh := vhAll
		if tc.desc == "filter_enabled: the route's policy alone counts (the virtual host's 0% does not)" {
			vh += `, filter_enabled: {default_value: {numerator: 0}}`
		}
		p, _ := convertAll(t, envoyRoutes("", corsPolicy(vh), corsPolicy(tc.route), "", ""))
		check(t, p, tc.desc, tc.r, tc.want, tc.headers)
	}
}

// The route configuration's own policy is the least specific level
// (CommonVirtualHostImpl::perFilterConfigs puts it first, and
// CorsFilter::initializeCorsPolicies reverses the list).
func TestEnvoyRouteConfigurationLevel(t *testing.T) {
	p, _ := convertAll(t, envoyRoutes(corsPolicy(`allow_headers: "x-rc", max_age: "30", allow_credentials: true`),
		corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], max_age: "60"`),
		corsPolicy(`allow_credentials: false`), "", ""))
	check(t, p, "route configuration level", req{origin: "https://a.example", acrm: "PUT", acrh: "x-rc"}, "refused", nil)
	check(t, p, "route configuration level", req{origin: "https://a.example", acrm: "POST", acrh: "x-rc"}, "allowed",
		map[string]string{"access-control-allow-headers": "x-rc", "access-control-max-age": "60", "access-control-allow-credentials": ""})
}

// The deprecated cors fields count only when no level has a
// typed_per_filter_config policy (CorsFilter::initializeCorsPolicies):
// then the route action's first, its virtual host's next.
func TestEnvoyDeprecatedCORS(t *testing.T) {
	vhCORS := `cors: {allow_origin_string_match: [{exact: "https://a.example"}], allow_headers: "x-dep", forward_not_matching_preflights: false}`
	// Deprecated fields alone: merged field by field.
	p, _ := convertAll(t, envoyRoutes("", "", "", vhCORS, `cors: {allow_methods: "DELETE"}`))
	check(t, p, "deprecated, route and virtual host", req{origin: "https://a.example", acrm: "DELETE", acrh: "x-dep"}, "allowed",
		map[string]string{"access-control-allow-methods": "DELETE", "access-control-allow-headers": "x-dep"})
	// A typed policy at the route: the virtual host's cors is ignored
	// whole, its allow_headers and forward_not_matching_preflights too.
	p, _ = convertAll(t, envoyRoutes("", "", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], forward_not_matching_preflights: false`), vhCORS, ""))
	check(t, p, "typed beats deprecated", req{origin: "https://a.example", acrm: "POST", acrh: "x-dep"}, "refused", nil)
	check(t, p, "typed beats deprecated", req{origin: "https://a.example", acrm: "POST"}, "allowed", nil)
}

// A FilterConfig entry disables the filter, or enables it, at its level;
// the most specific level that says either way decides
// (RouteEntryImplBase::filterDisabled, PerFilterConfigs in
// source/common/router/per_filter_config.cc), and a CORS policy entry
// enables it too.
func TestEnvoyFilterConfig(t *testing.T) {
	disabled := `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}`
	wrapped := `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, config: ` + corsPolicy(`allow_headers: "x-route"`) + `}`
	vh := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], forward_not_matching_preflights: false`)
	for _, tc := range []struct {
		desc, vh, route string
		want            string
	}{
		{"disabled at the route", vh, disabled, "none"},
		{"disabled at the virtual host, a policy at the route", disabled, corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], allow_headers: "x-route"`), "allowed"},
		{"a FilterConfig wrapping a policy", vh, wrapped, "allowed"},
	} {
		p, _ := convertAll(t, envoyRoutes("", tc.vh, tc.route, "", ""))
		check(t, p, tc.desc, req{origin: "https://a.example", acrm: "POST", acrh: "x-route"}, tc.want, nil)
	}
}

// A weighted cluster's typed_per_filter_config is the most specific level
// (WeightedClusterEntry::perFilterConfigs in source/common/router/
// weighted_cluster_specifier.cc), and Envoy picks the cluster at random:
// converted when every cluster gives the same policy, refused otherwise.
func TestEnvoyWeightedClusters(t *testing.T) {
	rc := func(a, b string) string {
		return `name: edge
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `}
  routes:
  - match: {prefix: /}
    route:
      weighted_clusters:
        clusters:
        - {name: v1, weight: 90, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(a) + `}}
        - {name: v2, weight: 10, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(b) + `}}
`
	}
	p, _ := convertAll(t, rc(`allow_headers: "x-cluster"`, `allow_headers: "x-cluster"`))
	check(t, p, "equal clusters", req{origin: "https://a.example", acrm: "POST", acrh: "x-cluster"}, "allowed", map[string]string{"access-control-allow-headers": "x-cluster"})
	r := convertRaw(t, rc(`allow_headers: "x-v1"`, `allow_headers: "x-v2"`))
	if !hasLine(r.Refusals, `routes[0]: its weighted clusters give requests different CORS policies, and Envoy picks the cluster at random`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}

// filter_enabled below 100% becomes enforce_percent, rounded down when not
// a whole percentage (never enforcing a larger share than Envoy); any
// share of shadow_enabled under filter_enabled 0% is audit mode; a runtime
// key is refused with the reason.
func TestEnvoyFractions(t *testing.T) {
	for _, tc := range []struct{ fields, refusal string }{
		{`filter_enabled: {default_value: {numerator: 100}, runtime_key: cors.www.enabled}`, `filter_enabled takes its share of requests from Envoy's runtime key "cors.www.enabled" when the runtime sets it (100/100 otherwise)`},
		{`filter_enabled: {default_value: {numerator: 0}}, shadow_enabled: {default_value: {numerator: 100}, runtime_key: cors.shadow}`, `shadow_enabled takes its share of requests from Envoy's runtime key "cors.shadow"`},
	} {
		r := convertRaw(t, envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], `+tc.fields), "", "", ""))
		if !hasLine(r.Refusals, `route configuration "edge" virtual_hosts[0] "api": `+tc.refusal) {
			t.Errorf("%s: refusals %q; want %q", tc.fields, r.Refusals, tc.refusal)
		}
	}
	for _, tc := range []struct {
		fields  string
		percent int    // the rule's enforce_percent; 0: not set
		mode    string // the rule's mode
		note    string
	}{
		{`filter_enabled: {default_value: {numerator: 50}}`, 50, "", `filter_enabled 50%: the rule enforces that share ("enforce_percent": 50) and audits the rest`},
		{`filter_enabled: {default_value: {numerator: 125, denominator: TEN_THOUSAND}}`, 1, "", `filter_enabled 125/10000 is not a whole percentage: rounded down to 1%`},
		{`filter_enabled: {default_value: {numerator: 999999, denominator: MILLION}}, shadow_enabled: {default_value: {numerator: 100}, runtime_key: x}`, 99, "", `rounded down to 99%`},
		{`filter_enabled: {default_value: {numerator: 5, denominator: TEN_THOUSAND}}, shadow_enabled: {default_value: {numerator: 100}}`, 0, "audit", `filter_enabled 5/10000 is below 1%: rounded down to 0%`},
		{`filter_enabled: {default_value: {numerator: 0}}, shadow_enabled: {default_value: {numerator: 1, denominator: MILLION}}`, 0, "audit", `filter_enabled 0% with shadow_enabled 1/1000000`},
	} {
		_, r := convertAll(t, envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], `+tc.fields), "", "", ""))
		var percent int
		var mode string
		if c := r.Config; len(c.Rules) > 0 {
			if c.Rules[0].EnforcePercent != nil {
				percent = *c.Rules[0].EnforcePercent
			}
			mode = c.Rules[0].Mode
		} else {
			if c.EnforcePercent != nil {
				percent = *c.EnforcePercent
			}
			mode = c.Mode
		}
		if percent != tc.percent || mode != tc.mode {
			t.Errorf("%s: enforce_percent %d, mode %q; want %d, %q\n%s", tc.fields, percent, mode, tc.percent, tc.mode, r.JSON)
		}
		if !hasLine(r.Notes, tc.note) {
			t.Errorf("%s: notes %q; want %q", tc.fields, r.Notes, tc.note)
		}
	}
	// shadow_enabled changes nothing while filter_enabled is always on,
	// even with a runtime key.
	p, _ := convertAll(t, envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], shadow_enabled: {default_value: {numerator: 50}, runtime_key: x}`), "", "", ""))
	check(t, p, "shadow irrelevant", req{origin: "https://a.example"}, "allowed", nil)
}
