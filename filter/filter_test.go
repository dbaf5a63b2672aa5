package filter

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

const (
	app  = "https://app.example.com"
	evil = "https://evil.example.net"

	config = `{
		"allow_origins": ["https://app.example.com", "https://*.preview.example.com"],
		"allow_methods": ["PUT", "DELETE"],
		"allow_headers": ["content-type", "x-request-id"],
		"expose_headers": ["x-trace-id"],
		"allow_credentials": true,
		"max_age": 600
	}`
)

func TestPreflightAllowed(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		x := roundTrip(t, host, request("OPTIONS", "/items/1",
			"origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "content-type,x-request-id"), nil)
		if x.local == nil || x.local.StatusCode != 204 {
			t.Fatalf("local reply = %+v; want 204", x.local)
		}
		if len(x.local.Data) != 0 {
			t.Errorf("preflight reply body = %q; want empty", x.local.Data)
		}
		want := [][2]string{
			{"access-control-allow-origin", app},
			{"access-control-allow-credentials", "true"},
			{"access-control-allow-methods", "PUT, DELETE"},
			{"access-control-allow-headers", "content-type, x-request-id"},
			{"access-control-max-age", "600"},
			{"vary", "Origin"},
		}
		if !equalHeaders(x.local.Headers, want) {
			t.Errorf("reply headers:\n got %q\nwant %q", x.local.Headers, want)
		}
		// Envoy runs the response callback on the local reply: nothing
		// may be added twice.
		if got := x.response[1:]; !equalHeaders(got, want) {
			t.Errorf("headers after the response callback on the local reply:\n got %q\nwant %q", got, want)
		}
		if n := counterValue(t, host, MetricPreflightAllowed); n != 1 {
			t.Errorf("%s = %d; want 1", MetricPreflightAllowed, n)
		}
	})
}

// Access-Control-Request-Headers split over several lines, in any case and
// order, with empty elements.
func TestPreflightHeadersOverSeveralLines(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		x := roundTrip(t, host, request("OPTIONS", "/",
			"origin", "https://pr-42.preview.example.com", "access-control-request-method", "DELETE",
			"access-control-request-headers", "X-Request-ID, ",
			"access-control-request-headers", ",Content-Type"), nil)
		if x.local == nil || x.local.StatusCode != 204 {
			t.Fatalf("local reply = %+v; want 204", x.local)
		}
		if got := values(x.local.Headers, "access-control-allow-origin"); !slices.Equal(got, []string{"https://pr-42.preview.example.com"}) {
			t.Errorf("allow-origin = %q", got)
		}
	})
}

func TestPreflightRejected(t *testing.T) {
	// The 403 varies on every request header read up to the check that
	// failed, so that a cache never serves it to a preflight that passes.
	const (
		varyMethod  = "Origin, Access-Control-Request-Method"
		varyHeaders = varyMethod + ", Access-Control-Request-Headers"
	)
	cases := []struct {
		desc    string
		headers []string
		reason  string
		vary    string
	}{
		{"origin", []string{"origin", evil, "access-control-request-method", "PUT"}, "origin not allowed", "Origin"},
		{"method", []string{"origin", app, "access-control-request-method", "PATCH"}, "method not allowed: PATCH", varyMethod},
		{"method too long", []string{"origin", app, "access-control-request-method", strings.Repeat("P", engine.MaxMethodLength+1)}, "method too long", varyMethod},
		{"header", []string{"origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "x-secret"}, "header not allowed: x-secret", varyHeaders},
		{"private network", []string{"origin", app, "access-control-request-method", "GET", "access-control-request-private-network", "true"}, "private network not allowed",
			varyHeaders + ", Access-Control-Request-Private-Network"},
		{"second origin line", []string{"origin", app, "origin", evil, "access-control-request-method", "GET"}, "malformed origin", "Origin"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := startHost(t, vm, config)
				x := roundTrip(t, host, request("OPTIONS", "/items", tc.headers...), nil)
				if x.local == nil || x.local.StatusCode != 403 {
					t.Fatalf("local reply = %+v; want 403", x.local)
				}
				if cors := corsHeaders(x.local.Headers); len(cors) != 0 {
					t.Errorf("a refused preflight carries %q; want no Access-Control-* header", cors)
				}
				if cors := corsHeaders(x.response); len(cors) != 0 {
					t.Errorf("the response callback added %q to the 403", cors)
				}
				if got := values(x.response, "vary"); !slices.Equal(got, []string{tc.vary}) {
					t.Errorf("vary = %q; want %q", got, tc.vary)
				}
				if n := counterValue(t, host, MetricPreflightRejected); n != 1 {
					t.Errorf("%s = %d; want 1", MetricPreflightRejected, n)
				}
				logs := strings.Join(host.GetDebugLogs(), "\n")
				if !strings.Contains(logs, "preflight refused ("+tc.reason+")") || !strings.Contains(logs, `path "/items"`) ||
					!strings.Contains(logs, `method "OPTIONS"`) || !strings.Contains(logs, `origin "`+tc.headers[1]+`"`) {
					t.Errorf("debug log %q lacks reason %q, origin, method and path", logs, tc.reason)
				}
			})
		})
	}
}

