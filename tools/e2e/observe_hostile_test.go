//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// Observations of a hostile client and upstream through the compiled
// module: every value made of bytes needing \u00XX escapes and longer than
// a line shows, every observed answer header on more lines than a line
// lists. The lines are valid JSON, and recording them, logged or dropped,
// allocates nothing once warm.

// hostileValue escapes to 300 bytes: more than an observation shows.
var hostileValue = strings.Repeat("\x01\x7f", 25)

// observedAnswerHeaders are the answer headers an observation lists.
var observedAnswerHeaders = []string{"access-control-allow-origin", "access-control-allow-credentials",
	"access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers",
	"access-control-max-age", "access-control-allow-private-network", "vary"}

// hostileObservedRequest is the i-th hostile audited request, from its own
// origin: a preflight for odd i, an actual request for even i. Each is as
// long as the others of its kind, so that a warm-up meets the longest.
func hostileObservedRequest(i int) allocRequest {
	var q []string
	for _, name := range observedAnswerHeaders {
		for range 9 {
			q = append(q, "h="+url.QueryEscape(name+":"+hostileValue))
		}
	}
	r := allocRequest{"GET", "/legacy/x?" + strings.Join(q, "&"),
		[]string{"Origin: " + fmt.Sprintf("https://o%04d.obs.example.com", i) + hostileValue}}
	if i%2 == 1 {
		r.method = "OPTIONS"
		r.headers = append(r.headers, "Access-Control-Request-Method: "+hostileValue,
			"Access-Control-Request-Headers: "+hostileValue, "Access-Control-Request-Headers: "+hostileValue,
			"Access-Control-Request-Private-Network: true")
	}
	return r
}

func TestHostileObservationsDoNotAllocate(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("needs the in-process host and the test build")
	case envoyhostBackend:
		hostileObservationAllocsInEnvoyHost(t)
		return
	}
	h := localObserveHost(t, testmodule.AllocStatModule(t), 300)
	next := 0
	send := func(n int) {
		for range n {
			hostileObservedRequest(next).send(t, h)
			next++
		}
	}
	send(100) // the warm-up: buffers grow to the hostile requests' sizes
	for _, phase := range []string{"new lines logged", "the table full: dropped"} {
		before, memBefore := counter(t, h, allocMetric), guestMemory(t, h)
		send(200)
		if after := counter(t, h, allocMetric); after != before {
			t.Errorf("%s: 200 hostile requests made %d heap allocations; want 0", phase, after-before)
		}
		if memAfter := guestMemory(t, h); memAfter[0] != memBefore[0] {
			t.Errorf("%s: linear memory grew from %d to %d bytes", phase, memBefore[0], memAfter[0])
		}
	}
	lines := observationLines(t, h) // each one JSON object, or the test fails
	if len(lines) != 300 || counter(t, h, observationsLogged) != 300 || counter(t, h, observationsDrop) != 200 {
		t.Errorf("%d lines, %d logged, %d dropped; want 300, 300, 200", len(lines), counter(t, h, observationsLogged), counter(t, h, observationsDrop))
	}
	for _, o := range lines[:2] {
		if cut, _ := o["cut"].([]any); len(cut) < 9 {
			t.Errorf("cut %v; want the origin, the method and every answer header", cut)
		}
	}
}

// hostileObservationAllocsInEnvoyHost is TestHostileObservationsDoNotAllocate
// in Envoy's host library: soaks of 200 and 500 hostile requests, with a
// table of 300 entries, end at the same allocation count and linear memory.
func hostileObservationAllocsInEnvoyHost(t *testing.T) {
	metric := "wasmcustom." + allocMetric
	var requests []envoyhost.Request
	for i := range 500 {
		requests = append(requests, hostileObservedRequest(i).harnessRequest())
	}
	opts := envoyHostOptions(t, writeModule(t, testmodule.AllocStatModule(t)), fmt.Appendf(nil, observeConfig, 300))
	opts.NoReload = true
	var totals, memory [2]int64
	for i, n := range []int{200, 500} {
		s, err := envoyhost.Soak(context.Background(), opts, n, requests)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Problems() {
			t.Errorf("%d requests: %s", n, p)
		}
		wantLogged, wantDropped := int64(min(n, 300)), int64(max(n-300, 0))
		if got := s.Metrics["wasmcustom."+observationsLogged]; got != wantLogged {
			t.Errorf("%d requests: %s = %d; want %d", n, observationsLogged, got, wantLogged)
		}
		if got := s.Metrics["wasmcustom."+observationsDrop]; got != wantDropped {
			t.Errorf("%d requests: %s = %d; want %d", n, observationsDrop, got, wantDropped)
		}
		totals[i], memory[i] = s.Metrics[metric], s.MemoryMax
	}
	if totals[0] != totals[1] {
		t.Errorf("200 hostile requests made %d heap allocations, 500 requests %d", totals[0], totals[1])
	}
	if memory[0] != memory[1] {
		t.Errorf("linear memory reached %d bytes in 200 hostile requests, %d in 500", memory[0], memory[1])
	}
}
