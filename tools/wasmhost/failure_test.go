//go:build !wasip1

package wasmhost

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingUpstream counts the requests that reach it.
func countingUpstream(t *testing.T, hits *atomic.Int32) Config {
	return Config{Upstream: newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("from upstream"))
	})}
}

// trappingModule logs "request", then runs trap(exit) in
// proxy_on_request_headers, where exit is proc_exit's function index.
func trappingModule(trap func(exit uint32) []byte) []byte {
	var exit uint32
	m, logf := logModule(func(m *wasmModule) {
		exit = m.importFunc("wasi_snapshot_preview1", "proc_exit", sig(1, 0))
	})
	m.fn("proxy_on_request_headers", sig(3, 1), logf("request"), trap(exit), i32c(0))
	return m.bytes()
}

func TestTrapFailsTheVM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc     string
		trap     func(exit uint32) []byte
		failOpen bool
		wantLog  string
	}{
		{"unreachable, fail closed", func(uint32) []byte { return unreachable }, false, "unreachable"},
		{"unreachable, fail open", func(uint32) []byte { return unreachable }, true, "unreachable"},
		{"proc_exit, fail closed", func(exit uint32) []byte { return append(i32c(3), call(exit)...) }, false, "proc_exit(3) called"},
		{"proc_exit, fail open", func(exit uint32) []byte { return append(i32c(3), call(exit)...) }, true, "proc_exit(3) called"},
		{"out-of-bounds memory access", func(uint32) []byte {
			// i32.load at 0x7ffffff0 (one page of memory)
			return append(i32c(0x7ffffff0), 0x28, 0x02, 0x00, 0x1a)
		}, false, "out of bounds memory access"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			cfg := countingUpstream(t, &hits)
			cfg.Module, cfg.VMs, cfg.FailOpen = trappingModule(tc.trap), 1, tc.failOpen
			h, srv := startHost(t, cfg)
			for i := range 3 {
				resp, body := do(t, srv, "GET", "/", "")
				switch {
				case tc.failOpen && (resp.StatusCode != 200 || body != "from upstream"):
					t.Errorf("request %d: got %d %q; want the upstream's 200 (fail open)", i, resp.StatusCode, body)
				case !tc.failOpen && (resp.StatusCode != 503 || body != "" || resp.Header.Get("Content-Length") != "0"):
					t.Errorf("request %d: got %d %q content-length %q; want Envoy's fail-closed 503 with no body", i, resp.StatusCode, body, resp.Header.Get("Content-Length"))
				}
			}
			if want := map[bool]int32{true: 3, false: 0}[tc.failOpen]; hits.Load() != want {
				t.Errorf("upstream got %d requests; want %d", hits.Load(), want)
			}
			var calls, failures int
			for _, l := range h.Logs() {
				if l.Message == "request" {
					calls++
				}
				if l.Source == SourceHost && strings.Contains(l.Message, "wasm VM failed") {
					failures++
					if !strings.Contains(l.Message, tc.wantLog) || !strings.Contains(l.Message, "proxy_on_request_headers failed") || l.Level != LevelCritical {
						t.Errorf("failure log %q (%s); want critical, naming the callback and %q", l.Message, l.Level, tc.wantLog)
					}
				}
			}
			if calls != 1 || failures != 1 {
				t.Errorf("the module ran %d times and failed %d times; want once each (a failed VM never runs again)", calls, failures)
			}
		})
	}
}