// With on_unmatched_preflight "forward", a failing preflight goes to the
// upstream untouched, and its response is left as the upstream wrote it.
func TestPreflightForwarded(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward"}`)
		upstream := upstreamResponse("access-control-allow-origin", evil)
		x := roundTrip(t, host, request("OPTIONS", "/", "origin", evil, "access-control-request-method", "PUT"), upstream)
		if x.local != nil {
			t.Fatalf("local reply %+v; want the preflight forwarded", x.local)
		}
		if !equalHeaders(x.response, upstream) {
			t.Errorf("forwarded preflight's response = %q; want untouched %q", x.response, upstream)
		}
		if n := counterValue(t, host, MetricPreflightForwarded); n != 1 {
			t.Errorf("%s = %d; want 1", MetricPreflightForwarded, n)
		}
	})
}

func TestActualRequests(t *testing.T) {
	cases := []struct {
		desc     string
		config   string
		request  [][2]string
		upstream [][2]string
		want     [][2]string // the response headers after the filter
		counter  string
	}{
		{"allowed", config, request("GET", "/", "origin", app), upstreamResponse(),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", app}, [2]string{"access-control-allow-credentials", "true"},
				[2]string{"access-control-expose-headers", "x-trace-id"}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"disallowed origin omitted", config, request("GET", "/", "origin", evil), upstreamResponse(),
			append(upstreamResponse(), [2]string{"vary", "Origin"}), MetricActualDisallowed},
		{"origin never reflected when malformed", `{"allow_origins": ["*"]}`, request("GET", "/", "origin", "https://a.example/\r\nx: y"), upstreamResponse(),
			append(upstreamResponse(), [2]string{"vary", "Origin"}), MetricActualDisallowed},
		{"any origin without credentials", `{"allow_origins": ["*"]}`, request("GET", "/", "origin", evil), upstreamResponse(),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}), MetricActualAllowed},
		{"upstream CORS headers replaced", config, request("GET", "/", "origin", app),
			upstreamResponse("access-control-allow-origin", "*", "access-control-allow-methods", "GET", "access-control-max-age", "5"),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", app}, [2]string{"access-control-allow-credentials", "true"},
				[2]string{"access-control-expose-headers", "x-trace-id"}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"upstream CORS headers removed for a disallowed origin", config, request("GET", "/", "origin", evil),
			upstreamResponse("access-control-allow-origin", evil, "access-control-allow-credentials", "true"),
			append(upstreamResponse(), [2]string{"vary", "Origin"}), MetricActualDisallowed},
		{"upstream CORS headers kept", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`, request("GET", "/", "origin", app),
			upstreamResponse("access-control-allow-origin", "*"),
			append(upstreamResponse("access-control-allow-origin", "*"), [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"keep adds the policy's headers when the upstream has none", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`,
			request("GET", "/", "origin", app), upstreamResponse(),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", app}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"non-CORS request gets Vary", config, request("GET", "/"), upstreamResponse("access-control-allow-origin", "*"),
			append(upstreamResponse("access-control-allow-origin", "*"), [2]string{"vary", "Origin"}), MetricNonCORS},
		// Fetch §3.2.5: "*" goes on every response, so caches can share them.
		{"non-CORS request, any origin", `{"allow_origins": ["*"]}`, request("GET", "/"), upstreamResponse("access-control-allow-origin", "https://x.test"),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}), MetricNonCORS},
		{"Vary: Origin not duplicated", config, request("GET", "/", "origin", app), upstreamResponse("vary", "Accept-Encoding, origin"),
			append(upstreamResponse("vary", "Accept-Encoding, origin"), [2]string{"access-control-allow-origin", app},
				[2]string{"access-control-allow-credentials", "true"}, [2]string{"access-control-expose-headers", "x-trace-id"}), MetricActualAllowed},
		{"Vary: * left alone", config, request("GET", "/"), upstreamResponse("vary", "*"), upstreamResponse("vary", "*"), MetricNonCORS},
		{"Vary: Origin on a second line is seen", config, request("GET", "/"), upstreamResponse("vary", "Accept", "vary", "Origin"),
			upstreamResponse("vary", "Accept", "vary", "Origin"), MetricNonCORS},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := startHost(t, vm, tc.config)
				x := roundTrip(t, host, tc.request, tc.upstream)
				if x.local != nil {
					t.Fatalf("unexpected local reply %+v", x.local)
				}
				if !equalHeaders(x.response, tc.want) {
					t.Errorf("response headers:\n got %q\nwant %q", x.response, tc.want)
				}
				if n := counterValue(t, host, tc.counter); n != 1 {
					t.Errorf("%s = %d; want 1", tc.counter, n)
				}
			})
		})
	}
}

