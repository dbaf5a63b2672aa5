package filter

import (
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

const (
	taoConfig     = `{"allow_origins": ["https://app.example.com"], "timing_allow_origin": true}`
	keepTAOConfig = `{"allow_origins": ["https://app.example.com"], "timing_allow_origin": true, "upstream_cors_headers": "keep"}`
)

// TestUpstreamHeadersNeverDoubled: Timing-Allow-Origin follows
// upstream_cors_headers like the Access-Control-* headers, and no header
// the policy sends ever gets a second value from the upstream. A browser's
// TAO check accepts any value that is "*", so an upstream "*" beside the
// policy's origin would grant every origin; two
// Access-Control-Allow-Credentials values fail a credentialed request.
func TestUpstreamHeadersNeverDoubled(t *testing.T) {
	cases := []struct {
		desc     string
		config   string
		request  [][2]string
		upstream [][2]string
		want     [][2]string // the response headers after the filter
		counter  string
	}{
		{"upstream Timing-Allow-Origin replaced", taoConfig, request("GET", "/", "origin", app),
			upstreamResponse("timing-allow-origin", "*"),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", app}, [2]string{"timing-allow-origin", app}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"upstream Timing-Allow-Origin removed for a disallowed origin", taoConfig, request("GET", "/", "origin", evil),
			upstreamResponse("timing-allow-origin", "*"), append(upstreamResponse(), [2]string{"vary", "Origin"}), MetricActualDisallowed},
		{"upstream Timing-Allow-Origin removed when the policy sends none", `{"allow_origins": ["https://app.example.com"]}`, request("GET", "/", "origin", app),
			upstreamResponse("timing-allow-origin", "*"),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", app}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		// The static answer of "*" (Fetch §3.2.5) is the same for CORS and
		// non-CORS requests, which share one cache entry.
		{"non-CORS, any origin: upstream Timing-Allow-Origin replaced", `{"allow_origins": ["*"], "timing_allow_origin": true}`, request("GET", "/"),
			upstreamResponse("timing-allow-origin", "https://x.test"),
			append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}, [2]string{"timing-allow-origin", "*"}), MetricNonCORS},
		{"non-CORS, any origin: upstream Timing-Allow-Origin removed", `{"allow_origins": ["*"]}`, request("GET", "/"),
			upstreamResponse("timing-allow-origin", "*"), append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}), MetricNonCORS},
		{"any origin: upstream Timing-Allow-Origin removed", `{"allow_origins": ["*"]}`, request("GET", "/", "origin", evil),
			upstreamResponse("timing-allow-origin", "*"), append(upstreamResponse(), [2]string{"access-control-allow-origin", "*"}), MetricActualAllowed},
		{"non-CORS request: upstream Timing-Allow-Origin left alone", taoConfig, request("GET", "/"),
			upstreamResponse("timing-allow-origin", "*"), append(upstreamResponse("timing-allow-origin", "*"), [2]string{"vary", "Origin"}), MetricNonCORS},
		{"keep: the upstream answered CORS, its Timing-Allow-Origin stays", keepTAOConfig, request("GET", "/", "origin", app),
			upstreamResponse("access-control-allow-origin", "*", "timing-allow-origin", "*"),
			append(upstreamResponse("access-control-allow-origin", "*", "timing-allow-origin", "*"), [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"keep: an upstream Timing-Allow-Origin is its only value", keepTAOConfig, request("GET", "/", "origin", app),
			upstreamResponse("timing-allow-origin", "https://x.test"),
			append(upstreamResponse("timing-allow-origin", "https://x.test"), [2]string{"access-control-allow-origin", app}, [2]string{"vary", "Origin"}), MetricActualAllowed},
		{"keep: an upstream Access-Control-Allow-Credentials is its only value", `{"allow_origins": ["https://app.example.com"], "allow_credentials": true, "upstream_cors_headers": "keep"}`,
			request("GET", "/", "origin", app), upstreamResponse("access-control-allow-credentials", "true"),
			append(upstreamResponse("access-control-allow-credentials", "true"), [2]string{"access-control-allow-origin", app}, [2]string{"vary", "Origin"}), MetricActualAllowed},
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
