package engine

import (
	"slices"
	"strings"
	"testing"
)

func mustLoad(tb testing.TB, cfg string) *Policy {
	tb.Helper()
	p, err := Load([]byte(cfg))
	if err != nil {
		tb.Fatalf("Load(%s): %v", cfg, err)
	}
	return p
}

// preflight builds a preflight request from origin, method and request
// headers lines.
func preflight(origin, method string, headers ...string) *Request {
	return &Request{Method: "OPTIONS", Origins: []string{origin}, RequestMethod: method, RequestHeaders: headers,
		Scheme: "https", Authority: "api.example.com"}
}

func actual(method, origin string) *Request {
	return &Request{Method: method, Origins: []string{origin}, Scheme: "https", Authority: "api.example.com"}
}

type want struct {
	kind     Kind
	reason   Reason
	detail   string
	reply    bool
	status   int
	vary     bool
	upstream UpstreamHandling
	headers  []Header
}

func h(name, value string) Header { return Header{Name: name, Value: value} }

const (
	appOrigin   = "https://app.example.com"
	evilOrigin  = "https://evil.example.net"
	basicConfig = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT", "PATCH"], "allow_headers": ["Content-Type", "X-Request-Id"], "expose_headers": ["X-Trace"], "max_age": 600}`
	credConfig  = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["*"], "allow_headers": ["*"], "allow_credentials": true}`
	// forwardOriginConfig forwards the preflights refused for their origin.
	forwardOriginConfig = `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward_disallowed_origin"}`
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		cfg  string
		req  *Request
		want want
	}{
		// 1. No Origin: not CORS.
		{"no origin", basicConfig, &Request{Method: "GET"}, want{kind: NotCORS, vary: true}},
		// Fetch §3.2.5: "*" goes on every response, CORS or not.
		{"no origin, any origin without credentials", `{"allow_origins": ["*"], "expose_headers": ["x-a"], "timing_allow_origin": true}`, &Request{Method: "GET"},
			want{kind: NotCORS, upstream: ReplaceUpstream, headers: []Header{h(HeaderAllowOrigin, "*"), h(HeaderExposeHeaders, "x-a"), h(HeaderTimingAllowOrigin, "*")}}},
		{"no origin, any origin with regex", `{"allow_origin_regexes": ["https://[a-z]+\\.example\\.com"]}`, &Request{Method: "GET"}, want{kind: NotCORS, vary: true}},
		{"OPTIONS without origin", basicConfig, &Request{Method: "OPTIONS", RequestMethod: "PUT"}, want{kind: NotCORS, vary: true}},

		// 2. Preflight vs actual.
		{"OPTIONS without request method is actual", basicConfig, actual("OPTIONS", appOrigin),
			want{kind: ActualAllowed, vary: true, upstream: ReplaceUpstream, headers: []Header{h(HeaderAllowOrigin, appOrigin), h(HeaderExposeHeaders, "x-trace")}}},

		// 4. Allowed preflights.
		{"allowed preflight", basicConfig, preflight(appOrigin, "PUT", "content-type,x-request-id"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowMethods, "PUT, PATCH"),
				h(HeaderAllowHeaders, "content-type, x-request-id"), h(HeaderMaxAge, "600")}}},
		{"safelisted method needs no listing", `{"allow_origins": ["https://app.example.com"]}`, preflight(appOrigin, "POST"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{h(HeaderAllowOrigin, appOrigin)}}},
		{"preflight status 200", `{"allow_origins": ["https://app.example.com"], "preflight_status": 200}`, preflight(appOrigin, "GET"),
			want{kind: PreflightAllowed, reply: true, status: 200, vary: true, headers: []Header{h(HeaderAllowOrigin, appOrigin)}}},
		{"any origin without credentials", `{"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]}`, preflight(appOrigin, "DELETE", "x-a"),
			want{kind: PreflightAllowed, reply: true, status: 204, headers: []Header{
				h(HeaderAllowOrigin, "*"), h(HeaderAllowMethods, "*"), h(HeaderAllowHeaders, "*")}}},
		{"any header with authorization listed", `{"allow_origins": ["*"], "allow_headers": ["*", "authorization"]}`, preflight(appOrigin, "GET", "authorization,x-a"),
			want{kind: PreflightAllowed, reply: true, status: 204, headers: []Header{
				h(HeaderAllowOrigin, "*"), h(HeaderAllowHeaders, "*, authorization")}}},
		{"credentials echo method and headers", credConfig, preflight(appOrigin, "DELETE", "x-a, X-B"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowCredentials, "true"),
				h(HeaderAllowMethods, "DELETE"), h(HeaderAllowHeaders, "x-a, X-B")}}},
		{"credentials echo headers split over lines", credConfig, preflight(appOrigin, "PUT", "x-a", ",,", "x-b"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowCredentials, "true"), h(HeaderAllowMethods, "PUT"),
				h(HeaderAllowHeaders, "x-a"), h(HeaderAllowHeaders, "x-b")}}},
		{"request headers: case, spaces, order, empty elements", basicConfig, preflight(appOrigin, "PATCH", " X-Request-ID ,, content-type\t,"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowMethods, "PUT, PATCH"),
				h(HeaderAllowHeaders, "content-type, x-request-id"), h(HeaderMaxAge, "600")}}},
		{"request headers split over lines", basicConfig, preflight(appOrigin, "PUT", "content-type", "x-request-id"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowMethods, "PUT, PATCH"),
				h(HeaderAllowHeaders, "content-type, x-request-id"), h(HeaderMaxAge, "600")}}},
		{"private network allowed", `{"allow_origins": ["https://app.example.com"], "allow_private_network": true}`,
			&Request{Method: "OPTIONS", Origins: []string{appOrigin}, RequestMethod: "GET", RequestPrivateNetwork: "true"},
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowPrivateNetwork, "true")}}},
		{"null origin allowed", `{"allow_origins": ["null"]}`, preflight("null", "GET"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{h(HeaderAllowOrigin, "null")}}},

		// Refused preflights.
		{"origin refused", basicConfig, preflight(evilOrigin, "PUT"),
			want{kind: PreflightRefused, reason: OriginNotAllowed, reply: true, status: 403, vary: true}},
		{"method refused", basicConfig, preflight(appOrigin, "DELETE"),
			want{kind: PreflightRefused, reason: MethodNotAllowed, detail: "DELETE", reply: true, status: 403, vary: true}},
		{"method compared case-sensitively", basicConfig, preflight(appOrigin, "patch"),
			want{kind: PreflightRefused, reason: MethodNotAllowed, detail: "patch", reply: true, status: 403, vary: true}},
		{"malformed method", basicConfig, preflight(appOrigin, "PU T"),
			want{kind: PreflightRefused, reason: MalformedMethod, reply: true, status: 403, vary: true}},
		// A method is echoed with "*" and credentials; a longer one than
		// MaxMethodLength is refused before it is read, let alone echoed.
		{"longest method echoed", credConfig, preflight(appOrigin, strings.Repeat("M", MaxMethodLength)),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowCredentials, "true"), h(HeaderAllowMethods, strings.Repeat("M", MaxMethodLength))}}},
		{"too long method refused", credConfig, preflight(appOrigin, strings.Repeat("M", MaxMethodLength+1)),
			want{kind: PreflightRefused, reason: MethodTooLong, reply: true, status: 403, vary: true}},
		{"megabyte method refused", credConfig, preflight(appOrigin, strings.Repeat("M", 1<<20)),
			want{kind: PreflightRefused, reason: MethodTooLong, reply: true, status: 403, vary: true}},
		{"too long method refused before its bytes are read", basicConfig, preflight(appOrigin, strings.Repeat(" ", MaxMethodLength+1)),
			want{kind: PreflightRefused, reason: MethodTooLong, reply: true, status: 403, vary: true}},
		// A refused header name is cut to 64 bytes in Detail (and so in
		// x-cors-reason and the filter's log line).
		{"refused header name cut", basicConfig, preflight(appOrigin, "PUT", "x-"+strings.Repeat("a", 300)),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "x-" + strings.Repeat("a", maxReasonDetail-2), reply: true, status: 403, vary: true}},
		{"header refused", basicConfig, preflight(appOrigin, "PUT", "content-type,x-other"),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "x-other", reply: true, status: 403, vary: true}},
		{"safelisted header name still needs listing", `{"allow_origins": ["https://app.example.com"]}`, preflight(appOrigin, "POST", "content-type"),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "content-type", reply: true, status: 403, vary: true}},
		{"star does not cover authorization", `{"allow_origins": ["*"], "allow_headers": ["*"]}`, preflight(appOrigin, "GET", "x-a,Authorization"),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "Authorization", reply: true, status: 403}},
		{"star with credentials does not cover authorization", credConfig, preflight(appOrigin, "GET", "authorization"),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "authorization", reply: true, status: 403, vary: true}},
		{"malformed request headers", basicConfig, preflight(appOrigin, "PUT", "content-type x-request-id"),
			want{kind: PreflightRefused, reason: MalformedHeaders, reply: true, status: 403, vary: true}},
		{"request header with a colon", basicConfig, preflight(appOrigin, "PUT", "content-type:"),
			want{kind: PreflightRefused, reason: MalformedHeaders, reply: true, status: 403, vary: true}},
		{"too large request headers", basicConfig, preflight(appOrigin, "PUT", strings.Repeat(",", MaxRequestHeadersBytes+1)),
			want{kind: PreflightRefused, reason: TooManyHeaders, reply: true, status: 403, vary: true}},
		{"too many request header names", `{"allow_origins": ["https://app.example.com"], "allow_headers": ["*"]}`,
			preflight(appOrigin, "GET", strings.Repeat("x-a,", MaxRequestHeaderNames+1)),
			want{kind: PreflightRefused, reason: TooManyHeaders, reply: true, status: 403, vary: true}},
		{"too many request header lines", `{"allow_origins": ["https://app.example.com"], "allow_headers": ["*"]}`,
			preflight(appOrigin, "GET", slices.Repeat([]string{"x-a"}, MaxRequestHeadersLines+1)...),
			want{kind: PreflightRefused, reason: TooManyHeaders, reply: true, status: 403, vary: true}},
		{"most request header lines echoed", credConfig, preflight(appOrigin, "GET", slices.Repeat([]string{"x-a"}, MaxRequestHeadersLines)...),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: append([]Header{
				h(HeaderAllowOrigin, appOrigin), h(HeaderAllowCredentials, "true"), h(HeaderAllowMethods, "GET")},
				slices.Repeat([]Header{h(HeaderAllowHeaders, "x-a")}, MaxRequestHeadersLines)...)}},
		{"private network refused", basicConfig,
			&Request{Method: "OPTIONS", Origins: []string{appOrigin}, RequestMethod: "GET", RequestPrivateNetwork: "true"},
			want{kind: PreflightRefused, reason: PrivateNetworkNotAllowed, reply: true, status: 403, vary: true}},
		{"refused preflight forwarded", `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward"}`, preflight(evilOrigin, "GET"),
			want{kind: PreflightRefused, reason: OriginNotAllowed, upstream: LeaveUpstream}},
		// forward_disallowed_origin forwards what Envoy's
		// forward_not_matching_preflights forwards, a preflight whose
		// origin is refused, and answers the others (CorsFilter::
		// decodeHeaders in source/extensions/filters/http/cors/cors_filter.cc).
		{"disallowed origin's preflight forwarded", forwardOriginConfig, preflight(evilOrigin, "GET"),
			want{kind: PreflightRefused, reason: OriginNotAllowed, upstream: LeaveUpstream}},
		{"malformed origin's preflight forwarded", forwardOriginConfig, preflight(appOrigin+"/", "GET"),
			want{kind: PreflightRefused, reason: MalformedOrigin, upstream: LeaveUpstream}},
		{"allowed origin, method refused: answered", forwardOriginConfig, preflight(appOrigin, "DELETE"),
			want{kind: PreflightRefused, reason: MethodNotAllowed, detail: "DELETE", reply: true, status: 403, vary: true}},
		{"allowed origin, header refused: answered", forwardOriginConfig, preflight(appOrigin, "GET", "x-secret"),
			want{kind: PreflightRefused, reason: HeaderNotAllowed, detail: "x-secret", reply: true, status: 403, vary: true}},
		{"allowed origin, private network refused: answered", forwardOriginConfig,
			&Request{Method: "OPTIONS", Origins: []string{appOrigin}, RequestMethod: "GET", RequestPrivateNetwork: "true"},
			want{kind: PreflightRefused, reason: PrivateNetworkNotAllowed, reply: true, status: 403, vary: true}},
		{"allowed origin's preflight allowed", forwardOriginConfig, preflight(appOrigin, "GET"),
			want{kind: PreflightAllowed, reply: true, status: 204, vary: true, headers: []Header{h(HeaderAllowOrigin, appOrigin)}}},
		// With "*" only a malformed Origin is refused, and only its 403
		// depends on the Origin: a cache must keep it for that Origin only.
		{"malformed origin refused with any origin", `{"allow_origins": ["*"]}`, preflight(appOrigin+"/", "GET"),
			want{kind: PreflightRefused, reason: MalformedOrigin, reply: true, status: 403, vary: true}},

		// 3. Origin values.
		{"second origin line", basicConfig, &Request{Method: "GET", Origins: []string{appOrigin, appOrigin}},
			want{kind: ActualDisallowed, reason: MalformedOrigin, vary: true, upstream: ReplaceUpstream}},
		// The one response without "*" varies on Origin, so a cache keeps
		// it for that Origin only.
		{"origin with path", `{"allow_origins": ["*"]}`, actual("GET", appOrigin+"/"),
			want{kind: ActualDisallowed, reason: MalformedOrigin, vary: true, upstream: ReplaceUpstream}},
		{"origin with default port", basicConfig, actual("GET", appOrigin+":443"),
			want{kind: ActualDisallowed, reason: MalformedOrigin, vary: true, upstream: ReplaceUpstream}},
		{"upper-case origin is not what browsers send", basicConfig, actual("GET", "https://App.example.com"),
			want{kind: ActualDisallowed, reason: MalformedOrigin, vary: true, upstream: ReplaceUpstream}},
		{"two origins in one line", `{"allow_origins": ["*"]}`, actual("GET", appOrigin+", "+evilOrigin),
			want{kind: ActualDisallowed, reason: MalformedOrigin, vary: true, upstream: ReplaceUpstream}},
		{"null not allowed by default", basicConfig, actual("GET", "null"),
			want{kind: ActualDisallowed, reason: OriginNotAllowed, vary: true, upstream: ReplaceUpstream}},

		// 6. Actual requests.
		{"actual allowed", basicConfig, actual("GET", appOrigin),
			want{kind: ActualAllowed, vary: true, upstream: ReplaceUpstream, headers: []Header{h(HeaderAllowOrigin, appOrigin), h(HeaderExposeHeaders, "x-trace")}}},
		{"actual allowed with credentials", credConfig, actual("POST", appOrigin),
			want{kind: ActualAllowed, vary: true, upstream: ReplaceUpstream, headers: []Header{h(HeaderAllowOrigin, appOrigin), h(HeaderAllowCredentials, "true")}}},
		{"actual any origin", `{"allow_origins": ["*"], "expose_headers": ["*"]}`, actual("GET", evilOrigin),
			want{kind: ActualAllowed, upstream: ReplaceUpstream, headers: []Header{h(HeaderAllowOrigin, "*"), h(HeaderExposeHeaders, "*")}}},
		{"actual disallowed omitted", basicConfig, actual("GET", evilOrigin),
			want{kind: ActualDisallowed, reason: OriginNotAllowed, vary: true, upstream: ReplaceUpstream}},
		{"actual disallowed rejected", `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`, actual("POST", evilOrigin),
			want{kind: ActualDisallowed, reason: OriginNotAllowed, reply: true, status: 403, vary: true}},
		{"same origin never rejected", `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`,
			&Request{Method: "POST", Origins: []string{"https://api.example.com"}, Scheme: "https", Authority: "API.example.com:443"},
			want{kind: ActualDisallowed, reason: OriginNotAllowed, vary: true, upstream: ReplaceUpstream}},
		{"other port is not same origin", `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`,
			&Request{Method: "POST", Origins: []string{"https://api.example.com:8443"}, Scheme: "https", Authority: "api.example.com"},
			want{kind: ActualDisallowed, reason: OriginNotAllowed, reply: true, status: 403, vary: true}},
		{"keep upstream headers", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`, actual("GET", appOrigin),
			want{kind: ActualAllowed, vary: true, upstream: KeepUpstream, headers: []Header{h(HeaderAllowOrigin, appOrigin)}}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := mustLoad(t, tc.cfg)
			var d Decision
			p.Evaluate(tc.req, &d)
			got := want{d.Kind(), d.Reason(), d.Detail(), d.Reply(), d.Status(), d.Vary(), d.Upstream(), d.Headers()}
			if got.kind != tc.want.kind || got.reason != tc.want.reason || got.detail != tc.want.detail ||
				got.reply != tc.want.reply || got.status != tc.want.status || got.vary != tc.want.vary ||
				got.upstream != tc.want.upstream || !slices.Equal(got.headers, tc.want.headers) {
				t.Errorf("decision:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestOriginMatching pins which request origins each kind of entry allows.
func TestOriginMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		entry   string
		allowed []string
		refused []string
	}{
		{"https://example.com", []string{"https://example.com"}, []string{"http://example.com", "https://example.com:8443", "https://a.example.com", "https://example.com.evil.test"}},
		{"HTTPS://Example.COM:443", []string{"https://example.com"}, []string{"https://example.com:443"}},
		{"http://example.com:8080", []string{"http://example.com:8080"}, []string{"http://example.com", "http://example.com:80"}},
		{"https://*.example.com", []string{"https://a.example.com", "https://a.b.example.com"},
			[]string{"https://example.com", "https://aexample.com", "http://a.example.com", "https://a.example.com:8443", "https://a.example.com.evil.test"}},
		{"https://*.example.com:*", []string{"https://a.example.com", "https://a.example.com:8443"}, []string{"https://example.com:8443"}},
		{"http://localhost:*", []string{"http://localhost", "http://localhost:3000"}, []string{"https://localhost:3000", "http://a.localhost:3000"}},
		{"http://*.localhost:*", []string{"http://a.localhost:3000", "http://a.b.localhost"}, []string{"http://localhost:3000", "http://localhost"}},
		{"http://[::1]:*", []string{"http://[::1]:8080"}, []string{"http://[::2]:8080"}},
		{"http://[0:0::1]", []string{"http://[::1]"}, nil},
		{"capacitor://localhost", []string{"capacitor://localhost"}, []string{"ionic://localhost"}},
		{"null", []string{"null"}, []string{"https://null"}},
		{"*", []string{"https://anything.test", "null", "chrome-extension://abc"}, []string{"anything", "https://a.test/"}},
	}
	for _, tc := range cases {
		p := mustLoad(t, `{"allow_origins": [`+quote(tc.entry)+`]}`)
		for _, o := range tc.allowed {
			var d Decision
			p.Evaluate(actual("GET", o), &d)
			if d.Kind() != ActualAllowed {
				t.Errorf("%s: origin %q: %v (%v); want allowed", tc.entry, o, d.Kind(), d.Reason())
			}
		}
		for _, o := range tc.refused {
			var d Decision
			p.Evaluate(actual("GET", o), &d)
			if d.Kind() != ActualDisallowed {
				t.Errorf("%s: origin %q: %v; want disallowed", tc.entry, o, d.Kind())
			}
		}
	}
}

// Wildcards over bases of different lengths are all found, whatever the
// number of labels of the request's host.
func TestWildcardBasesOfSeveralLengths(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://*.internal", "https://*.example.com", "https://*.eu.west.example.org", "https://*.b.example.net:*"]}`)
	for o, allowed := range map[string]bool{
		"https://svc.internal":                                 true,
		"https://a.example.com":                                true,
		"https://x.y.z.example.com":                            true,
		"https://a.eu.west.example.org":                        true,
		"https://eu.west.example.org":                          false,
		"https://a.west.example.org":                           false,
		"https://a.b.example.net:9443":                         true,
		"https://b.example.net":                                false,
		"https://a.example.org":                                false,
		"https://internal":                                     false,
		"https://" + strings.Repeat("a.", 100) + "example.com": true,
	} {
		var d Decision
		p.Evaluate(actual("GET", o), &d)
		if (d.Kind() == ActualAllowed) != allowed {
			t.Errorf("origin %q: %v; want allowed=%v", o, d.Kind(), allowed)
		}
	}
}

func TestRegexOrigins(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"]}`)
	for o, allowed := range map[string]bool{
		"https://pr-12.preview.example.com":           true,
		"https://pr-12.preview.example.com.evil.test": false, // anchored at the end
		"evil https://pr-1.preview.example.com":       false, // and at the start
		"https://pr-x.preview.example.com":            false,
	} {
		var d Decision
		p.Evaluate(actual("GET", o), &d)
		if (d.Kind() == ActualAllowed) != allowed {
			t.Errorf("origin %q: %v; want allowed=%v", o, d.Kind(), allowed)
		}
	}
}

// A decision reused for many requests must not keep anything of an earlier
// one.
func TestDecisionReuse(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, basicConfig)
	var d Decision
	p.Evaluate(preflight(appOrigin, "PUT", "content-type"), &d)
	p.Evaluate(actual("GET", evilOrigin), &d)
	if len(d.Headers()) != 0 || d.Reply() || d.Kind() != ActualDisallowed {
		t.Errorf("reused decision = %+v; want a clean disallowed verdict", d)
	}
}
