//go:build !wasip1

package e2e

import (
	"context"
	"maps"
	"testing"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// envoyHostSoakRequests is the length of the soak in Envoy's host library:
// about 7 µs a request there, so some 10 seconds.
const envoyHostSoakRequests = 1_000_000

// envoyHostSoakGrowth bounds the growth of linear memory after the warm-up
// (the first tenth of the soak). Today the Go heap reaches its working size
// within some 25,000 requests (5.0 MiB at start, about 9.2 MiB then) and
// then grows by a page (64 KiB) at most; 512 KiB is 8 pages, and a leak of a
// single byte per request would grow memory by 879 KiB over the 900,000
// requests after the warm-up.
const envoyHostSoakGrowth = 512 << 10

// soakInEnvoyHost runs a million mixed requests (allowed, refused, not
// CORS, audited) through one worker VM of Envoy's host library, whose
// poll_oneoff fails with ENOSYS as Envoy 1.33's does and where restricted
// calls trap: no stream may fail or differ from the first pass of the same
// request, the Go runtime must never call poll_oneoff, and memory must stay
// flat once warm.
func soakInEnvoyHost(t *testing.T) {
	type kind struct {
		x      exchange
		status string   // the status the client gets
		moves  []string // the counters it moves
	}
	mix := []kind{
		{exchange{method: "OPTIONS", path: "/a", headers: []string{"Origin", www, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"}},
			"204", []string{"corswasm.preflight.allowed"}},
		{exchange{method: "OPTIONS", path: "/b", headers: []string{"Origin", evil, "Access-Control-Request-Method", "PUT"}},
			"403", []string{"corswasm.preflight.rejected"}},
		{exchange{method: "GET", path: "/c?id=1", headers: []string{"Origin", www}, upstream: []string{"vary", "Accept-Encoding"}},
			"200", []string{"corswasm.actual.allowed"}},
		{exchange{method: "POST", path: "/d", headers: []string{"Origin", evil}},
			"200", []string{"corswasm.actual.disallowed"}},
		{exchange{method: "GET", path: "/e"},
			"200", []string{"corswasm.non_cors"}},
		{exchange{method: "GET", path: "/billing/f", headers: []string{"Origin", www}, upstream: []string{"access-control-allow-origin", www}},
			"200", []string{"corswasm.audit.agreements", "corswasm.audit.rule.legacy-billing.agreements"}},
		{exchange{method: "GET", path: "/billing/g", headers: []string{"Origin", www}},
			"200", []string{"corswasm.audit.disagreements.actual_origin", "corswasm.audit.rule.legacy-billing.disagreements"}},
		{exchange{method: "OPTIONS", path: "/partner/h", authority: partnerHost, headers: []string{"Origin", www, "Access-Control-Request-Method", "PUT"}},
			"403", []string{"corswasm.preflight.rejected"}},
	}
	per := int64(envoyHostSoakRequests / len(mix))
	var requests []envoyhost.Request
	wantStatus, wantCounters := map[string]int64{}, map[string]int64{"wasmcustom.corswasm.panics": 0}
	for _, k := range mix {
		requests = append(requests, harnessRequest(k.x))
		wantStatus[k.status] += per
		for _, c := range k.moves {
			wantCounters["wasmcustom."+c] += per
		}
	}
	opts := envoyHostOptions(t, writeModule(t, testmodule.Module(t)), readConfig(t, "edge"))
	opts.NoReload = true // a failure ends the soak rather than reloading the VM for every stream
	s, err := envoyhost.Soak(context.Background(), opts, envoyHostSoakRequests, requests)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests in %.1f s: %.0f ns/request; linear memory %d bytes at start, %d at the end, %d at most; samples %v",
		s.Requests, s.WallSeconds, s.NsPerRequest, s.MemoryStart, s.MemoryEnd, s.MemoryMax, s.MemorySamples)

	if s.Requests != envoyHostSoakRequests || s.Failures != 0 || s.Reloads != 0 || s.Paused != 0 {
		t.Errorf("requests %d, VM failures %d (%q), reloads %d, paused %d; want %d requests and none of the rest",
			s.Requests, s.Failures, s.FailureExamples, s.Reloads, s.Paused, envoyHostSoakRequests)
	}
	if s.Mismatches != 0 {
		t.Errorf("%d streams differ from the first pass of the same request; the first: %s", s.Mismatches, s.FirstMismatch)
	}
	if !maps.Equal(s.StatusHistogram, wantStatus) {
		t.Errorf("statuses %v; want %v", s.StatusHistogram, wantStatus)
	}
	for name, want := range wantCounters {
		if got := s.Metrics[name]; got != want {
			t.Errorf("%s = %d; want %d", name, got, want)
		}
	}
	if n, ok := s.Hostcalls["wasi_snapshot_preview1.poll_oneoff"]; ok {
		t.Errorf("the module called poll_oneoff %d times: on Envoy 1.33 to 1.38 it fails, and the Go runtime dies of it", n)
	}
	if len(s.RestrictedViolations) != 0 {
		t.Errorf("restricted calls %v", s.RestrictedViolations)
	}
	if len(s.Notable) != 0 || s.HostErrorCount != 0 || s.LogCounts["error"] != 0 || s.LogCounts["critical"] != 0 {
		t.Errorf("host errors %d, log lines at error %d and critical %d; notable: %q",
			s.HostErrorCount, s.LogCounts["error"], s.LogCounts["critical"], s.Notable)
	}
	growth, err := s.MemoryGrowthAfter(envoyHostSoakRequests / 10)
	if err != nil {
		t.Fatal(err)
	}
	if growth > envoyHostSoakGrowth {
		t.Errorf("linear memory grew by %d bytes after the warm-up (%v); want at most %d", growth, s.MemorySamples, envoyHostSoakGrowth)
	}
}
