package convert

import "testing"

// Envoy's forward_not_matching_preflights (true unless set false; Istio
// sets it unless unmatchedPreflights is IGNORE: forwardNotMatchingPreflights
// in pilot/pkg/networking/core/route/route.go) forwards a preflight whose
// origin is not allowed, and answers every preflight from an allowed
// origin itself, whatever its method and headers (CorsFilter::
// decodeHeaders in source/extensions/filters/http/cors/cors_filter.cc):
// the upstream never sees an allowed origin's preflight.
func TestUnmatchedPreflights(t *testing.T) {
	vs := func(field string) string {
		return virtualService("  - corsPolicy: {allowOrigins: [{exact: \"https://a.example\"}], allowMethods: [PUT]" + field + "}\n    route: [{destination: {host: api}}]\n")
	}
	envoy := func(field string) string {
		return envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}], allow_methods: "PUT"`+field), "", "", "")
	}
	for _, tc := range []struct {
		desc, doc   string
		foreign     string // a preflight from another origin
		wrongMethod string // a preflight from the allowed origin with a method not allowed
	}{
		{"Istio FORWARD", vs(", unmatchedPreflights: FORWARD"), "forwarded", "refused"},
		{"Istio unset", vs(""), "forwarded", "refused"},
		{"Istio IGNORE", vs(", unmatchedPreflights: IGNORE"), "refused", "refused"},
		{"Envoy true", envoy(", forward_not_matching_preflights: true"), "forwarded", "refused"},
		{"Envoy unset", envoy(""), "forwarded", "refused"},
		{"Envoy false", envoy(", forward_not_matching_preflights: false"), "refused", "refused"},
	} {
		p, _ := convertAll(t, tc.doc)
		check(t, p, tc.desc+", foreign origin", req{origin: "https://b.example", acrm: "PUT"}, tc.foreign, nil)
		check(t, p, tc.desc+", method not allowed", req{origin: "https://a.example", acrm: "DELETE"}, tc.wrongMethod, nil)
		check(t, p, tc.desc+", allowed", req{origin: "https://a.example", acrm: "PUT"}, "allowed", nil)
	}
}
