package filter

import (
	"slices"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Envoy runs the callbacks of many streams on one VM in turn. Per-request
// scratch space shared by the plugin context must not leak from one stream
// into another: A and B are forwarded, C (a preflight) is answered, then A's
// and B's responses come back, each with its own origin.
func TestInterleavedStreams(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)
		other := "https://pr-1.preview.example.com"
		a := host.InitializeHttpContext()
		b := host.InitializeHttpContext()
		c := host.InitializeHttpContext()
		host.CallOnRequestHeaders(a, request("GET", "/a", "origin", app), false)
		host.CallOnRequestHeaders(b, request("GET", "/b", "origin", other), false)
		host.CallOnRequestHeaders(c, request("OPTIONS", "/c", "origin", evil, "access-control-request-method", "PUT"), false)
		if r := host.GetSentLocalResponse(c); r == nil || r.StatusCode != 403 {
			t.Fatalf("C's preflight: %+v; want 403", r)
		}
		host.CallOnResponseHeaders(b, upstreamResponse(), false)
		host.CallOnResponseHeaders(a, upstreamResponse(), false)
		for _, s := range []struct {
			id     uint32
			origin string
		}{{a, app}, {b, other}} {
			got := values(host.GetCurrentResponseHeaders(s.id), "access-control-allow-origin")
			if !slices.Equal(got, []string{s.origin}) {
				t.Errorf("stream %d: allow-origin %q; want %q", s.id, got, s.origin)
			}
		}
		for _, id := range []uint32{a, b, c} {
			host.CompleteHttpContext(id)
		}
	})
}
