//go:build !wasip1

package wasmhost

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
)

// TestGoSleepNeedsPollOneoff reproduces the poll_oneoff hazard: a Go module
// whose export sleeps dies with "poll_oneoff failed" on envoy-1.33 (ENOSYS)
// and works on current.
//
// The runtime calls poll_oneoff only if the sleep has not ended by the time
// the scheduler looks for work: a 1 ms sleep on a loaded machine sometimes
// has, and then the module never calls it. On envoy-1.33 the module sleeps an
// hour, which cannot end first (the crash ends it at once); on current, where
// poll_oneoff returns at once and the runtime polls until the sleep is over,
// it sleeps 1 ms.
func TestGoSleepNeedsPollOneoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile    string
		sleep      string
		wantStatus int
	}{{WASIEnvoy133, "1h", 503}, {WASICurrent, "1ms", 200}} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			h, srv := startHost(t, Config{Module: testFilter(t), WASI: tc.profile, VMs: 1})
			resp, _ := do(t, srv, "GET", "/", "", "X-Test-Sleep: "+tc.sleep)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("got %d; want %d", resp.StatusCode, tc.wantStatus)
			}
			crashed := logsContain(h, "wasm VM failed", "proxy_on_request_headers failed", "fatal error: poll_oneoff failed")
			if crashed != (tc.wantStatus == 503) {
				t.Errorf("poll_oneoff crash logged: %v; want %v", crashed, tc.wantStatus == 503)
				dumpLogs(t, h)
			}
		})
	}
}

// TestGoPanicFailsTheVM: a Go panic prints to stderr and ends in a trap
// (unreachable). On envoy-1.33 the runtime's panic path itself needs
// poll_oneoff (freezetheworld sleeps), so the module dies with "panic during
// panic" before it can print the panic.
func TestGoPanicFailsTheVM(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile  string
		wantLogs []string
	}{
		{WASICurrent, []string{"wasm error: unreachable", "panic: boom"}},
		{WASIEnvoy133, []string{"fatal error: wasi_snapshot_preview1.poll_oneoff", "panic during panic"}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			h, srv := startHost(t, Config{Module: testFilter(t), WASI: tc.profile, VMs: 1})
			if resp, _ := do(t, srv, "GET", "/", "", "X-Test-Panic: 1"); resp.StatusCode != 503 {
				t.Errorf("got %d; want 503", resp.StatusCode)
			}
			if !logsContain(h, append([]string{"wasm VM failed"}, tc.wantLogs...)...) {
				t.Errorf("no failure log with %q", tc.wantLogs)
				dumpLogs(t, h)
			}
			var stderr bool
			for _, l := range h.Logs() {
				stderr = stderr || (l.Source == SourceStderr && l.Level == LevelError && l.Message == tc.wantLogs[1])
			}
			if !stderr {
				t.Errorf("%q is not logged as a stderr line at error level", tc.wantLogs[1])
			}
		})
	}
}

func TestLogCapture(t *testing.T) {
	t.Parallel()
	var mirror syncBuffer
	h, _ := startHost(t, Config{Module: testFilter(t), PluginConfig: []byte(`{"origins":["*"]}`), LogOutput: &mirror})
	type key struct {
		vm     int
		level  Level
		source string
		msg    string
	}
	got := map[key]bool{}
	for _, l := range h.Logs() {
		got[key{l.VM, l.Level, l.Source, l.Message}] = true
	}
	for vm := range 2 {
		for _, want := range []key{
			{vm, LevelInfo, SourceProxyLog, `configured: {"origins":["*"]}`},
			{vm, LevelInfo, SourceStdout, "stdout line from configure"},
		} {
			if !got[want] {
				t.Errorf("no log line %+v in %v", want, h.Logs())
			}
		}
	}
	if !strings.Contains(mirror.String(), `[vm1][info][wasm] wasm log: configured: {"origins":["*"]}`) {
		t.Errorf("LogOutput got:\n%s\nwant the configure line of vm1 in Envoy's format", mirror.String())
	}
}

func TestConfigureFailureQuotesPluginLog(t *testing.T) {
	t.Parallel()
	_, err := New(context.Background(), Config{Module: testFilter(t), PluginConfig: []byte("fail"), Upstream: newUpstream(t, nil)})
	if err == nil || !strings.Contains(err.Error(), "proxy_on_configure returned false") || !strings.Contains(err.Error(), "invalid configuration: fail") {
		t.Errorf("New error %v; want the configure failure with the plugin's log line", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the host's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFailOpenMidRequest: when the VM fails in a later callback, fail-open
// still delivers what the upstream would have had without the filter.
func TestFailOpenMidRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc       string
		failOpen   bool
		line       string
		wantStatus int
		wantBody   string // substring
	}{
		{"request body, fail closed", false, "X-Test-Panic-Request-Body: 1", 503, ""},
		{"request body, fail open", true, "X-Test-Panic-Request-Body: 1", 200, `"body":"original body"`},
		{"response headers, fail closed", false, "X-Test-Panic-Response: 1", 503, ""},
		// The request phase ran (the upstream got the upper-cased body); the
		// response passes unfiltered (its JSON keys stay lower-case).
		{"response headers, fail open", true, "X-Test-Panic-Response: 1", 200, `"body":"ORIGINAL BODY"`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			h, srv := startHost(t, Config{Module: testFilter(t), WASI: WASICurrent, VMs: 1, FailOpen: tc.failOpen})
			resp, body := do(t, srv, "POST", "/", "original body", tc.line, "X-Test-Upper: 1")
			if resp.StatusCode != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Errorf("got %d %q; want %d with %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if resp.Header.Get("X-Test-Response-Map") != "" {
				t.Error("the response carries headers of the failed plugin")
			}
			if !logsContain(h, "wasm VM failed") {
				t.Error("the failure is not logged")
			}
		})
	}
}

// TestPauseWithoutLocalReplyContinues: nothing could resume a paused
// stream here, so the host continues and warns once per VM.
func TestPauseWithoutLocalReplyContinues(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t), VMs: 1})
	for range 2 {
		if resp, _ := do(t, srv, "GET", "/", "", "X-Test-Pause: 1"); resp.StatusCode != 200 {
			t.Errorf("got %d; want 200", resp.StatusCode)
		}
	}
	warnings := 0
	for _, l := range h.Logs() {
		if strings.Contains(l.Message, "proxy_on_request_headers returned action 1 (pause) without a local reply") {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d pause warnings; want 1", warnings)
	}
}

// TestEmptyHeaderValue: an empty value comes back as size 0 without a call
// to the allocator (testfilter's allocator would panic on 0), and an added
// empty header reaches the upstream.
func TestEmptyHeaderValue(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	_, body := do(t, srv, "GET", "/", "", "X-Test-Add:")
	if !strings.Contains(body, `"X-Added":[""]`) {
		t.Errorf("upstream saw %s; want X-Added with an empty value", body)
	}
}
