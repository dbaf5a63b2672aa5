//go:build !wasip1

package envoyhost

import (
	"context"
	"strings"
	"testing"
)

// Soak passes --loop and reads the summary.
func TestSoakReadsSummary(t *testing.T) {
	s, err := Soak(context.Background(), fake(t, "serve"), 1000, []Request{{Name: "a"}, {Name: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 1000 || s.DistinctRequests != 2 || s.NsPerRequest != 6997.6 {
		t.Errorf("requests %d, distinct %d, ns/request %v; want 1000, 2, 6997.6", s.Requests, s.DistinctRequests, s.NsPerRequest)
	}
	if len(s.MemorySamples) != 2 || s.MemorySamples[1] != (MemorySample{1000, 9306112}) || s.MemoryMax != 9306112 {
		t.Errorf("memory: samples %v, max %d", s.MemorySamples, s.MemoryMax)
	}
	if s.Hostcalls["env.proxy_log"] != 2 || !s.Startup.OK {
		t.Errorf("hostcalls %v, startup %+v", s.Hostcalls, s.Startup)
	}
	if s.Metrics["wasmcustom.requests"] != 1000 {
		t.Errorf("metrics %v; want wasmcustom.requests 1000", s.Metrics)
	}
}

func TestSoakNeedsStreamsAndRequests(t *testing.T) {
	opts := fake(t, "serve")
	if _, err := Soak(context.Background(), opts, 0, []Request{{}}); err == nil {
		t.Error("no error for 0 streams")
	}
	if _, err := Soak(context.Background(), opts, 10, nil); err == nil {
		t.Error("no error without requests")
	}
}

// Growth counts from the start-up size, warm-up included.
func TestMemoryGrowth(t *testing.T) {
	for _, tc := range []struct {
		desc       string
		start, max int64
		want       int64
	}{
		{"flat", 4608 << 10, 4608 << 10, 0},
		{"a page", 4608 << 10, 4672 << 10, 64 << 10},
		{"a heap that grows to its working size", 5 << 20, 9 << 20, 4 << 20},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			s := SoakResult{MemoryStart: tc.start, MemoryEnd: tc.max, MemoryMax: tc.max}
			if got := s.MemoryGrowth(); got != tc.want {
				t.Errorf("MemoryGrowth() = %d; want %d", got, tc.want)
			}
		})
	}
}

// Each kind of trouble is a problem that says what happened; a clean soak
// has none.
func TestSoakProblems(t *testing.T) {
	clean := SoakResult{Requests: 1000, LogCounts: map[string]int64{"info": 2, "debug": 500}, HostCalls: HostCalls{RestrictedViolations: map[string]int64{}}}
	if p := clean.Problems(); p != nil {
		t.Errorf("a clean soak: problems %q", p)
	}
	for _, tc := range []struct {
		desc  string
		spoil func(*SoakResult)
		want  string
	}{
		{"a VM failure", func(s *SoakResult) { s.Failures, s.Reloads, s.FailureExamples = 1, 1, []string{"wasm trap"} }, "1 VM failures (1 reloads), the first: [\"wasm trap\"]"},
		{"a mismatch", func(s *SoakResult) { s.Mismatches, s.FirstMismatch = 3, "request 2: status 403, first 204" }, "3 streams differ from the first pass of the same request; the first: request 2: status 403, first 204"},
		{"a restricted call", func(s *SoakResult) { s.RestrictedViolations = map[string]int64{"env.proxy_log during _initialize": 1} }, "env.proxy_log during _initialize:1"},
		{"a host error", func(s *SoakResult) { s.HostErrorCount = 2 }, "2 host errors"},
		{"an error line", func(s *SoakResult) { s.LogCounts = map[string]int64{"error": 1} }, "1 lines logged at error"},
		{"a critical line", func(s *SoakResult) { s.LogCounts = map[string]int64{"critical": 4} }, "4 at critical level"},
		{"a Go runtime crash", func(s *SoakResult) { s.Notable = []string{"log: fatal error: out of memory"} }, "fatal error: out of memory"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			s := clean
			tc.spoil(&s)
			p := s.Problems()
			if len(p) != 1 || !strings.Contains(p[0], tc.want) {
				t.Errorf("problems %q; want one saying %q", p, tc.want)
			}
		})
	}
}
