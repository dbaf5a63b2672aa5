//go:build !wasip1

package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/hostcalls/calls"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// make bench's one-host-call table is (time with n calls − time with none)
// / n, which is one call of the kind only if the module makes exactly those
// calls per request and nothing else, and the calls answer as the table
// says. These tests check it for every kind, in the local host and in
// Envoy's host library (without the envoyhost kit that half skips, or fails
// when CI is set): per request, n calls of the kind's import and no other
// proxy-wasm call; the client gets the upstream's response unchanged (Add:
// with n more lines); nothing logged at error or critical level (the module
// logs when a call answers otherwise than expected).

// n is the calls per request the tests configure; requests how many
// requests are counted, after a warm-up in the local host (in Envoy's host
// library start-up's calls are reported apart).
const (
	n        = 3
	requests = 4
)

// served is what one configuration did: its proxy-wasm calls per request
// (name without "env."), the response the client got (its header lines,
// sorted), and its problems: lines logged at error or critical level, a
// counter that did not move by the increment_metric calls.
type served struct {
	calls    map[string]uint64
	response []string
	problems []string
}

func TestCallsPerRequest(t *testing.T) {
	module := hostcallsModule(t)
	t.Run("local host", func(t *testing.T) {
		checkKinds(t, func(config []byte) served { return serveLocal(t, module, config) })
	})
	t.Run("Envoy host library", func(t *testing.T) {
		harness := envoyhost.HarnessForTest(t)
		path := filepath.Join(t.TempDir(), "hostcalls.wasm")
		if err := os.WriteFile(path, module, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := envoyhost.Options{Harness: harness, Module: path, Restricted: envoyhost.RestrictedTrap, NoReload: true}
		checkKinds(t, func(config []byte) served { return serveInEnvoyHost(t, opts, config) })
	})
}

// checkKinds serves the module with no call, then with n calls of each
// kind, and reports every difference from what the table assumes.
func checkKinds(t *testing.T, serve func(config []byte) served) {
	none := serve(calls.Config(calls.Kinds[0], 0))
	if len(none.calls) != 0 || len(none.problems) != 0 {
		t.Errorf("no call: calls per request %v, problems %q; want none", none.calls, none.problems)
	}
	if !slices.Contains(none.response, calls.Present+": "+calls.PresentValue) {
		t.Fatalf("the upstream's response %q lacks %s: %s", none.response, calls.Present, calls.PresentValue)
	}
	for _, k := range calls.Kinds {
		got := serve(calls.Config(k, n))
		want := map[string]uint64{strings.TrimPrefix(k.HostCall, "env."): n}
		if !maps.Equal(got.calls, want) {
			t.Errorf("%s: calls per request %v; want %v", k.Name, got.calls, want)
		}
		wantResponse := none.response
		if k.Op == calls.Add {
			wantResponse = slices.Sorted(slices.Values(slices.Concat(none.response,
				slices.Repeat([]string{calls.Added + ": " + calls.AddedValue}, n))))
		}
		if !slices.Equal(got.response, wantResponse) {
			t.Errorf("%s: the client got %q; want %q", k.Name, got.response, wantResponse)
		}
		if len(got.problems) != 0 {
			t.Errorf("%s: %q", k.Name, got.problems)
		}
		t.Logf("%s: %v; %q", k.Name, got.calls, got.response)
	}
}

// A configuration the module cannot read fails its start, so a measurement
// never runs other calls than it names.
func TestBadConfigurationFailsTheStart(t *testing.T) {
	module := hostcallsModule(t)
	for _, config := range []string{"", "metric", "metric -1", "nonsense 3", fmt.Sprint("add ", calls.MaxN+1)} {
		if h, err := newHost(module, []byte(config)); err == nil {
			h.Close(context.Background())
			t.Errorf("%q: the module started", config)
		}
	}
}

// The module allocates nothing per request, whatever the kind: a garbage
// collection would be counted as the calls' cost. Its allocation-counting
// build (internal/abi's AllocMetric) serves each kind after a warm-up.
func TestRequestsDoNotAllocate(t *testing.T) {
	const allocMetric = "corswasm.test.heap_allocs" // internal/abi.AllocMetric, only in that build
	module := hostcallsModule(t, testmodule.AllocStatTag)
	for _, k := range calls.Kinds {
		h, err := newHost(module, calls.Config(k, 10))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close(context.Background())
		serve := func(count int) {
			for range count {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "https://api.example.com/x", nil))
			}
		}
		memory := func() uint32 {
			m, _ := h.GuestMemory(context.Background())
			return m[0]
		}
		serve(100)
		before, ok := h.Counter(allocMetric)
		if !ok {
			t.Fatalf("no %s counter: not the allocation-counting build", allocMetric)
		}
		memBefore := memory()
		serve(1000)
		after, _ := h.Counter(allocMetric)
		if after != before || memory() != memBefore {
			t.Errorf("%s: 1000 requests after warm-up: %d heap allocations, linear memory %d → %d bytes; want none and flat",
				k.Name, after-before, memBefore, memory())
		}
	}
}

