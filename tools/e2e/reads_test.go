//go:build !wasip1

package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// An Origin header with an empty value is a CORS request (with a malformed
// origin), as when the whole header map was read: Envoy's single-value read
// finds an empty value (the SDK's emulator would call it absent, which is
// why this runs in the local host).
func TestEmptyOriginIsCORS(t *testing.T) {
	if backend != localBackend {
		t.Skip("uses the in-process host")
	}
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: testmodule.Module(t), PluginConfig: []byte(`{"allow_origins": ["https://app.example.com"], "allow_credentials": true}`),
		Upstream: u, Transport: allocUpstream{}, VMs: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	r := httptest.NewRequest("GET", "http://api.example.com/", nil)
	r.Header["Origin"] = []string{""}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin = %q; want none", got)
	}
	if got := w.Header().Values("Vary"); len(got) != 1 || got[0] != "Origin" {
		t.Errorf("Vary = %q; want Origin", got)
	}
	if n, _ := h.Counter("corswasm.actual.disallowed"); n != 1 {
		t.Errorf("corswasm.actual.disallowed = %d; want 1", n)
	}
	if n, _ := h.Counter("corswasm.non_cors"); n != 0 {
		t.Errorf("corswasm.non_cors = %d; want 0", n)
	}
}
