//go:build !wasip1

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"time"

	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The local host: tools/wasmhost on wazero, one VM, no network.

// cannedUpstream answers every request with upstreamHeaders, as the
// harness's request lines do.
type cannedUpstream struct{}

func (cannedUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{}
	for _, kv := range upstreamHeaders {
		h.Add(kv.Name(), kv.Value())
	}
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(nil)), Request: r,
	}, nil
}

func newHost(module, config []byte) (*wasmhost.Host, error) {
	u, _ := url.Parse("http://upstream.invalid")
	return wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: config, Upstream: u, Transport: cannedUpstream{}, VMs: 1})
}

func httpRequest(k kind) *http.Request {
	r := httptest.NewRequest(k.method, "https://"+authority+path, nil)
	for _, h := range slices.Concat(k.headers, common) {
		r.Header.Add(h.Name(), h.Value())
	}
	return r
}

// localTimes measures ns per request in the local host, runs times n
// requests per kind and module after a warm-up, interleaved.
func localTimes(modules [][]byte, config []byte, runs, n int) (timings, error) {
	hosts := make([]*wasmhost.Host, len(modules))
	for i, m := range modules {
		h, err := newHost(m, config)
		if err != nil {
			return nil, err
		}
		defer h.Close(context.Background())
		hosts[i] = h
	}
	res := newTimings(len(modules))
	for run := 0; run <= runs; run++ {
		for _, k := range kinds {
			for i, h := range hosts {
				count := n
				if run == 0 {
					count = n / 10 // warm-up, not reported
				}
				ns, err := timeLocal(h, k, count)
				if err != nil {
					return nil, err
				}
				if run > 0 {
					res[k.name][i] = append(res[k.name][i], ns)
				}
			}
		}
	}
	return res, nil
}

// timeLocal serves count requests of kind k and returns ns per request.
func timeLocal(h *wasmhost.Host, k kind, count int) (float64, error) {
	w := httptest.NewRecorder()
	start := time.Now()
	for range count {
		w.Body.Reset()
		h.ServeHTTP(w, httpRequest(k))
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(count)
	if w.Code >= 500 {
		return 0, fmt.Errorf("%s: status %d", k.name, w.Code)
	}
	return ns, nil
}
