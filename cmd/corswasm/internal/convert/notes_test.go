package convert

import (
	"strings"
	"testing"
)

// Each note is printed for the inputs it is true of, and only for those:
// the behaviour notes where a policy of the result has the feature they
// are about, the result's warnings and the summary only when a result is
// written, never beside refusals.
func TestNotesApply(t *testing.T) {
	const (
		reflects  = `allows "*" by reflecting the request's origin`
		noChecks  = `Envoy's CORS filter does not check the requested method and headers`
		status200 = `Envoy answers an allowed preflight with 200`
		replaces  = `where corswasm decides, it replaces the upstream's CORS headers`
		noCORS    = `the source does no CORS handling on any request`
		warns     = `corswasm warns about the converted configuration`
		runCheck  = "run `corswasm check` on the result"
		gwRefused = `a Gateway API implementation may answer a refused preflight 200 or 204`
		// Notes about one policy.
		maxAgeCap   = `max age 100000 s became 86400 s`
		safelisted  = `GET, HEAD and POST are always allowed`
		refused200  = `Envoy answered a refused preflight 200 without CORS headers`
		suffixHTTPS = `origin suffix ".example.com" matched every scheme`
	)
	vs := func(cors string) string {
		return virtualService("  - corsPolicy: {" + cors + "}\n    route: [{destination: {host: api}}]\n")
	}
	for _, tc := range []struct {
		desc      string
		doc       string
		has, lack []string
	}{
		{"an exact origin", vs(`allowOrigins: [{exact: "https://a.example"}]`),
			[]string{noChecks, status200, replaces, runCheck}, []string{reflects, noCORS, warns, gwRefused}},
		{"\"*\"", vs(`allowOrigins: [{exact: "*"}]`),
			[]string{reflects, noChecks}, []string{noCORS}},
		{"no CORS anywhere", envoyRoutes("", "", "", "", ""),
			[]string{noCORS}, []string{reflects, noChecks, status200, replaces, runCheck}},
		{"refused, with a warning the result would have had", vs(`allowOrigins: [{prefix: "https://a.example"}], maxAge: 24h`),
			nil, []string{warns, noChecks, status200, replaces, runCheck, noCORS}},
		{"refused, with no policy", bootstrap(corsAndRouter, `rds: {route_config_name: missing, config_source: {ads: {}}}`),
			nil, []string{noCORS, runCheck}},
		// The route with a policy is unreachable: its notes are about a
		// policy the result does not have.
		{"an unreachable route's policy", `name: edge
virtual_hosts:
- name: api
  domains: [api.example.com, "api.example.com:*"]
  routes:
  - {match: {prefix: /}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: {"@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true}}}
  - {match: {prefix: /a/}, route: {cluster: api}, typed_per_filter_config: {envoy.filters.http.cors: ` + corsPolicy(`allow_origin_string_match: [{suffix: ".example.com"}], allow_methods: "GET,PUT", max_age: "100000", forward_not_matching_preflights: false`) + `}}
`, []string{noCORS, `is unreachable for api.example.com behind`}, []string{maxAgeCap, safelisted, refused200, suffixHTTPS, runCheck}},
		{"a route's policy in the result", envoyRoutes("", "", corsPolicy(`allow_origin_string_match: [{suffix: ".example.com"}], allow_methods: "GET,PUT", max_age: "100000", forward_not_matching_preflights: false`), "", ""),
			[]string{maxAgeCap, safelisted, refused200, suffixHTTPS, runCheck}, []string{noCORS}},
		{"shadow mode alone", envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], filter_enabled: {default_value: {numerator: 0}}, shadow_enabled: {default_value: {numerator: 100}}`), "", "", ""),
			[]string{`the rule is in "mode": "audit"`, runCheck}, []string{noChecks, status200, replaces, noCORS}},
	} {
		r := convertRaw(t, tc.doc)
		all := strings.Join(r.Notes, "\n")
		for _, want := range tc.has {
			if !strings.Contains(all, want) {
				t.Errorf("%s: no note %q:\n%s", tc.desc, want, all)
			}
		}
		for _, unwanted := range tc.lack {
			if strings.Contains(all, unwanted) {
				t.Errorf("%s: a note %q that does not apply:\n%s", tc.desc, unwanted, all)
			}
		}
	}
}