func TestDisallowedOriginRejected(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`)
		x := roundTrip(t, host, request("POST", "/orders", "origin", evil), upstreamResponse())
		if x.local == nil || x.local.StatusCode != 403 {
			t.Fatalf("local reply = %+v; want 403", x.local)
		}
		if cors := corsHeaders(x.response); len(cors) != 0 {
			t.Errorf("rejected request's reply carries %q", cors)
		}
		// The request's own origin is never rejected (browsers send Origin
		// on same-origin POSTs).
		same := roundTrip(t, host, request("POST", "/orders", "origin", "https://api.example.com"), upstreamResponse())
		if same.local != nil {
			t.Errorf("same-origin request rejected: %+v", same.local)
		}
		if n := counterValue(t, host, MetricActualRejected); n != 1 {
			t.Errorf("%s = %d; want 1", MetricActualRejected, n)
		}
		if n := counterValue(t, host, MetricActualDisallowed); n != 1 {
			t.Errorf("%s = %d; want 1", MetricActualDisallowed, n)
		}
	})
}

// Counters add up over a mix of requests.
func TestMetrics(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		for _, r := range [][][2]string{
			request("OPTIONS", "/", "origin", app, "access-control-request-method", "PUT"),
			request("OPTIONS", "/", "origin", app, "access-control-request-method", "PUT"),
			request("OPTIONS", "/", "origin", evil, "access-control-request-method", "PUT"),
			request("GET", "/", "origin", app),
			request("GET", "/", "origin", evil),
			request("GET", "/"),
			request("GET", "/"),
			request("GET", "/"),
		} {
			roundTrip(t, host, r, upstreamResponse())
		}
		for name, want := range map[string]uint64{
			MetricPreflightAllowed: 2, MetricPreflightRejected: 1, MetricPreflightForwarded: 0,
			MetricActualAllowed: 1, MetricActualDisallowed: 1, MetricActualRejected: 0,
			MetricNonCORS: 3, MetricPanics: 0,
		} {
			if got := counterValue(t, host, name); got != want {
				t.Errorf("%s = %d; want %d", name, got, want)
			}
		}
	})
}

// Request values in log lines are quoted: a hostile Origin cannot forge a
// log line.
func TestRefusalLogIsEscaped(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		roundTrip(t, host, request("GET", "/x", "origin", "https://a.test\nforged: line"+strings.Repeat("x", 500)), upstreamResponse())
		logs := host.GetDebugLogs()
		if len(logs) != 1 {
			t.Fatalf("debug logs = %q; want one line", logs)
		}
		if strings.Contains(logs[0], "\n") || strings.Count(logs[0], "x") > 200 {
			t.Errorf("log line not escaped and truncated: %q", logs[0])
		}
		if !strings.Contains(logs[0], `actual disallowed (malformed origin)`) {
			t.Errorf("log line %q lacks the reason", logs[0])
		}
	})
}

// Formatting a refusal's log line into a large enough buffer does not
// allocate: refusals are common and the host usually discards the line.
func TestRefusalLineDoesNotAllocate(t *testing.T) {
	r := &requestHeaders{req: engine.Request{Path: "/items?token=secret"}}
	r.req.Origins, r.req.Method = []string{evil}, "OPTIONS"
	p := mustPolicy(t, config)
	var d engine.Decision
	p.Evaluate(&r.req, &d)
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf = appendRefusal(buf[:0], r, &d) }); n != 0 {
		t.Errorf("appendRefusal: %v allocs; want 0", n)
	}
	want := `corswasm: actual disallowed (origin not allowed): origin "https://evil.example.net", method "OPTIONS", path "/items"`
	if string(buf) != want {
		t.Errorf("line %q; want %q (the query left out)", buf, want)
	}
}

func mustPolicy(t *testing.T, cfg string) *engine.Policy {
	t.Helper()
	p, err := engine.Load([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// More of the core behaviours, each natively and in the module.
func TestMoreBehaviours(t *testing.T) {
	cases := []struct {
		desc    string
		config  string
		request [][2]string
		// want is the local reply's headers, or the response's after the
		// filter when wantStatus is 0.
		wantStatus uint32
		want       [][2]string
	}{
		{"private network allowed", `{"allow_origins": ["https://app.example.com"], "allow_private_network": true, "preflight_status": 200}`,
			request("OPTIONS", "/", "origin", app, "access-control-request-method", "GET", "access-control-request-private-network", "true"),
			200, [][2]string{{"access-control-allow-origin", app}, {"access-control-allow-private-network", "true"},
				{"vary", "Origin, Access-Control-Request-Private-Network"}}},
		// The reply's access-control-allow-private-network depends on the
		// request asking, whether or not this one did.
		{"private network allowed, not asked", `{"allow_origins": ["https://app.example.com"], "allow_private_network": true}`,
			request("OPTIONS", "/", "origin", app, "access-control-request-method", "GET"),
			204, [][2]string{{"access-control-allow-origin", app}, {"vary", "Origin, Access-Control-Request-Private-Network"}}},
		{"wildcards with credentials echo the request", `{"allow_origins": ["https://app.example.com"], "allow_methods": ["*"], "allow_headers": ["*"], "allow_credentials": true}`,
			request("OPTIONS", "/", "origin", app, "access-control-request-method", "PURGE", "access-control-request-headers", "x-a,x-b"),
			204, [][2]string{{"access-control-allow-origin", app}, {"access-control-allow-credentials", "true"},
				{"access-control-allow-methods", "PURGE"}, {"access-control-allow-headers", "x-a,x-b"},
				{"vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}}},
		{"top level disabled", `{"enabled": false, "allow_origins": ["*"]}`,
			request("GET", "/", "origin", app), 0, upstreamResponse()},
		{"same origin with default port and case", `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`,
			[][2]string{{":method", "POST"}, {":path", "/"}, {":authority", "API.Example.com:443"}, {":scheme", "https"}, {"origin", "https://api.example.com"}},
			0, append(upstreamResponse(), [2]string{"vary", "Origin"})},
		{"keep with a disallowed origin", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`,
			request("GET", "/", "origin", evil), 0, append(upstreamResponse(), [2]string{"vary", "Origin"})},
		{"timing-allow-origin with any origin", `{"allow_origins": ["*"], "timing_allow_origin": true}`,
			request("GET", "/", "origin", evil), 0,
			append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}, [2]string{"timing-allow-origin", "*"})},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := startHost(t, vm, tc.config)
				x := roundTrip(t, host, tc.request, upstreamResponse())
				switch {
				case tc.wantStatus != 0 && (x.local == nil || x.local.StatusCode != tc.wantStatus):
					t.Fatalf("local reply %+v; want status %d", x.local, tc.wantStatus)
				case tc.wantStatus != 0 && !equalHeaders(x.local.Headers, tc.want):
					t.Errorf("reply headers:\n got %q\nwant %q", x.local.Headers, tc.want)
				case tc.wantStatus == 0 && x.local != nil:
					t.Fatalf("unexpected local reply %+v", x.local)
				case tc.wantStatus == 0 && !equalHeaders(x.response, tc.want):
					t.Errorf("response headers:\n got %q\nwant %q", x.response, tc.want)
				}
			})
		})
	}
}

