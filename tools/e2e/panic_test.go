//go:build !wasip1

package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/corswasm/corswasm/filter"
	"github.com/corswasm/corswasm/internal/testing/testheaders"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// A panic in a callback is recovered inside the module on both WASI
// profiles: on Envoy 1.33's, where an unrecovered Go panic cannot even
// print (the runtime's crash path calls the failing poll_oneoff), the
// request still continues without CORS headers and the VM keeps serving.
// The module is the test build that panics on demand (testheaders.PanicHeader).
func TestRecoveredPanicsInHost(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("needs the test build of the module")
	case envoyhostBackend:
		recoveredPanicsInEnvoyHost(t)
		return
	}
	cfg, err := os.ReadFile(filepath.Join("testdata", "main.json"))
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(echoHandler)
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	for _, profile := range []string{wasmhost.WASIEnvoy133, wasmhost.WASICurrent} {
		t.Run(profile, func(t *testing.T) {
			h, err := wasmhost.New(context.Background(), wasmhost.Config{
				Module: testmodule.PanicTestModule(t), PluginConfig: cfg, Upstream: u, WASI: profile, VMs: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close(context.Background())
			srv := httptest.NewServer(h)
			defer srv.Close()
			for _, tc := range []struct{ desc, path string }{
				{"request phase", "/"},
				{"response phase", "/?h=" + testheaders.PanicHeader + ":response"},
			} {
				req := newRequest(t, "GET", srv.URL+tc.path, "Origin", app)
				if tc.path == "/" {
					req.Header.Set(testheaders.PanicHeader, "request")
				}
				r := do(t, req)
				if r.status != 200 {
					t.Errorf("%s: status %d; want the upstream's 200 (the VM must not fail)", tc.desc, r.status)
				}
				wantHeaders(t, r, nil)
			}
			if n, _ := h.Counter(filter.MetricPanics); n != 2 {
				t.Errorf("%s = %d; want 2", filter.MetricPanics, n)
			}
			r := do(t, newRequest(t, "GET", srv.URL+"/", "Origin", app))
			if got := r.header.Get("Access-Control-Allow-Origin"); r.status != 200 || got != app {
				t.Errorf("after the panics: status %d, allow-origin %q; want 200, %q", r.status, got, app)
			}
		})
	}
}

// recoveredPanicsInEnvoyHost is the test in Envoy's host library, whose
// poll_oneoff fails as Envoy 1.33's does: panics in both callbacks are
// recovered, the streams get the upstream's answer without CORS headers, and
// the same VM then serves a request as usual. It runs under Envoy's default
// failure policy, FAIL_CLOSED, where a VM that failed would answer 503 to
// every later request, and under FAIL_RELOAD, the one the documentation
// recommends, where it would be re-created: neither may happen.
func recoveredPanicsInEnvoyHost(t *testing.T) {
	for _, policy := range []envoyhost.FailurePolicy{envoyhost.FailClosed, envoyhost.FailReload} {
		t.Run("failure policy "+string(policy), func(t *testing.T) {
			recoveredPanicsInEnvoyHostWith(t, policy)
		})
	}
}

func recoveredPanicsInEnvoyHostWith(t *testing.T, policy envoyhost.FailurePolicy) {
	request := []envoyhost.Header{{":method", "GET"}, {":path", "/"}, {":authority", envoyHostAuthority}, {":scheme", envoyHostScheme}, {"origin", app}}
	opts := envoyHostOptions(t, writeModule(t, testmodule.PanicTestModule(t)), readConfig(t, "main"))
	opts.FailurePolicy = policy
	run := runInEnvoyHostWith(t, opts, []envoyhost.Request{
		{Name: "request phase", Headers: append(slices.Clone(request), envoyhost.Header{testheaders.PanicHeader, "request"})},
		{Name: "response phase", Headers: request, Upstream: &envoyhost.Response{Headers: []envoyhost.Header{{testheaders.PanicHeader, "response"}}}},
		{Name: "after the panics", Headers: request},
	})
	if run.Startup.FailurePolicy != policy || run.End.FailurePolicy != policy {
		t.Errorf("failure policy %q at start-up, %q at the end; want %q", run.Startup.FailurePolicy, run.End.FailurePolicy, policy)
	}
	if c := run.End.PolicyCounts; c.VMFailures != 0 || c.StreamsAfterFailure != 0 || c.Reloads != 0 {
		t.Errorf("VM failures %d, streams after a failure %d, reloads %d; want none", c.VMFailures, c.StreamsAfterFailure, c.Reloads)
	}
	for _, s := range run.Streams[:2] {
		o := harnessOutcome(s)
		if o.status != 200 || !o.fromUpstream {
			t.Errorf("%s: status %d, from the upstream %v; want the upstream's 200 (the VM must not fail)", s.Name, o.status, o.fromUpstream)
		}
		wantHeaders(t, o.reply, nil)
	}
	if n := run.End.Metrics["wasmcustom."+filter.MetricPanics]; n != 2 {
		t.Errorf("%s = %d; want 2", filter.MetricPanics, n)
	}
	if got := harnessOutcome(run.Streams[2]).header.Get("Access-Control-Allow-Origin"); run.Streams[2].Status != 200 || got != app {
		t.Errorf("after the panics: status %d, allow-origin %q; want 200, %q", run.Streams[2].Status, got, app)
	}
	if n := run.End.Hostcalls["wasi_snapshot_preview1.poll_oneoff"]; n != 0 {
		t.Errorf("poll_oneoff called %d times", n)
	}
}
