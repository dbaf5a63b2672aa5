//go:build !wasip1

package e2e

import (
	"context"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// logPhaseSoakRounds is how many times the log-phase soak runs its mix:
// 15,000 rounds of 7 streams: 15,000 streams first seen at the log phase,
// and 15,000 with HTTP/3 deferred logging, whose context Envoy creates at
// the log phase and never deletes. Kept per stream, such a context would
// grow linear memory by megabytes.
const logPhaseSoakRounds = 15_000

// logPhaseAllocRounds are the lengths, in rounds of the mix, of the two
// soaks of the allocation-counting build: a module that kept a context per
// stream seen only at the log phase would grow its stream table, and so
// allocate, in the longer one.
var logPhaseAllocRounds = [2]int{500, 3_000}

// soakLogPhaseInEnvoyHost mixes normal streams with streams the filter
// first sees at the log phase, as Envoy makes them when an earlier filter
// answered the request, and with HTTP/3 deferred logging: Envoy creates the
// filter's context for the log callback, and in the second case never
// deletes it. The module
// must forget those streams itself: linear memory stays flat, its stream
// table does not grow (no allocation after warm-up), and such a stream
// changes no counter and no answer.
func soakLogPhaseInEnvoyHost(t *testing.T) {
	var requests []envoyhost.Request
	wantStatus := map[string]int64{}
	for _, k := range exampleSoakMix {
		requests = append(requests, harnessRequest(k.x))
		wantStatus[k.status] += logPhaseSoakRounds
	}
	for _, deferred := range []bool{false, true} {
		r := harnessRequest(exchange{method: "GET", path: "/items", headers: []string{"Origin", app}})
		r.Upstream.Status = 429 // what the earlier filter answered
		r.Unreached, r.DeferredLog = true, deferred
		requests = append(requests, r)
		wantStatus["429"] += logPhaseSoakRounds
	}
	n := logPhaseSoakRounds * len(requests)
	opts := envoyHostOptions(t, writeModule(t, testmodule.Module(t)), harnessRead(t, "envoy/cors.json"))
	opts.NoReload = true
	s, err := envoyhost.Soak(context.Background(), opts, n, requests)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d streams, %d contexts never deleted by the host; linear memory %d bytes at start, %d at most; samples %v",
		s.Runtime, s.Requests, s.ContextsNeverDeleted, s.MemoryStart, s.MemoryMax, s.MemorySamples)
	for _, p := range s.Problems() {
		t.Error(p)
	}
	if s.Requests != int64(n) {
		t.Errorf("requests %d; want %d", s.Requests, n)
	}
	if s.ContextsNeverDeleted != logPhaseSoakRounds {
		t.Errorf("the host left %d contexts undeleted; want %d: the soak does not make the streams it means to",
			s.ContextsNeverDeleted, logPhaseSoakRounds)
	}
	for status, want := range wantStatus {
		if got := s.StatusHistogram[status]; got != want {
			t.Errorf("status %s: %d streams; want %d", status, got, want)
		}
	}
	if got := s.Metrics["wasmcustom.corswasm.non_cors"]; got != logPhaseSoakRounds {
		t.Errorf("corswasm.non_cors = %d; want %d: a stream seen only at the log phase counted", got, logPhaseSoakRounds)
	}
	if g := s.MemoryGrowth(); g > envoyHostMemoryFlat {
		t.Errorf("linear memory grew by %d bytes from its start-up size %d (samples %v); want at most %d",
			g, s.MemoryStart, s.MemorySamples, envoyHostMemoryFlat)
	}

	// The stream table: the allocation-counting build serves the same mix
	// in a short and a long soak and must end at the same count, as a table
	// holding the contexts the host never deletes would grow (each growth
	// allocates) with the streams.
	opts.Module = writeModule(t, testmodule.AllocStatModule(t))
	var totals [2]int64
	for i, rounds := range logPhaseAllocRounds {
		s, err := envoyhost.Soak(context.Background(), opts, rounds*len(requests), requests)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Problems() {
			t.Errorf("allocation-counting build, %d rounds: %s", rounds, p)
		}
		total, ok := s.Metrics["wasmcustom."+allocMetric]
		if !ok {
			t.Fatalf("no %s counter: is this the corswasm_allocstat build?", allocMetric)
		}
		totals[i] = total
		t.Logf("%s: allocation-counting build, %d streams: %s = %d, %d contexts never deleted", s.Runtime, s.Requests, allocMetric, total, s.ContextsNeverDeleted)
	}
	if totals[0] != totals[1] {
		t.Errorf("%d rounds of the mix made %d heap allocations, %d rounds %d: streams seen only at the log phase allocate",
			logPhaseAllocRounds[0], totals[0], logPhaseAllocRounds[1], totals[1])
	}
}
