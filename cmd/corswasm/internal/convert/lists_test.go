package convert

import (
	"strings"
	"testing"
)

// A "*" in Envoy's allow_methods, allow_headers or expose_headers is sent
// as written unless it is the whole of allow_methods or allow_headers,
// which Envoy answers with the request's own (CorsFilter::decodeHeaders
// in source/extensions/filters/http/cors/cors_filter.cc); Istio joins its
// lists with "," (TranslateCORSPolicy). A browser takes a "*" in a list
// as a wildcard only on requests without credentials, Authorization
// excepted from the headers' (Fetch standard, CORS-preflight fetch and
// HTTP fetch; web-platform-tests fetch/api/cors/cors-preflight-star.any.js).
// With credentials the "*" is left out: a credentialed preflight gets
// what it got from Envoy, never more.
func TestStarInLists(t *testing.T) {
	envoy := func(fields string) string {
		return envoyRoutes("", corsPolicy(`allow_origin_string_match: [{exact: "https://app.example.com"}], `+fields), "", "", "")
	}
	istio := func(fields string) string {
		return virtualService(`  - corsPolicy: {allowOrigins: [{exact: "https://app.example.com"}], ` + fields + `}
    route: [{destination: {host: api}}]
`)
	}
	const o = "https://app.example.com"
	type want struct {
		r       req
		outcome string
		headers map[string]string
	}
	for _, tc := range []struct {
		desc  string
		doc   string
		wants []want
		note  string // a part of a note, "" for none
	}{
		{"Envoy, credentials: \"*\" in a list is a name", envoy(`allow_methods: "GET, PUT, *", allow_headers: "content-type, *", allow_credentials: true`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret"}, "refused", nil},
			{req{origin: o, acrm: "DELETE"}, "refused", nil},
			{req{origin: o, acrm: "PUT", acrh: "x-secret"}, "refused", nil},
			{req{origin: o, acrm: "PUT", acrh: "content-type"}, "allowed", map[string]string{"access-control-allow-methods": "PUT", "access-control-allow-headers": "content-type", "access-control-allow-credentials": "true"}},
		}, `allow_methods "GET, PUT, *": with credentials, browsers read "*" there as a method named "*" on credentialed requests`},
		{"Istio, credentials: \"*\" in a list is a name", istio(`allowMethods: [GET, PUT, "*"], allowHeaders: [content-type, "*"], allowCredentials: true`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret"}, "refused", nil},
			{req{origin: o, acrm: "PUT", acrh: "x-secret"}, "refused", nil},
			{req{origin: o, acrm: "PUT", acrh: "content-type"}, "allowed", map[string]string{"access-control-allow-credentials": "true"}},
		}, `allowHeaders "content-type,*": with credentials, browsers read "*" there as a header named "*"`},
		{"Envoy, no credentials: \"*\" in a list is a wildcard", envoy(`allow_methods: "GET, PUT, *", allow_headers: "content-type, *"`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret"}, "allowed", map[string]string{"access-control-allow-methods": "*", "access-control-allow-headers": "*"}},
			{req{origin: o, acrm: "PUT", acrh: "authorization"}, "refused", nil},
		}, ""},
		{"Istio, no credentials: authorization named beside \"*\"", istio(`allowMethods: ["*", PUT], allowHeaders: ["*", Authorization]`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret, authorization"}, "allowed", map[string]string{"access-control-allow-methods": "*", "access-control-allow-headers": "*, authorization"}},
		}, ""},
		{"Envoy, credentials: \"*\" whole is reflected", envoy(`allow_methods: "*", allow_headers: "*", allow_credentials: true`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret, authorization"}, "allowed", map[string]string{"access-control-allow-methods": "DELETE", "access-control-allow-headers": "x-secret, authorization"}},
		}, `allow_headers "*": Envoy answers with the requested headers, authorization too`},
		{"Istio, no credentials: \"*\" whole is reflected", istio(`allowMethods: ["*"], allowHeaders: ["*"]`), []want{
			{req{origin: o, acrm: "DELETE", acrh: "x-secret, authorization"}, "allowed", map[string]string{"access-control-allow-methods": "*", "access-control-allow-headers": "*, authorization"}},
		}, ""},
		{"Envoy, credentials: exposed \"*\" is a name", envoy(`expose_headers: "x-request-id, *", allow_credentials: true`), []want{
			{req{origin: o}, "allowed", map[string]string{"access-control-expose-headers": "x-request-id", "access-control-allow-credentials": "true"}},
		}, `expose_headers "x-request-id, *": with credentials, browsers read "*" there as a response header named "*"`},
		{"Envoy, credentials: exposed \"*\" whole is a name", envoy(`expose_headers: "*", allow_credentials: true`), []want{
			{req{origin: o}, "allowed", map[string]string{"access-control-expose-headers": "", "access-control-allow-credentials": "true"}},
		}, `expose_headers "*": with credentials`},
		{"Istio, no credentials: exposed \"*\" is every header", istio(`exposeHeaders: [x-request-id, "*"]`), []want{
			{req{origin: o}, "allowed", map[string]string{"access-control-expose-headers": "*"}},
		}, ""},
	} {
		p, r := convertAll(t, tc.doc)
		for _, w := range tc.wants {
			check(t, p, tc.desc, w.r, w.outcome, w.headers)
		}
		if tc.note != "" && !hasLine(r.Notes, tc.note) {
			t.Errorf("%s: notes\n%s\nwant one with %q", tc.desc, strings.Join(r.Notes, "\n"), tc.note)
		}
		if hasLine(r.Notes, "corswasm warns") {
			t.Errorf("%s: the converted configuration has warnings: %q", tc.desc, r.Notes)
		}
	}
}
