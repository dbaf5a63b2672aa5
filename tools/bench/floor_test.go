//go:build !wasip1

package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The floor module (tools/floor) stands for "the host calls cors.wasm makes,
// and nothing else" in make bench's table. These tests keep it so: for each
// kind of request, with the benchmark's configuration, it must make the
// same proxy-wasm calls as cors.wasm, as many of each per request, and the
// client must get the same response. When cors.wasm changes what it asks of
// the host for one of these kinds, they fail until tools/floor follows.
//
// Only calls made while serving count: start-up's (the configuration,
// metric definitions, log lines) differ between the modules and are left
// out by counting the difference across requests served after a warm-up;
// WASI calls are the Go runtime's, not the filter's.

// floorRequests is how many requests of a kind each module serves while its
// host calls are counted: the counts must be the same for every request.
const floorRequests = 3

// served is what one module did for one kind of request: its proxy-wasm
// calls per request, and what the client got.
type served struct {
	calls    map[string]uint64 // env.proxy_* name → calls per request
	response string            // status and headers, rendered for comparison
}

// In the local host, and in Envoy's host library when the envoyhost kit is
// there (without it that half skips, or fails when CI is set, as the e2e
// suite's tests there do).
func TestFloorMakesTheHostCallsOfCorsWasm(t *testing.T) {
	config := benchConfig(t)
	cors := testmodule.Module(t)
	floor := floorModule(t)

	t.Run("local host", func(t *testing.T) {
		serve := func(module []byte) func(kind) (served, error) {
			h, err := newHost(module, config)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { h.Close(context.Background()) })
			return func(k kind) (served, error) { return serveLocal(h, k) }
		}
		compareModules(t, serve(cors), serve(floor))
	})

	t.Run("Envoy host library", func(t *testing.T) {
		dir := t.TempDir()
		opts := envoyhost.Options{Harness: envoyhost.HarnessForTest(t), Config: config, Restricted: envoyhost.RestrictedTrap, NoReload: true}
		serve := func(name string, module []byte) func(kind) (served, error) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, module, 0o644); err != nil {
				t.Fatal(err)
			}
			return func(k kind) (served, error) {
				opts := opts
				opts.Module = path
				return serveInEnvoyHost(opts, k)
			}
		}
		compareModules(t, serve("cors.wasm", cors), serve("floor.wasm", floor))
	})
}

