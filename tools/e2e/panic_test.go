//go:build !wasip1

package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/corswasm/corswasm/filter"
	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// A panic in a callback is recovered inside the module on both WASI
// profiles: on Envoy 1.33's, where an unrecovered Go panic cannot even
// print (the runtime's crash path calls the failing poll_oneoff), the
// request still continues without CORS headers and the VM keeps serving.
// The module is the test build that panics on demand (filter.PanicHeader).
func TestRecoveredPanicsInHost(t *testing.T) {
	requireLocalHost(t, "needs the test build of the module")
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
				{"response phase", "/?h=" + filter.PanicHeader + ":response"},
			} {
				req := newRequest(t, "GET", srv.URL+tc.path, "Origin", app)
				if tc.path == "/" {
					req.Header.Set(filter.PanicHeader, "request")
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
