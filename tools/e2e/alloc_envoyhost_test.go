//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testheaders"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// The two soaks of the allocation proof in Envoy's host library. Their
// difference, 200,000 requests, is some 8,700 rounds of allocMix and lasts
// several seconds, so audit mode's once-a-second report of suppressed lines
// runs in the long soak and not in the short one.
const (
	allocSoakShort = 3_000
	allocSoakLong  = 203_000
)

// allocsInEnvoyHost is TestRequestsDoNotAllocate in Envoy's host library:
// the allocation-counting build serves allocMix in two soaks of different
// lengths, and its counter must end at the same total in both, its linear
// memory at the same size: what the module allocates at start-up and while
// warming up is the same in both, and any allocation per request would add
// to the longer one. A run in
// request mode then shows which request allocates, if one does, and that
// the counter sees a request's allocation there too.
func allocsInEnvoyHost(t *testing.T) {
	metric := "wasmcustom." + allocMetric
	var requests []envoyhost.Request
	for i, a := range allocMix {
		r := a.harnessRequest()
		r.Name = fmt.Sprintf("allocMix[%d], %s", i, r.Name)
		requests = append(requests, r)
	}
	opts := envoyHostOptions(t, writeModule(t, testmodule.AllocStatModule(t)), []byte(allocConfig))
	opts.NoReload = true
	var totals, memory [2]int64
	for i, n := range []int{allocSoakShort, allocSoakLong} {
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
		totals[i], memory[i] = total, s.MemoryMax
		t.Logf("%s: %d requests: %s = %d; %.0f ns/request; linear memory %d → %d bytes", s.Runtime, n, metric, total, s.NsPerRequest, s.MemoryStart, s.MemoryEnd)
	}
	if totals[0] != totals[1] {
		t.Errorf("%d requests made %d heap allocations, %d requests %d: %d allocations in %d requests, after warm-up",
			allocSoakShort, totals[0], allocSoakLong, totals[1], totals[1]-totals[0], allocSoakLong-allocSoakShort)
	}
	if memory[0] != memory[1] {
		t.Errorf("linear memory reached %d bytes in %d requests, %d in %d", memory[0], allocSoakShort, memory[1], allocSoakLong)
	}

	// Request mode: a stream's delta of the counter is what it allocated.
	// The mix's second pass (buffers have grown to what it needs in the
	// first) allocates nothing; a request asking the test build to
	// allocate is counted.
	withAlloc := append(append(requests, requests...), allocMix[3].harnessRequest(testheaders.AllocHeader+": 64"))
	run := runInEnvoyHost(t, opts.Module, opts.Config, withAlloc)
	for _, s := range run.Streams[len(requests) : 2*len(requests)] {
		if n := s.MetricsDelta[metric]; n != 0 {
			t.Errorf("%s, after warm-up: %d heap allocations", s.Name, n)
		}
	}
	if last := run.Streams[len(withAlloc)-1]; last.MetricsDelta[metric] < 1 {
		t.Errorf("a request that allocates: %s moved by %d; want at least 1", metric, last.MetricsDelta[metric])
	}
}

// harnessRequest is the request as Envoy's host library takes it. The
// header lines go in as they are: the harness keeps repeated lines of an
// inline header apart (Envoy and the local host join them), which reaches
// the filter's paths for repeated Origin and Access-Control-Request-Headers
// lines.
func (a allocRequest) harnessRequest(extra ...string) envoyhost.Request {
	u := a.absURL()
	r := envoyhost.Request{
		Name:       a.method + " " + a.target,
		Headers:    []envoyhost.Header{{":method", a.method}, {":path", u.RequestURI()}, {":authority", u.Host}, {":scheme", u.Scheme}},
		Upstream:   &envoyhost.Response{Status: 200},
		Properties: allocProperties(u),
	}
	for _, kv := range a.lines(extra...) {
		r.Headers = append(r.Headers, envoyhost.Header(kv))
	}
	for _, kv := range allocUpstreamHeaders(u) {
		r.Upstream.Headers = append(r.Upstream.Headers, envoyhost.Header(kv))
	}
	return r
}