// The floor module allocates nothing per request either, as cors.wasm does
// not: garbage collection would make its host calls look dearer. Its
// allocation-counting build (internal/abi's AllocMetric) serves the kinds in
// the local host after a warm-up.
func TestFloorDoesNotAllocate(t *testing.T) {
	a, err := localAllocs(floorModule(t, testmodule.AllocStatTag), benchConfig(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if a.allocs != 0 || a.memoryAfter != a.memoryBefore {
		t.Errorf("%d requests after warm-up: %d heap allocations, linear memory %d → %d bytes; want none and flat",
			a.requests, a.allocs, a.memoryBefore, a.memoryAfter)
	}
}

// floorModule builds tools/floor, as make bench does, with the build tags.
func floorModule(t *testing.T, tags ...string) []byte {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := testmodule.Build(filepath.Join(root, "tools"), "./floor", tags...)
	if err != nil {
		t.Fatalf("the floor module: %v", err)
	}
	return bin
}

// benchConfig is make bench's configuration, envoy/cors.json.
func benchConfig(t *testing.T) []byte {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile(filepath.Join(root, "envoy", "cors.json"))
	if err != nil {
		t.Fatal(err)
	}
	return config
}

// compareModules runs every kind through both modules and reports each
// difference.
func compareModules(t *testing.T, cors, floor func(kind) (served, error)) {
	t.Helper()
	for _, k := range kinds {
		c, err := cors(k)
		if err != nil {
			t.Fatalf("%s, cors.wasm: %v", k.name, err)
		}
		f, err := floor(k)
		if err != nil {
			t.Fatalf("%s, floor: %v", k.name, err)
		}
		if len(c.calls) == 0 {
			t.Errorf("%s: no host calls counted for cors.wasm", k.name)
		}
		if !maps.Equal(c.calls, f.calls) {
			t.Errorf("%s: host calls per request differ (update tools/floor):\ncors.wasm: %s\nfloor:     %s", k.name, callList(c.calls), callList(f.calls))
		}
		if c.response != f.response {
			t.Errorf("%s: responses differ (update tools/floor):\ncors.wasm: %s\nfloor:     %s", k.name, c.response, f.response)
		}
		t.Logf("%s: %s; %s", k.name, callList(c.calls), c.response)
	}
}

// serveLocal serves a warm-up request of kind k, then floorRequests more,
// counting their host calls.
func serveLocal(h *wasmhost.Host, k kind) (served, error) {
	var w *httptest.ResponseRecorder
	serve := func() {
		w = httptest.NewRecorder()
		h.ServeHTTP(w, httpRequest(k))
	}
	serve()
	first := w.Result()
	before := h.HostCalls()
	for range floorRequests {
		serve()
	}
	if last := w.Result(); last.StatusCode != first.StatusCode || !reflect.DeepEqual(last.Header, first.Header) {
		return served{}, fmt.Errorf("the first response (%s) differs from the last (%s)", responseOf(first), responseOf(last))
	}
	calls, err := perRequest(h.HostCalls(), before)
	return served{calls: calls, response: responseOf(first)}, err
}

// responseOf renders the status and headers the client gets, one line per
// header line in a stable order.
func responseOf(r *http.Response) string {
	s := fmt.Sprintf("%d", r.StatusCode)
	for _, name := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[name] {
			s += fmt.Sprintf(", %s: %s", strings.ToLower(name), v)
		}
	}
	return s
}

// serveInEnvoyHost runs floorRequests streams of kind k through the module
// in Envoy's host library, after start-up.
func serveInEnvoyHost(opts envoyhost.Options, k kind) (served, error) {
	requests := slices.Repeat([]envoyhost.Request{harnessRequest(k)}, floorRequests)
	run, err := envoyhost.Run(context.Background(), opts, requests)
	if err != nil {
		return served{}, err
	}
	if len(run.End.HostErrors) != 0 {
		return served{}, fmt.Errorf("host errors: %q", run.End.HostErrors)
	}
	var out served
	for i, s := range run.Streams {
		if s.Failed || len(s.HostErrors) != 0 {
			return served{}, fmt.Errorf("stream %d failed (host errors %q)", i, s.HostErrors)
		}
		// The callbacks' answers and whether the filter replied are part
		// of what the client sees: a forwarded preflight would get the
		// upstream's answer.
		r := fmt.Sprintf("%d, local reply %v %q, request headers %s, response headers %s",
			s.Status, s.LocalReply, s.LocalReplyDetails, s.RequestHeadersStatus, s.ResponseHeadersStatus)
		for _, h := range s.Headers {
			r += fmt.Sprintf(", %s: %s", h.Name(), h.Value())
		}
		if i == 0 {
			out.response = r
		} else if r != out.response {
			return served{}, fmt.Errorf("stream %d (%s) differs from the first (%s)", i, r, out.response)
		}
	}
	out.calls, err = perRequest(toUint(run.End.Hostcalls), toUint(run.Startup.Hostcalls))
	return out, err
}

func toUint(m map[string]int64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[k] = uint64(v)
	}
	return out
}

// perRequest is the proxy-wasm calls made between two snapshots of a host's
// counts, divided by floorRequests; a count that does not divide means the
// requests did not all make the same calls.
func perRequest(after, before map[string]uint64) (map[string]uint64, error) {
	out := map[string]uint64{}
	for name, n := range after {
		if !strings.HasPrefix(name, "env.proxy_") || n == before[name] {
			continue
		}
		d := n - before[name]
		if d%floorRequests != 0 {
			return nil, fmt.Errorf("%d calls of %s in %d requests: not the same in every request", d, name, floorRequests)
		}
		out[strings.TrimPrefix(name, "env.")] = d / floorRequests
	}
	return out, nil
}

// callList renders calls per request, sorted by name.
func callList(calls map[string]uint64) string {
	var s []string
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		s = append(s, fmt.Sprintf("%s ×%d", name, calls[name]))
	}
	if s == nil {
		return "none"
	}
	return strings.Join(s, ", ")
}
