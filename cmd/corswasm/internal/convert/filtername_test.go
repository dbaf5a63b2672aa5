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

// Without the connection manager, a FilterConfig under another name than
// the policies' may be the CORS filter's, which then disables it there
// (RouteEntryImplBase::filterDisabled reads the filter's config name
// alone): where that changes the CORS handling, the conversion is
// refused; with the bootstrap that names the filter, it follows the name.
// A FilterConfig under another Envoy filter's canonical name is that
// filter's.
func TestFilterConfigUnderAnotherName(t *testing.T) {
	const disabled = `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}`
	a := `allow_origin_string_match: [{exact: "https://a.example"}], allow_credentials: true`
	// rc's virtual host has the entries vh and the deprecated cors field
	// deprecated; its route /internal/ the entries internal.
	rc := func(vh, deprecated, internal string) string {
		if deprecated != "" {
			deprecated = "\n  cors: {" + deprecated + "}"
		}
		return `name: edge
ignore_port_in_host_matching: true
virtual_hosts:
- name: api
  domains: ["*"]
  typed_per_filter_config: {` + vh + `}` + deprecated + `
  routes:
  - {match: {prefix: /internal/}, route: {cluster: internal}, typed_per_filter_config: {` + internal + `}}
  - {match: {prefix: /}, route: {cluster: api}}
`
	}
	refusal := `routes[0]: a FilterConfig under "cors" in typed_per_filter_config disables or enables the CORS filter only if its connection manager names it "cors"`
	internal := req{path: "/internal/x", origin: "https://a.example"}
	for _, tc := range []struct {
		desc     string
		doc      string
		refusal  string
		internal string // the outcome on /internal/x when converted
	}{
		{"the policy under the canonical name", rc("envoy.filters.http.cors: "+corsPolicy(a), "", "cors: "+disabled), refusal, ""},
		{"the policy in the deprecated cors field", rc("", a, "cors: "+disabled), refusal, ""},
		{"another filter's canonical name", rc("envoy.filters.http.cors: "+corsPolicy(a), "", "envoy.filters.http.ext_authz: "+disabled), "", "allowed"},
		{"the policies' own name", rc("cors: "+corsPolicy(a), "", "cors: "+disabled), "", "none"},
		{"a route without CORS either way", rc("", "", "cors: "+disabled), "", "none"},
	} {
		if p := convertOrRefused(t, tc.desc, tc.doc, tc.refusal); p != nil {
			check(t, p, tc.desc, internal, tc.internal, nil)
		}
	}
	// With the bootstrap, the name is known: the reviewer's fn2bs.yaml.
	withFilter := func(name, routeConfig string) string {
		filters := strings.Replace(corsAndRouter, "{name: cors,", "{name: "+name+",", 1)
		indented := strings.ReplaceAll(strings.TrimSuffix(routeConfig, "\n"), "\n", "\n            ")
		return bootstrap(filters, "route_config:\n            "+indented)
	}
	for name, want := range map[string]string{"cors": "none", "my-cors": "allowed"} {
		p, _ := convertAll(t, withFilter(name, rc("envoy.filters.http.cors: "+corsPolicy(a), "", "cors: "+disabled)))
		check(t, p, "named "+name, internal, want, nil)
		check(t, p, "named "+name, req{path: "/x", origin: "https://a.example"}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
	}
}

// Envoy unwraps a TypedStruct holding a CorsPolicy (xds.type.v3 or
// udpa.type.v1: Config::Utility::translateOpaqueConfig in source/common/
// config/utility.cc), also inside a FilterConfig; a FilterConfig that
// disables the filter does so whatever its config. An entry under the
// CORS filter's name that the converter cannot read is refused: it
// enables the filter there (PerFilterConfigs: "If a filter is explicitly
// configured we treat it as enabled").
func TestTypedPerFilterConfigForms(t *testing.T) {
	vhPolicy := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], allow_credentials: true`)
	rc := func(public string) string {
		return `name: edge
ignore_port_in_host_matching: true
virtual_hosts:
- name: api
  domains: ["*"]
  typed_per_filter_config: {envoy.filters.http.cors: ` + vhPolicy + `}
  routes:
  - {match: {prefix: /public/}, route: {cluster: public}, typed_per_filter_config: {envoy.filters.http.cors: ` + public + `}}
  - {match: {prefix: /}, route: {cluster: api}}
`
	}
	typedStruct := func(wrapper, value string) string {
		return `{"@type": type.googleapis.com/` + wrapper + `, type_url: type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy, value: {` + value + `}}`
	}
	off := `filter_enabled: {default_value: {numerator: 0}}`
	noCredentials := `allow_credentials: false`
	public := req{path: "/public/x", origin: "https://a.example"}
	for _, tc := range []struct {
		desc, entry string
		want        string // on /public/x
		credentials string
	}{
		{"xds TypedStruct", typedStruct("xds.type.v3.TypedStruct", off), "none", ""},
		{"udpa TypedStruct", typedStruct("udpa.type.v1.TypedStruct", noCredentials), "allowed", ""},
		{"a FilterConfig wrapping a TypedStruct", `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, config: ` + typedStruct("xds.type.v3.TypedStruct", noCredentials) + `}`, "allowed", ""},
		{"a disabling FilterConfig with another filter's config", `{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true, config: {"@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute, disabled: true}}`, "none", ""},
	} {
		p, _ := convertAll(t, rc(tc.entry))
		check(t, p, tc.desc, public, tc.want, map[string]string{"access-control-allow-credentials": tc.credentials})
		check(t, p, tc.desc, req{path: "/x", origin: "https://a.example"}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
	}
	for _, entry := range []string{
		`{"@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute, disabled: true}`,
		`{"@type": type.googleapis.com/xds.type.v3.TypedStruct, type_url: type.googleapis.com/envoy.config.route.v3.FilterConfig, value: {disabled: true}}`,
		`{"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, config: {"@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute}}`,
	} {
		r := convertRaw(t, rc(entry))
		if !hasLine(r.Refusals, `route configuration "edge" virtual_hosts[0].routes[0]: typed_per_filter_config "envoy.filters.http.cors" has @type`, "it is under the CORS filter's name") {
			t.Errorf("%s: refusals %q", entry, r.Refusals)
		}
	}
}

// Without the connection manager, CORS policies under a name other than
// envoy.filters.http.cors are read only if the filter has that name;
// otherwise, no level having one under its name or the canonical one,
// the deprecated cors fields of the route and its virtual host apply
// (CorsFilter::initializeCorsPolicies in source/extensions/filters/http/
// cors/cors_filter.cc). Where both would apply, the answer depends on the
// name, which the input does not show: refused (the reviewer's fn3.yaml).
// With the bootstrap, the name decides (fn3bs.yaml).
func TestDeprecatedCORSBesideNamedPolicies(t *testing.T) {
	partner := corsPolicy(`allow_origin_string_match: [{exact: "https://partner.example"}], allow_credentials: true`)
	rc := func(deprecated string) string {
		return `name: edge
virtual_hosts:
- name: api
  domains: ["*"]` + deprecated + `
  routes:
  - {match: {prefix: /account/}, route: {cluster: api}, typed_per_filter_config: {cors: ` + partner + `}}
  - {match: {prefix: /}, route: {cluster: api}}
`
	}
	const app = "\n  cors: {allow_origin_string_match: [{exact: \"https://app.example.com\"}]}"
	account := req{path: "/account/x", origin: "https://partner.example"}
	r := convertRaw(t, rc(app))
	if !hasLine(r.Refusals, `routes[0]: its CORS policy is under "cors" in typed_per_filter_config`, `deprecated cors field`) {
		t.Errorf("refusals %q", r.Refusals)
	}
	if hasLine(r.Refusals, "routes[1]") {
		t.Errorf("a route the deprecated field alone covers is refused: %q", r.Refusals)
	}
	// Without deprecated fields, the policies' name is the filter's.
	p, _ := convertAll(t, rc(""))
	check(t, p, "no deprecated field", account, "allowed", map[string]string{"access-control-allow-credentials": "true"})
	withFilter := func(name, routeConfig string) string {
		filters := strings.Replace(corsAndRouter, "{name: cors,", "{name: "+name+",", 1)
		indented := strings.ReplaceAll(strings.TrimSuffix(routeConfig, "\n"), "\n", "\n            ")
		return bootstrap(filters, "route_config:\n            "+indented)
	}
	p, _ = convertAll(t, withFilter("envoy.filters.http.cors", rc(app)))
	check(t, p, "named envoy.filters.http.cors", account, "disallowed", nil)
	check(t, p, "named envoy.filters.http.cors", req{path: "/account/x", origin: "https://app.example.com"}, "allowed", map[string]string{"access-control-allow-credentials": ""})
	p, _ = convertAll(t, withFilter("cors", rc(app)))
	check(t, p, "named cors", account, "allowed", map[string]string{"access-control-allow-credentials": "true"})
}
