//go:build !wasip1

package envoyhost

import (
	"context"
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

func TestMemoryGrowthAfter(t *testing.T) {
	samples := []MemorySample{{100, 8 << 20}, {200, 9 << 20}, {300, 9 << 20}, {400, 9<<20 + 64<<10}}
	for _, tc := range []struct {
		desc   string
		warmup int64
		max    int64
		want   int64
	}{
		{"flat after warm-up", 200, 9 << 20, 0},
		{"a page after warm-up", 200, 9<<20 + 64<<10, 64 << 10},
		{"warm-up counted when the first sample is taken", 50, 9<<20 + 64<<10, 1<<20 + 64<<10},
		{"warm-up between samples", 150, 9 << 20, 0},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			s := SoakResult{Requests: 400, MemorySamples: samples, MemoryMax: tc.max}
			got, err := s.MemoryGrowthAfter(tc.warmup)
			if err != nil || got != tc.want {
				t.Errorf("MemoryGrowthAfter(%d) = %d, %v; want %d", tc.warmup, got, err, tc.want)
			}
		})
	}
	if _, err := (SoakResult{Requests: 400, MemorySamples: samples}).MemoryGrowthAfter(401); err == nil {
		t.Error("no error for a warm-up longer than the soak")
	}
}
