//go:build !wasip1

package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// cannedUpstream answers every request without a network: the benchmarks
// measure the host and the module, not a TCP round trip.
type cannedUpstream struct{}

func (cannedUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}, "Vary": {"Accept-Encoding"}},
		Body:    io.NopCloser(bytes.NewReader(nil)),
		Request: r,
	}, nil
}

func benchHost(b *testing.B, module []byte, config []byte) *wasmhost.Host {
	b.Helper()
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: config, Upstream: u, Transport: cannedUpstream{}, VMs: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// BenchmarkModuleRequest serves requests through the local host (one VM, no
// network) with cors.wasm and with a pass-through module built on the same
// runtime and ABI binding; the ratio of the two is what the CORS filter
// costs per request in the module, host overhead included in both.
func BenchmarkModuleRequest(b *testing.B) {
	cfg, err := os.ReadFile(filepath.Join("testdata", "main.json"))
	if err != nil {
		b.Fatal(err)
	}
	requests := []struct {
		name    string
		method  string
		headers []string
	}{
		{"non-cors", "GET", nil},
		{"actual", "GET", []string{"Origin", app}},
		{"preflight", "OPTIONS", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-request-id"}},
	}
	for _, mod := range []struct {
		name   string
		module func(testing.TB) []byte
	}{{"passthrough", passthroughModule}, {"cors", testmodule.Module}} {
		h := benchHost(b, mod.module(b), cfg)
		for _, rq := range requests {
			b.Run(mod.name+"/"+rq.name, func(b *testing.B) {
				req := httptest.NewRequest(rq.method, "http://api.example.com/items?id=1", nil)
				for i := 0; i+1 < len(rq.headers); i += 2 {
					req.Header.Add(rq.headers[i], rq.headers[i+1])
				}
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code >= 500 {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		}
	}
}