// hostcallsModule builds tools/hostcalls, as make bench does, with the
// build tags.
func hostcallsModule(t *testing.T, tags ...string) []byte {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := testmodule.Build(filepath.Join(root, "tools"), "./hostcalls", tags...)
	if err != nil {
		t.Fatalf("the hostcalls module: %v", err)
	}
	return bin
}

// upstream answers every request 200 with calls.Present, as make bench's
// upstream does.
type upstream struct{}

func (upstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{http.CanonicalHeaderKey(calls.Present): {calls.PresentValue}},
		Body:   http.NoBody, Request: r,
	}, nil
}

func newHost(module, config []byte) (*wasmhost.Host, error) {
	u, _ := url.Parse("http://upstream.invalid")
	return wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: config, Upstream: u, Transport: upstream{}, VMs: 1})
}

// serveLocal serves a warm-up request, then counts the proxy-wasm calls of
// requests more.
func serveLocal(t *testing.T, module, config []byte) served {
	t.Helper()
	h, err := newHost(module, config)
	if err != nil {
		t.Fatalf("%s: %v", config, err)
	}
	defer h.Close(context.Background())
	var w *httptest.ResponseRecorder
	serve := func() {
		w = httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "https://api.example.com/x", nil))
	}
	serve()
	before := h.HostCalls()
	counter, _ := h.Counter(calls.Counter)
	for range requests {
		serve()
	}
	var out served
	out.calls = perRequest(t, h.HostCalls(), before)
	for name, values := range w.Result().Header {
		for _, v := range values {
			out.response = append(out.response, strings.ToLower(name)+": "+v)
		}
	}
	slices.Sort(out.response)
	for _, l := range h.Logs() {
		if l.Level >= wasmhost.LevelError {
			out.problems = append(out.problems, l.Message)
		}
	}
	// increment_metric's calls must reach the counter: the count alone
	// would not tell a call on an undefined metric.
	if after, _ := h.Counter(calls.Counter); after-counter != out.calls["proxy_increment_metric"]*requests {
		out.problems = append(out.problems, fmt.Sprintf("%s went from %d to %d", calls.Counter, counter, after))
	}
	return out
}

// serveInEnvoyHost runs requests streams through the module in Envoy's host
// library and counts their proxy-wasm calls, start-up's left out.
func serveInEnvoyHost(t *testing.T, opts envoyhost.Options, config []byte) served {
	t.Helper()
	opts.Config = config
	request := envoyhost.Request{
		Headers:  []envoyhost.Header{{":method", "GET"}, {":path", "/x"}, {":authority", "api.example.com"}, {":scheme", "https"}},
		Upstream: &envoyhost.Response{Status: 200, Headers: []envoyhost.Header{{calls.Present, calls.PresentValue}}},
	}
	run, err := envoyhost.Run(context.Background(), opts, slices.Repeat([]envoyhost.Request{request}, requests))
	if err != nil {
		t.Fatalf("%s: %v", config, err)
	}
	var out served
	out.calls = perRequest(t, toUint(run.End.Hostcalls), toUint(run.Startup.Hostcalls))
	out.problems = append(out.problems, run.End.HostErrors...)
	for i, s := range run.Streams {
		if s.Failed || len(s.HostErrors) != 0 {
			t.Fatalf("%s: stream %d failed (host errors %q)", config, i, s.HostErrors)
		}
		var response []string
		for _, h := range s.Headers {
			if h.Name() != ":status" {
				response = append(response, h.Name()+": "+h.Value())
			}
		}
		slices.Sort(response)
		if i == 0 {
			out.response = response
		} else if !slices.Equal(response, out.response) {
			t.Fatalf("%s: stream %d got %q, the first %q", config, i, response, out.response)
		}
		for _, l := range s.Logs {
			if l.Level == "error" || l.Level == "critical" {
				out.problems = append(out.problems, l.Msg)
			}
		}
		if got := s.MetricsDelta["wasmcustom."+calls.Counter]; uint64(got) != out.calls["proxy_increment_metric"] {
			out.problems = append(out.problems, fmt.Sprintf("stream %d: %s moved by %d", i, calls.Counter, got))
		}
	}
	return out
}

func toUint(m map[string]int64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[k] = uint64(v)
	}
	return out
}

// perRequest is the proxy-wasm calls made between two snapshots of a host's
// counts, divided by requests; a count that does not divide is a failure:
// the requests did not all make the same calls.
func perRequest(t *testing.T, after, before map[string]uint64) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for name, count := range after {
		d := count - before[name]
		call, ok := strings.CutPrefix(name, "env.")
		if !ok || d == 0 {
			continue // WASI calls are the Go runtime's
		}
		if d%requests != 0 {
			t.Errorf("%d calls of %s in %d requests: not the same in every request", d, call, requests)
		}
		out[call] = d / requests
	}
	return out
}
