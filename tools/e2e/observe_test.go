//go:build !wasip1

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// Audit mode's observations through the compiled module: once per VM per
// distinct request and answer, in a table that fills, with no allocation
// and no host call beyond logging a new line and counting it.

// observeConfig audits one rule, with a small table.
const observeConfig = `{
	"allow_origins": ["https://app.example.com", "https://*.obs.example.com"],
	"allow_methods": ["PUT"],
	"rules": [{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit"}],
	"audit_observations": {"max_entries": %d}
}`

const (
	observationMarker  = "corswasm: observation "
	observationsDrop   = "corswasm.audit.observations.dropped"
	observationsOrigin = "https://o%d.obs.example.com"
)

// observedRequest is an audited actual request from the i-th of many
// origins, which the upstream allows as the policy would: each is a new
// observation, and none a disagreement.
func observedRequest(i int) allocRequest {
	o := fmt.Sprintf(observationsOrigin, i)
	return allocRequest{"GET", "/legacy/x?h=access-control-allow-origin:" + url.QueryEscape(o) + "&h=vary:Origin", []string{"Origin: " + o}}
}

// localObserveHost starts the local host, one VM, with module and
// observeConfig's table of max entries.
func localObserveHost(t *testing.T, module []byte, max int) *wasmhost.Host {
	t.Helper()
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: module, PluginConfig: fmt.Appendf(nil, observeConfig, max),
		Upstream: u, Transport: allocUpstream{}, VMs: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// observationLines are the observation lines a host logged, decoded.
func observationLines(t *testing.T, h *wasmhost.Host) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range h.Logs() {
		rest, ok := strings.CutPrefix(l.Message, observationMarker)
		if !ok {
			continue
		}
		var o map[string]any
		if err := json.Unmarshal([]byte(rest), &o); err != nil {
			t.Fatalf("observation %q: %v", l.Message, err)
		}
		out = append(out, o)
	}
	return out
}

// One VM logs each distinct observation once, up to max_entries, and
// counts the rest as dropped; a seen observation makes the same host calls
// as a configuration recording none, and a configuration without audit
// mode defines no observation counter.
func TestObservationsInOneVM(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("needs one VM and its log")
	case envoyhostBackend:
		observationsInEnvoyHost(t)
		return
	}
	module := testmodule.Module(t)
	h := localObserveHost(t, module, 5)
	observedRequest(0).send(t, h)
	observedRequest(0).send(t, h)
	if got := observationLines(t, h); len(got) != 1 || got[0]["origin"] != "https://o0.obs.example.com" || got[0]["host"] != "api.example.com" {
		t.Errorf("after the same request twice: %v; want one observation", got)
	}
	for i := range 10 {
		observedRequest(i).send(t, h)
	}
	if got := observationLines(t, h); len(got) != 5 {
		t.Errorf("%d observations; want 5 (max_entries)", len(got))
	}
	if n, _ := h.Counter(observationsLogged); n != 5 {
		t.Errorf("%s = %d; want 5", observationsLogged, n)
	}
	if n, _ := h.Counter(observationsDrop); n != 5 {
		t.Errorf("%s = %d; want 5", observationsDrop, n)
	}

	// Host calls of a request whose observation was seen, against the same
	// request with recording off.
	callsOf := func(h *wasmhost.Host) map[string]uint64 {
		observedRequest(0).send(t, h)
		before := h.HostCalls()
		observedRequest(0).send(t, h)
		after := h.HostCalls()
		for k, v := range before {
			after[k] -= v
			if after[k] == 0 {
				delete(after, k)
			}
		}
		return after
	}
	on, off := callsOf(h), callsOf(localObserveHost(t, module, 0))
	if len(on) == 0 || !maps.Equal(on, off) {
		t.Errorf("host calls of a seen observation %v; with recording off %v; want the same", on, off)
	}
	if _, ok := localObserveHost(t, module, 0).Counter(observationsLogged); ok {
		t.Errorf("max_entries 0 defines %s; want no counter", observationsLogged)
	}
}

// observationsInEnvoyHost is TestObservationsInOneVM in Envoy's host
// library: one VM logs each distinct observation once, up to max_entries;
// and the host calls of a run with recording on are those of the same run
// with it off but for the counters' definitions, one line logged and one
// count: the answer's extra headers come in audit mode's one read.
func observationsInEnvoyHost(t *testing.T) {
	module := writeModule(t, testmodule.Module(t))
	requests := []envoyhost.Request{observedRequest(0).harnessRequest(), observedRequest(0).harnessRequest()}
	for i := range 10 {
		requests = append(requests, observedRequest(i).harnessRequest())
	}
	run := runInEnvoyHost(t, module, fmt.Appendf(nil, observeConfig, 5), requests)
	var lines []int // the stream of each observation line
	for i, s := range run.Streams {
		for _, l := range s.Logs {
			if rest, ok := strings.CutPrefix(l.Msg, observationMarker); ok {
				lines = append(lines, i)
				if !json.Valid([]byte(rest)) {
					t.Errorf("stream %d: observation %q is not JSON", i, rest)
				}
			}
		}
	}
	if want := []int{0, 3, 4, 5, 6}; !slices.Equal(lines, want) {
		t.Errorf("observation lines in streams %v; want %v", lines, want)
	}
	if got := run.End.Metrics["wasmcustom."+observationsLogged]; got != 5 {
		t.Errorf("%s = %d; want 5", observationsLogged, got)
	}
	if got := run.End.Metrics["wasmcustom."+observationsDrop]; got != 5 {
		t.Errorf("%s = %d; want 5", observationsDrop, got)
	}

	same := []envoyhost.Request{observedRequest(0).harnessRequest(), observedRequest(0).harnessRequest(), observedRequest(0).harnessRequest()}
	on := runInEnvoyHost(t, module, fmt.Appendf(nil, observeConfig, 5), same).End.Hostcalls
	off := runInEnvoyHost(t, module, fmt.Appendf(nil, observeConfig, 0), same).End.Hostcalls
	diff := map[string]int64{}
	for k := range on {
		// The Go runtime reads the clock a varying number of times while
		// the configuration compiles: the clock is left out.
		if d := on[k] - off[k]; d != 0 && k != "wasi_snapshot_preview1.clock_time_get" {
			diff[k] = d
		}
	}
	for k := range off {
		if _, ok := on[k]; !ok {
			diff[k] = -off[k]
		}
	}
	// The plugin starts twice, in the VM that checks the configuration and
	// in the worker VM: each defines the two counters.
	if want := map[string]int64{"env.proxy_define_metric": 4, "env.proxy_log": 1, "env.proxy_increment_metric": 1}; !maps.Equal(diff, want) {
		t.Errorf("host calls with recording on minus off: %v; want %v", diff, want)
	}
}

