package convert

import (
	"strings"
	"testing"
)

// Every refusal says what is refused and why; each of those no other test
// reaches, with its reason.
func TestRefusalReasons(t *testing.T) {
	a := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`)
	route := `{match: {prefix: /}, route: {cluster: api}}`
	for _, tc := range []struct {
		desc, doc, reason string
	}{
		{"max_age not a number", envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], max_age: "10m"`), "", "", ""),
			`virtual_hosts[0] "api": max_age "10m" is not a number of seconds`},
		{"two CORS policies at one level", `name: edge
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  typed_per_filter_config: {cors: ` + a + `, envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://b.example"}]`) + `}
  routes: [` + route + `]
`, `route configuration "edge": CORS policies under the names "cors" and "envoy.filters.http.cors" in typed_per_filter_config: Envoy reads those under the name its connection manager gives the CORS filter`},
		{"a domain wildcard inside a label", `name: edge
virtual_hosts: [{name: api, domains: ["*api.example.com"], routes: [` + route + `]}]
`, `domain "*api.example.com": corswasm matches hosts exactly or by a whole-label wildcard (*.example.com)`},
		{"VHDS", "name: edge\nvhds: {config_source: {ads: {}}}\nvirtual_hosts: []\n",
			`route configuration "edge": virtual hosts come from VHDS (vhds), which are not in the input`},
		// RouteMatcher::findVirtualHost reads the host from vhost_header
		// when set (source/common/router/config_impl.cc).
		{"vhost_header", "name: edge\nvhost_header: x-vhost\nvirtual_hosts: [{name: api, domains: [\"*\"], typed_per_filter_config: {envoy.filters.http.cors: " + a + "}, routes: [" + route + "]}]\n",
			`route configuration "edge": vhost_header "x-vhost": Envoy chooses the virtual host by that header instead of :authority, and corswasm rules match :authority`},
		{"a matcher tree", `name: edge
virtual_hosts: [{name: api, domains: [api.example.com, "api.example.com:*"], matcher: {on_no_match: {action: {name: r, typed_config: {"@type": type.googleapis.com/envoy.config.route.v3.Route, match: {prefix: /}, route: {cluster: api}}}}}}]
`, `virtual_hosts[0] "api" chooses its routes with a matcher tree (matcher), which corswasm cannot convert`},
		{"scoped routes", bootstrap(corsAndRouter, `scoped_routes: {name: s, scope_key_builder: {fragments: []}, rds_config_source: {ads: {}}, scoped_rds: {scoped_rds_config_source: {ads: {}}}}`),
			`takes its routes from scoped route configurations (scoped_routes), which corswasm cannot convert`},
		{"two CORS filters in one connection manager", bootstrap(`[{name: cors, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}},
            {name: cors2, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}}]`, `route_config: {name: local, virtual_hosts: []}`),
			`runs 2 CORS filters ("cors" and "cors2"): each reads its own per-route configurations and acts on the same requests`},
		{"an Istio delegate", virtualService("  - match: [{uri: {prefix: /a/}}]\n    delegate: {name: a, namespace: team}\n"),
			`VirtualService shop/api http[0] delegates to VirtualService team/a: convert that one instead`},
		{"a Gateway API origin for every host of a scheme", httpRoute("  - filters: [{type: CORS, cors: {allowOrigins: [\"https://*\"]}}]\n    backendRefs: [{name: api, port: 8080}]\n"),
			`HTTPRoute shop/api rules[0]: origin "https://*" allows every host of its scheme`},
	} {
		r := convertRaw(t, tc.doc)
		if !hasLine(r.Refusals, tc.reason) {
			t.Errorf("%s: refusals\n%s\nwant one with %q", tc.desc, strings.Join(r.Refusals, "\n"), tc.reason)
		}
	}
}