// The response scan sees every header engine.ResponseFacts records, and
// the upstream CORS headers fit in its bit set.
func TestResponseScanCoversUpstreamCORSHeaders(t *testing.T) {
	if len(engine.UpstreamCORSHeaders()) > 32 {
		t.Fatalf("%d upstream CORS headers do not fit in ResponseFacts.CORS", len(engine.UpstreamCORSHeaders()))
	}
	var pairs [][2]string
	for _, name := range engine.UpstreamCORSHeaders() {
		pairs = append(pairs, [2]string{name, "x"})
	}
	for _, name := range engine.IsolationHeaders() {
		pairs = append(pairs, [2]string{name, "x"})
	}
	pairs = append(pairs, [2]string{"vary", "Accept, Origin"})
	var scratch []headermap.Pair
	var f engine.ResponseFacts
	readResponseFacts(headermap.FromPairs(pairs), &scratch, &f)
	if want := uint32(1)<<len(engine.UpstreamCORSHeaders()) - 1; f.CORS != want {
		t.Errorf("scan saw CORS headers %b; want %b", f.CORS, want)
	}
	if want := uint8(1)<<len(engine.IsolationHeaders()) - 1; f.Isolation != want || !f.VaryCoversOrigin {
		t.Errorf("scan saw isolation %b, vary %v; want %b, true", f.Isolation, f.VaryCoversOrigin, want)
	}
}
