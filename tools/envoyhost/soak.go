//go:build !wasip1

package envoyhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// SoakResult is the summary of a soak (the harness's --loop mode): N
// streams on one worker VM, round-robin over the requests, each outcome
// compared with the first pass of the same request.
type SoakResult struct {
	Startup  Startup `json:"-"`
	CppHost  string  `json:"cpphost"`
	Runtime  string  `json:"runtime"`
	Requests int64   `json:"requests"`
	// DistinctRequests is the number of request lines cycled through.
	DistinctRequests int `json:"distinct_requests"`
	// Failures are VM failures, each followed by a reload of the worker VM
	// (counted in Reloads), or with a FailurePolicy the streams that failed
	// (e.g. every 503 after a failure under FailClosed); FailureExamples
	// the first five.
	Failures        int64    `json:"failures"`
	FailureExamples []string `json:"failure_examples"`
	PolicyCounts
	// Mismatches counts streams whose outcome (status, local reply,
	// callback statuses, response and forwarded headers) differs from the
	// first pass of the same request; FirstMismatch describes the first.
	Mismatches      int64            `json:"mismatches_vs_first_pass"`
	FirstMismatch   string           `json:"first_mismatch"`
	LocalReplies    int64            `json:"local_replies"`
	Paused          int64            `json:"paused"`
	StatusHistogram map[string]int64 `json:"status_histogram"` // status → streams
	// NsPerRequest is the wall time of the loop divided by Requests (the
	// engine's timings: Wasmtime 3.0.2 or V8 10.2, neither the runtime of a
	// given Envoy release); WallSeconds the whole loop.
	NsPerRequest float64 `json:"ns_per_request"`
	WallSeconds  float64 `json:"wall_s"`
	// The worker VM's linear memory in bytes: before the first stream,
	// after the last, the largest seen, and 20 samples taken every
	// Requests/20 streams.
	MemoryStart   int64          `json:"memory_bytes_start"`
	MemoryEnd     int64          `json:"memory_bytes_end"`
	MemoryMax     int64          `json:"memory_bytes_max"`
	MemorySamples []MemorySample `json:"memory_samples"`
	// LogCounts counts the plugin's log lines by level since start-up;
	// Notable keeps the first 50 error and critical lines, Go runtime
	// crashes and host errors.
	LogCounts      map[string]int64 `json:"log_counts"`
	HostErrorCount int64            `json:"host_error_count"`
	Notable        []string         `json:"notable"`
	Metrics        map[string]int64 `json:"metrics"`
	// ContextsNeverDeleted counts the streams whose context the host
	// created without ever deleting it (see Request.DeferredLog).
	ContextsNeverDeleted int64 `json:"contexts_never_deleted"`
	HostCalls
}

// MemorySample is the linear memory after a number of streams.
type MemorySample struct {
	After int64 // streams run
	Bytes int64
}

// UnmarshalJSON reads the harness's [iteration, bytes] pair.
func (m *MemorySample) UnmarshalJSON(data []byte) error {
	var pair []int64
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("a memory sample is [iteration, bytes]; got %d elements", len(pair))
	}
	m.After, m.Bytes = pair[0], pair[1]
	return nil
}

// Soak runs loop streams through the module, cycling through requests, and
// returns the harness's summary. Failures and mismatches are in the result,
// not errors.
func Soak(ctx context.Context, opts Options, loop int, requests []Request) (SoakResult, error) {
	var out SoakResult
	if loop <= 0 || len(requests) == 0 {
		return out, errors.New("envoyhost: a soak needs a positive number of streams and at least one request")
	}
	var got bool
	err := invoke(ctx, opts, []string{"--loop", strconv.Itoa(loop)}, requests, func(event string, line []byte) error {
		if event != "soak" {
			return nil
		}
		got = true
		return json.Unmarshal(line, &out)
	}, &out.Startup)
	if err == nil && !got {
		err = errors.New("envoyhost: the harness printed no soak summary")
	}
	return out, err
}

// MemoryGrowth returns how much the worker VM's linear memory grew during
// the soak: from its size before the first stream to the largest seen. A
// module that allocates nothing per request stays at its start-up size; a
// leak, or a Go heap that grows to a working size, shows as growth.
func (s SoakResult) MemoryGrowth() int64 { return s.MemoryMax - s.MemoryStart }

// Problems lists what makes a soak unclean, whatever the module: VM
// failures, streams that differ from the first pass of the same request,
// host calls V8 would refuse, host errors, lines the plugin logged at error
// or critical level or that show a Go runtime crash (Notable). Nil: none of
// them.
func (s SoakResult) Problems() []string {
	var p []string
	if s.Failures != 0 {
		p = append(p, fmt.Sprintf("%d VM failures (%d reloads), the first: %q", s.Failures, s.Reloads, s.FailureExamples))
	}
	if s.Mismatches != 0 {
		p = append(p, fmt.Sprintf("%d streams differ from the first pass of the same request; the first: %s", s.Mismatches, s.FirstMismatch))
	}
	if len(s.RestrictedViolations) != 0 {
		p = append(p, fmt.Sprintf("host calls V8 would refuse: %v", s.RestrictedViolations))
	}
	if s.HostErrorCount != 0 || s.LogCounts["error"] != 0 || s.LogCounts["critical"] != 0 || len(s.Notable) != 0 {
		p = append(p, fmt.Sprintf("%d host errors, %d lines logged at error and %d at critical level; notable: %q",
			s.HostErrorCount, s.LogCounts["error"], s.LogCounts["critical"], s.Notable))
	}
	return p
}
