package filter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// What recording observations costs: no change to any answer, no
// allocation.

// Recording never changes an answer: every response is the same with
// observations on and off.
func TestObservationsChangeNoResponse(t *testing.T) {
	reqs := [][2][][2]string{
		{request("OPTIONS", "/billing/a", "origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "content-type"),
			[][2]string{{":status", "204"}, {"access-control-allow-origin", app}, {"vary", "Origin"}}},
		{request("OPTIONS", "/billing/a", "origin", evil, "access-control-request-method", "PATCH"), [][2]string{{":status", "403"}}},
		{request("GET", "/billing/a", "origin", app), upstreamResponse("access-control-allow-origin", "*", "access-control-max-age", "5")},
		{request("GET", "/billing/a", "origin", "null\n"), upstreamResponse("access-control-allow-origin", "null\n")},
		{request("GET", "/billing/a"), upstreamResponse()},
		{request("GET", "/a", "origin", app), upstreamResponse()},
		{request("OPTIONS", "/a", "origin", evil, "access-control-request-method", "PUT"), upstreamResponse()},
	}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		// One emulator at a time: each run in its own subtest.
		run := func(obs string) (out []exchange) {
			t.Run("audit_observations "+obs, func(t *testing.T) {
				host := startHost(t, vm, observeCfg(obs))
				for range 2 {
					for _, r := range reqs {
						out = append(out, roundTrip(t, host, r[0], r[1]))
					}
				}
				if obs != `{"max_entries": 0}` && counterValue(t, host, MetricAuditObservationsDropped) == 0 {
					t.Errorf("%s = 0; want the table full, to compare that path too", MetricAuditObservationsDropped)
				}
			})
			return out
		}
		on, off := run(`{"max_entries": 3}`), run(`{"max_entries": 0}`)
		if len(on) != len(off) || len(on) == 0 {
			t.Fatalf("%d and %d exchanges", len(on), len(off))
		}
		for i := range on {
			x, y := on[i], off[i]
			if x.requestAction != y.requestAction || !equalHeaders(x.response, y.response) || (x.local == nil) != (y.local == nil) ||
				x.local != nil && (x.local.StatusCode != y.local.StatusCode || !equalHeaders(x.local.Headers, y.local.Headers)) {
				t.Errorf("exchange %d: with observations %+v; without %+v", i, x, y)
			}
		}
	})
}

// Building an observation and finding it in the table allocates nothing,
// whether it is new, seen or dropped (logging is the host's: natively the
// emulator copies the line, so it is left out here; the module's proof is
// the e2e allocation test).
func TestObservationDoesNotAllocate(t *testing.T) {
	pol, err := engine.Load([]byte(observeCfg(`{"max_entries": 150}`)))
	if err != nil {
		t.Fatal(err)
	}
	o := newObserver(pol.Observations(), pol.RuleNames())
	origins := make([]string, 400)
	for i := range origins {
		origins[i] = fmt.Sprintf("https://o%d.example", i)
	}
	a := &auditState{path: "/billing/a/b", host: "api.example.com"}
	a.req = engine.Request{Method: "OPTIONS", Origins: a.origins[:1], RequestMethod: "PUT",
		RequestHeaders: []string{"content-type", "x-request-id"}, Scheme: "https", Authority: a.host, Path: a.path}
	a.origins[0] = app
	pol.Evaluate(&a.req, &a.d)
	u := &engine.UpstreamAnswer{Status: 204}
	pairs := []headermap.Pair{{Name: ":status", Value: "204"}, {Name: "access-control-allow-origin", Value: app},
		{Name: "vary", Value: "Origin"}, {Name: "access-control-max-age", Value: "5"}}
	i := 0
	n := testing.AllocsPerRun(300, func() {
		a.origins[0] = origins[i%len(origins)]
		i++
		o.record(a, u, pairs)
	})
	if n != 0 {
		t.Errorf("an observation allocates %v times; want 0", n)
	}
	if o.n != 150 {
		t.Errorf("%d observations in the table; want it full (150)", o.n)
	}
}

// Joining Access-Control-Request-Headers lines stays within the space the
// observer allocated, whatever their lengths.
func TestObservationJoinKeepsItsSpace(t *testing.T) {
	pol, err := engine.Load([]byte(observeCfg("")))
	if err != nil {
		t.Fatal(err)
	}
	o := newObserver(pol.Observations(), pol.RuleNames())
	space := cap(o.joined)
	for _, lines := range [][]string{
		{strings.Repeat("a", maxObservedValue+1), "b"}, {strings.Repeat("a", maxObservedValue), "b", "c"},
		{strings.Repeat("a", 10*maxObservedValue)}, {"", "", strings.Repeat("a", maxObservedValue-1), "bc"},
	} {
		a := &auditState{path: "/billing/", host: "h"}
		a.req = engine.Request{Method: "OPTIONS", Origins: []string{app}, RequestMethod: "PUT", RequestHeaders: lines}
		pol.Evaluate(&a.req, &a.d)
		b := o.appendObservation(nil, a, &engine.UpstreamAnswer{}, nil)
		if cap(o.joined) != space {
			t.Errorf("lines of %d bytes: the join space grew from %d to %d", len(strings.Join(lines, ",")), space, cap(o.joined))
		}
		if !strings.Contains(string(b), `"request_headers"`) || !strings.Contains(string(b), `"cut":["request_headers"]`) {
			t.Errorf("lines of %d bytes: %s; want request_headers cut", len(strings.Join(lines, ",")), b)
		}
	}
}
