package convert

import (
	"strings"
	"testing"
)

// The CORS filter reads per-route configurations under its name in the
// connection manager, and under envoy.filters.http.cors only when no
// level has one under its name (ActiveStreamFilterBase::
// traversePerFilterConfig in source/common/http/filter_manager.cc); a
// FilterConfig disables it under its name alone (RouteEntryImplBase::
// filterDisabled). Without the connection manager, the name is the one
// the input's CORS policies have.
func TestCORSFilterName(t *testing.T) {
	const disabled = `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}`
	a := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`)
	credentials := corsPolicy(`allow_credentials: true`)
	// rc is a route configuration whose virtual host has the entries vh,
	// its route /internal/ the entries internal, its route / the entries
	// all (YAML flow mappings' insides).
	rc := func(vh, internal, all string) string {
		return `name: edge
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  typed_per_filter_config: {` + vh + `}
  routes:
  - {match: {prefix: /internal/}, route: {cluster: api}, typed_per_filter_config: {` + internal + `}}
  - {match: {prefix: /}, route: {cluster: api}, typed_per_filter_config: {` + all + `}}
`
	}
	// withFilter serves a route configuration through a connection
	// manager whose CORS filter is named name.
	withFilter := func(name, routeConfig string) string {
		filters := strings.Replace(corsAndRouter, "{name: cors,", "{name: "+name+",", 1)
		indented := strings.ReplaceAll(strings.TrimSuffix(routeConfig, "\n"), "\n", "\n            ")
		return bootstrap(filters, "route_config:\n            "+indented)
	}
	internal := req{path: "/internal/x", origin: "https://a.example"}
	all := req{path: "/x", origin: "https://a.example"}
	for _, tc := range []struct {
		desc          string
		doc           string
		internal, all string // the outcomes
		credentials   string // on /x
	}{
		{"no connection manager: disabled under the policies' name", rc("cors: "+a, "cors: "+disabled, ""), "none", "allowed", ""},
		{"named cors: disabled under cors", withFilter("cors", rc("cors: "+a, "cors: "+disabled, "")), "none", "allowed", ""},
		{"named cors: a FilterConfig under the canonical name is another filter's", withFilter("cors", rc("cors: "+a, "envoy.filters.http.cors: "+disabled, "")), "allowed", "allowed", ""},
		{"named cors: the canonical name's policies ignored where cors has one", withFilter("cors", rc("cors: "+a, "", "envoy.filters.http.cors: "+credentials)), "allowed", "allowed", ""},
		{"named cors: the canonical name's policies read where cors has none", withFilter("cors", rc("envoy.filters.http.cors: "+a, "", "envoy.filters.http.cors: "+credentials)), "allowed", "allowed", "true"},
		{"named my-cors: cors is another filter's", withFilter("my-cors", rc("cors: "+a, "", "")), "none", "none", ""},
	} {
		p, _ := convertAll(t, tc.doc)
		check(t, p, tc.desc, internal, tc.internal, nil)
		check(t, p, tc.desc, all, tc.all, map[string]string{"access-control-allow-credentials": tc.credentials})
	}
	// Without the connection manager, policies under two names: which
	// apply depends on its name.
	r := convertRaw(t, rc("cors: "+a, "", "envoy.filters.http.cors: "+credentials))
	if !hasLine(r.Refusals, `CORS policies under the names "cors" and "envoy.filters.http.cors" in typed_per_filter_config`) {
		t.Errorf("refusals %q", r.Refusals)
	}
}