// Recording observations allocates nothing, whether a line is logged or
// dropped, and linear memory does not move: after a warm-up of distinct
// origins (buffers grow, the line buffer wraps), 1,000 more new ones are
// logged, then 1,000 more, most dropped. In Envoy's host library the proof
// is observationAllocsInEnvoyHost's.
func TestObservationsDoNotAllocate(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("needs the in-process host and the test build")
	case envoyhostBackend:
		observationAllocsInEnvoyHost(t)
		return
	}
	h := localObserveHost(t, testmodule.AllocStatModule(t), 1500)
	allocs := func() uint64 {
		t.Helper()
		n, ok := h.Counter(allocMetric)
		if !ok {
			t.Fatalf("no %s counter: is this the corswasm_allocstat build?", allocMetric)
		}
		return n
	}
	next := 0
	send := func(n int) {
		for range n {
			observedRequest(next).send(t, h)
			next++
		}
	}
	send(300) // the warm-up: buffers grow, the line buffer wraps
	for _, phase := range []string{"new lines logged", "the table full: dropped"} {
		before, memBefore, loggedBefore := allocs(), guestMemory(t, h), counter(t, h, observationsLogged)
		send(1000)
		after, memAfter := allocs(), guestMemory(t, h)
		if after != before {
			t.Errorf("%s: 1,000 requests made %d heap allocations; want 0", phase, after-before)
		}
		if memAfter[0] != memBefore[0] {
			t.Errorf("%s: linear memory grew from %d to %d bytes", phase, memBefore[0], memAfter[0])
		}
		t.Logf("%s: %d lines logged", phase, counter(t, h, observationsLogged)-loggedBefore)
	}
	if n := counter(t, h, observationsLogged); n != 1500 {
		t.Errorf("%s = %d; want 1500", observationsLogged, n)
	}
	if n := counter(t, h, observationsDrop); n != uint64(next-1500) {
		t.Errorf("%s = %d; want %d", observationsDrop, n, next-1500)
	}
}

func counter(t *testing.T, h *wasmhost.Host, name string) uint64 {
	t.Helper()
	n, ok := h.Counter(name)
	if !ok {
		t.Fatalf("no counter %s", name)
	}
	return n
}

// observationAllocsInEnvoyHost is TestObservationsDoNotAllocate in Envoy's
// host library: soaks of 1,500 and 5,500 requests from distinct origins,
// with a table of 3,000 entries, end at the same allocation count and
// linear memory, so the 1,500 more lines logged and 2,500 dropped in the
// longer soak allocated nothing.
func observationAllocsInEnvoyHost(t *testing.T) {
	metric := "wasmcustom." + allocMetric
	var requests []envoyhost.Request
	for i := range 6000 {
		requests = append(requests, observedRequest(i).harnessRequest())
	}
	opts := envoyHostOptions(t, writeModule(t, testmodule.AllocStatModule(t)), fmt.Appendf(nil, observeConfig, 3000))
	opts.NoReload = true
	var totals, memory [2]int64
	for i, n := range []int{1500, 5500} {
		s, err := envoyhost.Soak(context.Background(), opts, n, requests)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Problems() {
			t.Errorf("%d requests: %s", n, p)
		}
		total, ok := s.Metrics[metric]
		if !ok {
			t.Fatalf("no %s counter: is this the corswasm_allocstat build?", metric)
		}
		wantLogged, wantDropped := int64(min(n, 3000)), int64(max(n-3000, 0))
		if got := s.Metrics["wasmcustom."+observationsLogged]; got != wantLogged {
			t.Errorf("%d requests: %s = %d; want %d", n, observationsLogged, got, wantLogged)
		}
		if got := s.Metrics["wasmcustom."+observationsDrop]; got != wantDropped {
			t.Errorf("%d requests: %s = %d; want %d", n, observationsDrop, got, wantDropped)
		}
		totals[i], memory[i] = total, s.MemoryMax
		t.Logf("%d requests: %s = %d; linear memory %d → %d bytes", n, metric, total, s.MemoryStart, s.MemoryEnd)
	}
	if totals[0] != totals[1] {
		t.Errorf("1,500 requests made %d heap allocations, 5,500 requests %d", totals[0], totals[1])
	}
	if memory[0] != memory[1] {
		t.Errorf("linear memory reached %d bytes in 1,500 requests, %d in 5,500", memory[0], memory[1])
	}
}
