package convert

import "testing"

// covers and overlaps agree with matches on every path of up to six
// bytes over an alphabet of "/", "a", "b", for every pair of path
// conditions of every kind over the same values: the definitions (Envoy's
// prefix, path and path_separated_prefix) are the oracle.
func TestPathRelationsExhaustive(t *testing.T) {
	alphabet := []string{"/", "a", "b"}
	paths := []string{""}
	for n, frontier := 0, []string{""}; n < 6; n++ {
		var next []string
		for _, p := range frontier {
			for _, c := range alphabet {
				next = append(next, p+c)
			}
		}
		paths, frontier = append(paths, next...), next
	}
	var matches []pathMatch
	for _, v := range []string{"/", "/a", "/a/", "/ab", "/a/b", "/b"} {
		for _, k := range []pathKind{pathPrefix, pathExact, pathSegments} {
			if k == pathSegments && v[len(v)-1] == '/' {
				continue // Envoy refuses a path_separated_prefix ending in "/"
			}
			matches = append(matches, pathMatch{k, v})
		}
	}
	for _, m := range matches {
		for _, n := range matches {
			covers, overlaps := true, false
			for _, p := range paths {
				covers = covers && (!n.matches(p) || m.matches(p))
				overlaps = overlaps || n.matches(p) && m.matches(p)
			}
			// Longer paths change nothing for values of at most four
			// bytes: two more bytes tell each kind apart.
			if got := m.covers(n); got != covers {
				t.Errorf("%+v covers %+v = %v; want %v", m, n, got, covers)
			}
			if got := m.overlaps(n); got != overlaps {
				t.Errorf("%+v overlaps %+v = %v; want %v", m, n, got, overlaps)
			}
		}
	}
}

// With ignore_path_parameters_in_path_matching, Envoy matches a path up
// to its first ";" (RouteEntryImplBase::sanitizePathBeforePathMatching in
// source/common/router/config_impl.cc): an exact or segment-wise route
// also takes its path followed by ";…", and a route whose path has ";"
// takes nothing.
func TestPathParameters(t *testing.T) {
	rc := func(ignore string) string {
		return `name: edge
ignore_path_parameters_in_path_matching: ` + ignore + `
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  routes:
  - {match: {path: /admin}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `}}
  - {match: {path_separated_prefix: /v1}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`) + `}}
  - {match: {prefix: /b;}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{exact: "https://b.example"}]`) + `}}
  - {match: {prefix: /}, route: {cluster: api}}
`
	}
	p, r := convertAll(t, rc("true"))
	for _, tc := range []struct {
		path, origin, want string
	}{
		{"/admin", "https://a.example", "allowed"},
		{"/admin;jsessionid=1", "https://a.example", "allowed"},
		{"/admin;a/b", "https://a.example", "allowed"},
		{"/adminx", "https://a.example", "none"},
		{"/v1;x", "https://a.example", "allowed"},
		{"/v1/x;y", "https://a.example", "allowed"},
		{"/v1x", "https://a.example", "none"},
		{"/b;x", "https://b.example", "none"},
	} {
		check(t, p, "ignore_path_parameters_in_path_matching", req{path: tc.path, origin: tc.origin}, tc.want, nil)
	}
	if !hasLine(r.Notes, `routes[2]: its path "/b;" has a ";", and ignore_path_parameters_in_path_matching matches paths up to their first ";": Envoy never takes this route: left out`) {
		t.Errorf("notes %q", r.Notes)
	}
	p, _ = convertAll(t, rc("false"))
	check(t, p, "path parameters kept", req{path: "/admin;jsessionid=1", origin: "https://a.example"}, "none", nil)
	check(t, p, "path parameters kept", req{path: "/b;x", origin: "https://b.example"}, "allowed", nil)
}
