//go:build !wasip1

package e2e

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// exchange is one case of the suite as data: a request, the response the
// upstream gives if the filter forwards it, and what the client must get.
// Every backend runs the same exchanges: over HTTP (the local host, or a
// real Envoy at E2E_TARGET) or through Envoy's host library (E2E_HOST=
// envoyhost), which takes headers rather than HTTP.
type exchange struct {
	desc   string
	config string // testdata/<config>.json

	// The request.
	method, path string
	authority    string   // :authority (the Host header); "" is the backend's own
	headers      []string // name, value pairs; a name may repeat (several lines)
	sameOrigin   bool     // also send Origin: the backend's own scheme://authority

	// upstream are the header name, value pairs the upstream adds to its
	// 200 response.
	upstream []string

	// What the client gets.
	status int
	by     answerer
	// access are the response's Access-Control-* headers, exactly: nil
	// means none.
	access map[string][]string
	// vary are the response's Vary values, split at commas, exactly: nil
	// means no Vary.
	vary []string
	// others are further response headers, exactly: a nil value means the
	// header is absent.
	others map[string][]string
	// emptyBody: the reply has no body (a local reply the filter built).
	emptyBody bool
	// counters are the corswasm counters this exchange moves, by one
	// each (without the "wasmcustom." prefix); every other stays put.
	counters []string
	// logs are texts the plugin logs during the exchange, where the
	// backend can see its log.
	logs []string
	// verdict is the filter state wasm.corswasm.verdict the stream leaves
	// (verdict_filter_state), where the backend can see it; "": the stream
	// sets no filter state at all.
	verdict string
}

// answerer says who answered a request.
type answerer int

const (
	_          answerer = iota // zero: a case that forgot to say
	byFilter                   // a local reply of the filter
	byUpstream                 // the upstream (through the filter)
)

// outcome is what a backend observed of one exchange: the response, and
// what else it could see (nil or -1 where it could not).
type outcome struct {
	reply
	fromUpstream bool
	// codec: the response went through an HTTP codec, which sets
	// content-length itself.
	codec bool
	// counters are the changes of the "wasmcustom.*" counters during the
	// exchange; nil if the backend cannot read them.
	counters map[string]int64
	// secondReplies counts local replies the filter asked for after the
	// first (which hang the stream in Envoy); -1 if not observable.
	secondReplies int
	// logs are the plugin's log lines during the exchange; nil if not
	// observable.
	logs []string
	// filterState is the filter state the stream left, by key; nil if not
	// observable.
	filterState map[string]string
	// problems are what the backend saw go wrong besides the response.
	problems []string
}

// exchangeTables are the suite's tables of exchanges, each run by a test of
// its own. Envoy's host library runs them all at once (exchangeInEnvoyHost).
var exchangeTables = []func() []exchange{
	preflightAllowed, preflightVariants, preflightRejected, preflightForwarded,
	actualRequests, varyMerging, upstreamCORSHeaders,
	rules, auditMode, isolationHeaders, rollouts,
}

// runExchanges runs the cases on the suite's backend, then checks each
// one in a subtest named after it.
func runExchanges(t *testing.T, cases []exchange) {
	t.Helper()
	var outcomes []outcome
	if backend == envoyhostBackend {
		outcomes = exchangeInEnvoyHost(t, cases)
	} else {
		outcomes = exchangeOverHTTP(t, cases)
	}
	for i, x := range cases {
		t.Run(x.desc, func(t *testing.T) { x.check(t, outcomes[i]) })
	}
}

// check compares what the client got with what the exchange wants.
func (x exchange) check(t *testing.T, o outcome) {
	t.Helper()
	for _, p := range o.problems {
		t.Error(p)
	}
	if o.status != x.status {
		t.Errorf("status %d; want %d", o.status, x.status)
	}
	switch x.by {
	case byFilter:
		if o.fromUpstream {
			t.Error("the upstream answered; want a local reply of the filter")
		}
	case byUpstream:
		if !o.fromUpstream {
			t.Error("the filter answered; want the upstream's answer")
		}
	default:
		t.Fatal("the case does not say who answers")
	}
	wantHeaders(t, o.reply, x.access)
	wantVary(t, o.reply, x.vary...)
	for _, name := range slices.Sorted(maps.Keys(x.others)) {
		if got := o.header.Values(name); !slices.Equal(got, x.others[name]) {
			t.Errorf("%s = %q; want %q", name, got, x.others[name])
		}
	}
	if x.emptyBody {
		wantEmptyBody(t, o)
	}
	if o.counters != nil {
		wantCounters(t, o.counters, x.counters)
	}
	if o.secondReplies > 0 {
		t.Errorf("the filter asked for %d more local replies after the first (a hung stream in Envoy)", o.secondReplies)
	}
	if o.filterState != nil {
		want := map[string]string{}
		if x.verdict != "" {
			want["wasm.corswasm.verdict"] = x.verdict
		}
		if !maps.Equal(o.filterState, want) {
			t.Errorf("filter state %q; want %q", o.filterState, want)
		}
	}
	if o.logs != nil {
		for _, want := range x.logs {
			if !slices.ContainsFunc(o.logs, func(l string) bool { return strings.Contains(l, want) }) {
				t.Errorf("no log line says %q; the plugin logged %q", want, o.logs)
			}
		}
	}
}

// wantEmptyBody checks a local reply without a body. Envoy's HTTP/1 codec
// then sends content-length: 0, except on a 204, which has none; without a
// codec (Envoy's host library alone) the filter must not have set one.
func wantEmptyBody(t *testing.T, o outcome) {
	t.Helper()
	if o.body != "" {
		t.Errorf("body %q; want none", o.body)
	}
	want := ""
	if o.codec && o.status != 204 {
		want = "0"
	}
	if got := o.header.Get("Content-Length"); got != want {
		t.Errorf("content-length %q; want %q", got, want)
	}
}

// wantCounters checks that the corswasm counters that moved are exactly
// want, by one each.
func wantCounters(t *testing.T, deltas map[string]int64, want []string) {
	t.Helper()
	wantDeltas := map[string]int64{}
	for _, name := range want {
		wantDeltas["wasmcustom."+name] = 1
	}
	got := map[string]int64{}
	for name, d := range deltas {
		if d != 0 && strings.HasPrefix(name, "wasmcustom.corswasm.") {
			got[name] = d
		}
	}
	if !maps.Equal(got, wantDeltas) {
		t.Errorf("counters moved by %v; want %v", got, wantDeltas)
	}
}
