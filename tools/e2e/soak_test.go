//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/corswasm/corswasm/tools/wasmhost"
)

// soakRequests is the number of requests TestSoak sends after warming up.
const soakRequests = 60000

// TestSoak sends a mix of requests through the module on the envoy-1.33
// WASI profile, where poll_oneoff fails as in Envoy before
// proxy-wasm-cpp-host PR #533: the Go runtime calling it would kill a VM
// (every later request answered 503). It also checks that the module's
// linear memory stays flat once warm: contexts are reused after
// proxy_on_delete and serving a request allocates nothing
// (TestRequestsDoNotAllocate), so not one 64 KiB page may be added. In
// Envoy's host library the soaks are soakInEnvoyHost's: a million mixed
// requests, and envoy/cors.json under issue 10's memory ceiling.
func TestSoak(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("reads the in-process host's guest memory")
	case envoyhostBackend:
		soakInEnvoyHost(t)
		return
	}
	tg := targets["main"]
	mix := []func() (*http.Request, error){
		func() (*http.Request, error) {
			r, err := http.NewRequest("OPTIONS", tg.url+"/a", nil)
			if err == nil {
				r.Header.Set("Origin", app)
				r.Header.Set("Access-Control-Request-Method", "PUT")
				r.Header.Set("Access-Control-Request-Headers", "content-type")
			}
			return r, err
		},
		func() (*http.Request, error) {
			r, err := http.NewRequest("OPTIONS", tg.url+"/b", nil)
			if err == nil {
				r.Header.Set("Origin", evil)
				r.Header.Set("Access-Control-Request-Method", "PUT")
			}
			return r, err
		},
		func() (*http.Request, error) {
			r, err := http.NewRequest("GET", tg.url+"/c?h=vary:Accept-Encoding", nil)
			if err == nil {
				r.Header.Set("Origin", app)
			}
			return r, err
		},
		func() (*http.Request, error) { return http.NewRequest("GET", tg.url+"/d", nil) },
	}
	run := func(n int) (failures int64) {
		var next, failed atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					req, err := mix[i%int64(len(mix))]()
					if err != nil {
						failed.Add(1)
						continue
					}
					resp, err := client.Do(req)
					if err != nil || resp.StatusCode >= 500 {
						failed.Add(1)
					}
					if err == nil {
						resp.Body.Close()
					}
				}
			}()
		}
		wg.Wait()
		return failed.Load()
	}

	if f := run(20000); f != 0 {
		t.Fatalf("%d of 20000 warm-up requests failed", f)
	}
	warm := guestMemory(t, tg.host)
	if f := run(soakRequests); f != 0 {
		t.Fatalf("%d of %d requests failed", f, soakRequests)
	}
	after := guestMemory(t, tg.host)
	for i := range warm {
		// One wasm page is 64 KiB: a leak of even a byte per request
		// would add a page over the run.
		if after[i] > warm[i] {
			t.Errorf("VM %d: linear memory grew from %d to %d bytes over %d requests", i, warm[i], after[i], soakRequests)
		}
	}
	t.Logf("linear memory per VM after warm-up %v, after %d requests %v", warm, soakRequests, after)
	for _, l := range tg.host.Logs() {
		if l.Level >= wasmhost.LevelError {
			t.Errorf("log at %v: %s", l.Level, l.Message)
		}
	}
	if n, _ := tg.host.Counter("corswasm.panics"); n != 0 {
		t.Errorf("corswasm.panics = %d", n)
	}
}

func guestMemory(t *testing.T, h *wasmhost.Host) []uint32 {
	t.Helper()
	sizes, err := h.GuestMemory(context.Background())
	if err != nil {
		t.Fatal(fmt.Errorf("guest memory: %w", err))
	}
	return sizes
}
