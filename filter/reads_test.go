package filter

import (
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// The filter reads Origin alone first and the whole map only for a CORS
// request (request.go): these requests check that the answers are those of
// reading the whole map.

// A second Origin line disallows an actual request whose first line is an
// allowed origin: only the whole map shows it.
func TestSecondOriginLineOnActualRequest(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		x := roundTrip(t, host, request("GET", "/", "origin", app, "origin", evil), upstreamResponse())
		if got := corsHeaders(x.response); len(got) != 0 {
			t.Errorf("response carries %q; want no CORS header", got)
		}
		if got := values(x.response, "vary"); !slices.Equal(got, []string{"Origin"}) {
			t.Errorf("vary = %q; want Origin", got)
		}
		if n := counterValue(t, host, MetricActualDisallowed); n != 1 {
			t.Errorf("%s = %d; want 1", MetricActualDisallowed, n)
		}
	})
}

// Requests without Origin are decided by the rule their :authority and
// :path choose, read alone.
func TestRulesChooseThePolicyWithoutOrigin(t *testing.T) {
	const cfg = `{"allow_origins": ["https://app.example.com"], "allow_credentials": true, "rules": [
		{"name": "health", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
		{"name": "public", "match": {"hosts": ["*.public.example"]}, "allow_origins": ["*"], "allow_credentials": false}]}`
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, cfg)
		if x := roundTrip(t, host, request("GET", "/healthz/live"), upstreamResponse()); !equalHeaders(x.response, upstreamResponse()) {
			t.Errorf("disabled rule: response %q; want it untouched", x.response)
		}
		x := roundTrip(t, host, onHost("cdn.public.example:8443", request("GET", "/a")), upstreamResponse())
		if got := values(x.response, "access-control-allow-origin"); !slices.Equal(got, []string{"*"}) || len(values(x.response, "vary")) != 0 {
			t.Errorf("public rule: response %q; want Access-Control-Allow-Origin: * and no Vary", x.response)
		}
		x = roundTrip(t, host, request("GET", "/a"), upstreamResponse())
		if got := values(x.response, "vary"); !slices.Equal(got, []string{"Origin"}) || len(corsHeaders(x.response)) != 0 {
			t.Errorf("top level: response %q; want Vary: Origin only", x.response)
		}
	})
}

// When Vary is all the response needs, its first line is read alone; a
// first line without Origin adds it exactly once, and a later line that
// lists it (or "*") is seen.
func TestVaryReadAlone(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		for _, tc := range []struct {
			upstream []string
			added    bool
		}{
			{nil, true},
			{[]string{"vary", "Accept-Encoding"}, true},
			{[]string{"vary", "Accept-Encoding", "vary", "Accept-Language"}, true},
			{[]string{"vary", "Accept-Encoding", "vary", "*"}, false},
			{[]string{"vary", "Accept-Encoding", "vary", "Origin"}, false},
			{[]string{"vary", "origin"}, false},
		} {
			x := roundTrip(t, host, request("GET", "/"), upstreamResponse(tc.upstream...))
			// The emulator appends an added value to an existing line
			// without a separator: count what the filter added.
			added := strings.Count(strings.Join(values(x.response, "vary"), "|"), "Origin") -
				strings.Count(strings.Join(tc.upstream, "|"), "Origin")
			if want := map[bool]int{true: 1, false: 0}[tc.added]; added != want {
				t.Errorf("upstream %q: vary %q; filter added Origin %d times, want %d", tc.upstream, values(x.response, "vary"), added, want)
			}
		}
	})
}
