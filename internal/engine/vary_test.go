package engine

import (
	"strings"
	"testing"
)

// TestVaryValue pins the Vary value of every kind of answer: a response
// names every request header its answer depends on (Fetch §3.2.5), so that a
// shared cache never serves it to a request that would be answered
// otherwise.
func TestVaryValue(t *testing.T) {
	t.Parallel()
	const (
		origin  = "Origin"
		method  = "Access-Control-Request-Method"
		headers = "Access-Control-Request-Headers"
		pna     = "Access-Control-Request-Private-Network"

		anyConfig     = `{"allow_origins": ["*"], "allow_methods": ["PUT"], "allow_headers": ["x-a"]}`
		pnaConfig     = `{"allow_origins": ["https://app.example.com"], "allow_private_network": true}`
		anyPNAConfig  = `{"allow_origins": ["*"], "allow_private_network": true}`
		echoMethods   = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["*"], "allow_headers": ["x-a"], "allow_credentials": true}`
		echoHeaders   = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["*"], "allow_credentials": true}`
		forwardConfig = `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward"}`
	)
	join := func(names ...string) string { return strings.Join(names, ", ") }
	withPNA := func(r *Request) *Request { r.RequestPrivateNetwork = "true"; return r }
	cases := []struct {
		desc string
		cfg  string
		req  *Request
		want string
	}{
		// Allowed preflights: listed methods and headers are the same for
		// every request; echoed ones are not.
		{"listed methods and headers", basicConfig, preflight(appOrigin, "PUT", "content-type"), origin},
		{"any origin, listed methods and headers", anyConfig, preflight(appOrigin, "PUT", "x-a"), ""},
		{"method and headers echoed", credConfig, preflight(appOrigin, "DELETE", "x-a"), join(origin, method, headers)},
		{"headers echoed even when none were asked", credConfig, preflight(appOrigin, "DELETE"), join(origin, method, headers)},
		{"method echoed", echoMethods, preflight(appOrigin, "PURGE", "x-a"), join(origin, method)},
		{"headers echoed", echoHeaders, preflight(appOrigin, "PUT", "x-b"), join(origin, headers)},
		// Whether the reply grants private network access depends on the
		// request asking for it, asked or not this time.
		{"private network granted", pnaConfig, withPNA(preflight(appOrigin, "GET")), join(origin, pna)},
		{"private network allowed, not asked", pnaConfig, preflight(appOrigin, "GET"), join(origin, pna)},
		{"private network allowed, any origin", anyPNAConfig, preflight(appOrigin, "GET"), pna},

		// Refused preflights depend on every header read up to the check
		// that failed.
		{"origin refused", basicConfig, preflight(evilOrigin, "PUT", "x-b"), origin},
		{"malformed origin refused, any origin", anyConfig, preflight("https://a.example/", "PUT"), origin},
		{"method refused", basicConfig, preflight(appOrigin, "DELETE", "x-b"), join(origin, method)},
		{"method refused, any origin", anyConfig, preflight(appOrigin, "DELETE"), method},
		{"malformed method", basicConfig, preflight(appOrigin, "P T"), join(origin, method)},
		{"too long method", basicConfig, preflight(appOrigin, strings.Repeat("M", MaxMethodLength+1)), join(origin, method)},
		{"header refused", basicConfig, preflight(appOrigin, "PUT", "x-b"), join(origin, method, headers)},
		{"header refused, any origin", anyConfig, preflight(appOrigin, "PUT", "x-b"), join(method, headers)},
		{"malformed headers", basicConfig, preflight(appOrigin, "PUT", "a b"), join(origin, method, headers)},
		{"too many headers", basicConfig, preflight(appOrigin, "PUT", strings.Repeat(",", MaxRequestHeadersBytes+1)), join(origin, method, headers)},
		{"private network refused", basicConfig, withPNA(preflight(appOrigin, "GET")), join(origin, method, headers, pna)},
		{"forwarded refusal: the upstream answers", forwardConfig, preflight(evilOrigin, "PUT"), ""},

		// Actual and non-CORS requests depend on the origin at most.
		{"actual allowed", credConfig, actual("GET", appOrigin), origin},
		{"actual, any origin", anyConfig, actual("GET", appOrigin), ""},
		{"actual disallowed", basicConfig, actual("GET", evilOrigin), origin},
		{"actual rejected", `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`, actual("POST", evilOrigin), origin},
		{"actual malformed origin, any origin", anyConfig, actual("GET", "https://a.example/"), origin},
		{"not CORS", basicConfig, &Request{Method: "GET"}, origin},
		{"not CORS, any origin", anyConfig, &Request{Method: "GET"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var d Decision
			mustLoad(t, tc.cfg).Evaluate(tc.req, &d)
			if got := d.VaryValue(); got != tc.want {
				t.Errorf("VaryValue() = %q; want %q (%v, %v)", got, tc.want, d.Kind(), d.Reason())
			}
			if d.Vary() != strings.HasPrefix(tc.want, origin) {
				t.Errorf("Vary = %v with VaryValue %q", d.Vary(), tc.want)
			}
		})
	}
}

// TestVaryValues checks the table of Vary values against the names of
// each set's headers.
func TestVaryValues(t *testing.T) {
	t.Parallel()
	names := [numVaryHeaders]string{
		"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
		"Access-Control-Request-Private-Network",
	}
	for set := range varyValues {
		var want []string
		for i, name := range names {
			if set&(1<<i) != 0 {
				want = append(want, name)
			}
		}
		if got := varyValues[set]; got != strings.Join(want, ", ") {
			t.Errorf("varyValues[%04b] = %q; want %q", set, got, strings.Join(want, ", "))
		}
	}
}
