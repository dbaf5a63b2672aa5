//go:build !wasip1 || corswasm_panictest || corswasm_allocstat

package filter

import (
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/testing/testheaders"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// panicTest runs a test natively with the panic hook installed, and against
// the module built with the corswasm_panictest tag, where a panic that
// escaped would abort the Go runtime and kill the VM.
func panicTest(t *testing.T, f func(t *testing.T, vm types.VMContext)) {
	t.Run("native", func(t *testing.T) {
		testHook = panicOnDemand
		t.Cleanup(func() { testHook = nil })
		f(t, NewVMContext())
	})
	t.Run("wasm", func(t *testing.T) { f(t, panicTestVM.get(t, testmodule.PanicTestModule)) })
}

// A panic in a callback is recovered, logged and counted; the request
// continues without CORS headers (the browser then blocks it), and the VM
// keeps serving.
func TestPanicRecovered(t *testing.T) {
	panicTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, config)

		// In the request phase: no local reply, no CORS header.
		x := roundTrip(t, host, request("OPTIONS", "/", "origin", app, "access-control-request-method", "PUT", testheaders.PanicHeader, "request"), upstreamResponse())
		if x.local != nil {
			t.Errorf("local reply %+v after a panic; want the request to continue", x.local)
		}
		if cors := corsHeaders(x.response); len(cors) != 0 {
			t.Errorf("response after a request-phase panic carries %q", cors)
		}

		// In the response phase: the response goes out without CORS headers.
		x = roundTrip(t, host, request("GET", "/", "origin", app), upstreamResponse(testheaders.PanicHeader, "response"))
		if cors := corsHeaders(x.response); len(cors) != 0 {
			t.Errorf("response after a response-phase panic carries %q", cors)
		}

		if n := counterValue(t, host, MetricPanics); n != 2 {
			t.Errorf("%s = %d; want 2", MetricPanics, n)
		}
		logs := host.GetCriticalLogs()
		if len(logs) != 2 || !strings.Contains(logs[0], "recovered from a panic in the request headers callback: test panic in the request phase") ||
			!strings.Contains(logs[1], "recovered from a panic in the response headers callback: test panic in the response phase") {
			t.Errorf("critical logs = %q", logs)
		}

		// The VM is alive: the next request is served normally.
		x = roundTrip(t, host, request("GET", "/", "origin", app), upstreamResponse())
		if got := values(x.response, "access-control-allow-origin"); len(got) != 1 || got[0] != app {
			t.Errorf("request after the panics: allow-origin = %q; want %q", got, app)
		}
	})
}