// TestFailedVMOnlyAffectsItsRequests runs two VMs of which one fails: the
// other keeps serving.
func TestFailedVMOnlyAffectsItsRequests(t *testing.T) {
	t.Parallel()
	var get uint32
	m := newFilterModule(func(m *wasmModule) { get = m.importFunc("env", "proxy_get_header_map_value", sig(5, 1)) })
	key, n := m.str("x-crash")
	// Trap when x-crash is present: the status (0 = found) selects the
	// branch.
	body := append(append(i32c(0), i32c(int32(key))...), i32c(int32(n))...)
	body = append(body, i32c(100)...)
	body = append(body, i32c(104)...)
	body = append(body, call(get)...)
	body = append(body, 0x45)             // i32.eqz: found?
	body = append(body, 0x04, 0x40, 0x00) // if (no result) unreachable
	body = append(body, 0x0b)             // end
	m.fn("proxy_on_request_headers", sig(3, 1), body, i32c(0))
	h, srv := startHost(t, Config{Module: m.bytes(), VMs: 2})
	if resp, _ := do(t, srv, "GET", "/", "", "X-Crash: 1"); resp.StatusCode != 503 {
		t.Fatalf("crashing request: got %d; want 503", resp.StatusCode)
	}
	statuses := map[int]int{}
	for range 4 {
		resp, _ := do(t, srv, "GET", "/", "")
		statuses[resp.StatusCode]++
	}
	// The pool alternates between the VMs: half the requests meet the
	// failed one.
	if statuses[200] != 2 || statuses[503] != 2 {
		t.Errorf("statuses %v; want 2×200 from the healthy VM and 2×503 from the failed one", statuses)
	}
	if !logsContain(h, "vm ", "wasm VM failed", "proxy_on_request_headers failed") {
		t.Error("no log line about the failed VM")
	}
}

// TestAllocatorRestrictionPerProfile: poll_oneoff inside the allocator traps
// on envoy-1.33 and is allowed on current (proxy-wasm-cpp-host PR #533).
func TestAllocatorRestrictionPerProfile(t *testing.T) {
	t.Parallel()
	build := func() []byte {
		m := &wasmModule{}
		pairs := m.importFunc("env", "proxy_get_header_map_pairs", sig(3, 1))
		poll := m.importFunc("wasi_snapshot_preview1", "poll_oneoff", sig(4, 1))
		m.fn("proxy_abi_version_0_2_1", sig(0, 0))
		m.fn("malloc", sig(1, 1), callDrop(poll, 200, 300, 1, 400), i32c(4096))
		m.fn("proxy_on_request_headers", sig(3, 1), callDrop(pairs, 0, 100, 104), i32c(0))
		return m.bytes()
	}
	for _, tc := range []struct {
		profile    string
		wantStatus int
	}{{WASIEnvoy133, 503}, {WASICurrent, 200}} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			h, srv := startHost(t, Config{Module: build(), WASI: tc.profile, VMs: 1})
			if resp, _ := do(t, srv, "GET", "/", ""); resp.StatusCode != tc.wantStatus {
				t.Errorf("got %d; want %d", resp.StatusCode, tc.wantStatus)
			}
			failed := logsContain(h, "wasi_snapshot_preview1.poll_oneoff called inside the module's allocator")
			if failed != (tc.wantStatus == 503) {
				t.Errorf("allocator failure logged: %v; want %v", failed, tc.wantStatus == 503)
			}
		})
	}
}

// TestPollOneoffProfiles checks poll_oneoff's answer per profile with a
// hand-written module: errno 52 (ENOSYS) on envoy-1.33, 0 on current.
func TestPollOneoffProfiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile string
		want    string // the errno as a number of digits logged
	}{{WASIEnvoy133, strings.Repeat("x", 52)}, {WASICurrent, ""}} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			var logf, poll uint32
			m := newFilterModule(func(m *wasmModule) {
				logf = m.importFunc("env", "proxy_log", sig(3, 1))
				poll = m.importFunc("wasi_snapshot_preview1", "poll_oneoff", sig(4, 1))
			})
			xs, _ := m.str(strings.Repeat("x", 64))
			body := append(append(i32c(2), i32c(int32(xs))...), callPoll(poll)...)
			m.fn("proxy_on_vm_start", sig(2, 1), body, call(logf), drop, i32c(1))
			h, _ := startHost(t, Config{Module: m.bytes(), WASI: tc.profile, VMs: 1})
			if logs := h.Logs(); len(logs) != 1 || logs[0].Message != tc.want {
				t.Errorf("logs %v; want one line of %d characters", logs, len(tc.want))
			}
		})
	}
}

// callPoll calls poll_oneoff(in=200, out=300, 1 subscription, nevents=400)
// and leaves the errno on the stack.
func callPoll(poll uint32) []byte {
	b := append(i32c(200), i32c(300)...)
	b = append(b, i32c(1)...)
	b = append(b, i32c(400)...)
	return append(b, call(poll)...)
}
