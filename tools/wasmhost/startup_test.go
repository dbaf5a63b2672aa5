//go:build !wasip1

package wasmhost

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// logModule adds a proxy_log import and returns a helper that builds
// "proxy_log(info, msg)" instructions.
func logModule(extra func(m *wasmModule)) (*wasmModule, func(msg string) []byte) {
	var logf uint32
	m := newFilterModule(func(m *wasmModule) {
		logf = m.importFunc("env", "proxy_log", sig(3, 1))
		if extra != nil {
			extra(m)
		}
	})
	return m, func(msg string) []byte {
		p, n := m.str(msg)
		return callDrop(logf, 2, int32(p), int32(n))
	}
}

func TestNewRejectsModulesEnvoyRejects(t *testing.T) {
	t.Parallel()
	upstream := &url.URL{Scheme: "http", Host: "127.0.0.1:1"}
	tests := []struct {
		desc    string
		module  func() []byte
		cfg     Config
		wantErr []string
	}{{
		desc: "no ABI version export",
		module: func() []byte {
			m := &wasmModule{}
			m.fn("malloc", sig(1, 1), i32c(4096))
			return m.bytes()
		},
		wantErr: []string{"missing or unknown proxy-wasm ABI version"},
	}, {
		desc: "no allocator",
		module: func() []byte {
			m := &wasmModule{}
			m.fn("proxy_abi_version_0_2_0", sig(0, 0))
			return m.bytes()
		},
		wantErr: []string{"exports neither malloc nor proxy_on_memory_allocate"},
	}, {
		desc: "no memory",
		module: func() []byte {
			m := newFilterModule(nil)
			m.noMem = true
			return m.bytes()
		},
		wantErr: []string{`exports no memory named "memory"`},
	}, {
		desc: "WASI import outside the envoy-1.33 profile",
		module: func() []byte {
			return newFilterModule(func(m *wasmModule) {
				m.importFunc("wasi_snapshot_preview1", "fd_filestat_get", sig(2, 1))
			}).bytes()
		},
		wantErr: []string{"module imports wasi_snapshot_preview1.fd_filestat_get, which the envoy-1.33 WASI profile does not provide"},
	}, {
		desc: "WASI import outside the current profile",
		module: func() []byte {
			return newFilterModule(func(m *wasmModule) {
				m.importFunc("wasi_snapshot_preview1", "path_filestat_get", sig(5, 1))
			}).bytes()
		},
		cfg:     Config{WASI: WASICurrent},
		wantErr: []string{"wasi_snapshot_preview1.path_filestat_get, which the current WASI profile does not provide"},
	}, {
		desc: "env import Envoy does not have",
		module: func() []byte {
			return newFilterModule(func(m *wasmModule) { m.importFunc("env", "proxy_teleport", sig(1, 1)) }).bytes()
		},
		wantErr: []string{"module imports env.proxy_teleport, which Envoy does not provide"},
	}, {
		desc: "import with the wrong signature",
		module: func() []byte {
			return newFilterModule(func(m *wasmModule) { m.importFunc("env", "proxy_log", sig(2, 1)) }).bytes()
		},
		wantErr: []string{"module imports env.proxy_log with signature (i32,i32) -> (i32); the host provides (i32,i32,i32) -> (i32)"},
	}, {
		desc: "callback with the wrong signature",
		module: func() []byte {
			m := newFilterModule(nil)
			m.fn("proxy_on_request_headers", sig(2, 1), i32c(0))
			return m.bytes()
		},
		wantErr: []string{"exports proxy_on_request_headers with signature (i32,i32) -> (i32)", "Bad function signature"},
	}, {
		desc: "host call during _initialize",
		module: func() []byte {
			var get uint32
			m := newFilterModule(func(m *wasmModule) { get = m.importFunc("env", "proxy_get_buffer_bytes", sig(5, 1)) })
			m.fn("_initialize", sig(0, 0), callDrop(get, 7, 0, 10, 100, 104))
			return m.bytes()
		},
		cfg:     Config{PluginConfig: []byte("{}")},
		wantErr: []string{"proxy_get_buffer_bytes called during _initialize: Envoy traps host calls other than logging and WASI before the VM starts"},
	}, {
		desc: "host call during main",
		module: func() []byte {
			var get uint32
			m := newFilterModule(func(m *wasmModule) { get = m.importFunc("env", "proxy_get_header_map_pairs", sig(3, 1)) })
			m.fn("_initialize", sig(0, 0))
			m.fn("main", sig(2, 1), callDrop(get, 0, 100, 104), i32c(0))
			return m.bytes()
		},
		wantErr: []string{"proxy_get_header_map_pairs called during main"},
	}, {
		desc: "WASI call Envoy 1.33 refuses during _initialize",
		module: func() []byte {
			var yield uint32
			m := newFilterModule(func(m *wasmModule) { yield = m.importFunc("wasi_snapshot_preview1", "sched_yield", sig(0, 1)) })
			m.fn("_initialize", sig(0, 0), call(yield), drop)
			return m.bytes()
		},
		wantErr: []string{"wasi_snapshot_preview1.sched_yield called during _initialize", "envoy-1.33 profile"},
	}, {
		desc: "proc_exit during _start",
		module: func() []byte {
			var exit uint32
			m := newFilterModule(func(m *wasmModule) { exit = m.importFunc("wasi_snapshot_preview1", "proc_exit", sig(1, 0)) })
			m.fn("_start", sig(0, 0), i32c(1), call(exit))
			return m.bytes()
		},
		wantErr: []string{"_start failed", "proc_exit called during _start"},
	}, {
		desc: "trap during _initialize",
		module: func() []byte {
			m := newFilterModule(nil)
			m.fn("_initialize", sig(0, 0), unreachable)
			return m.bytes()
		},
		wantErr: []string{"vm 0: _initialize failed", "unreachable"},
	}, {
		desc: "proxy_on_vm_start returns false",
		module: func() []byte {
			m := newFilterModule(nil)
			m.fn("proxy_on_vm_start", sig(2, 1), i32c(0))
			return m.bytes()
		},
		wantErr: []string{"proxy_on_vm_start returned false"},
	}, {
		desc: "proxy_on_configure returns false",
		module: func() []byte {
			m, logf := logModule(nil)
			m.fn("proxy_on_vm_start", sig(2, 1), logf("vm started"), i32c(1))
			m.fn("proxy_on_configure", sig(2, 1), logf("bad config: missing origins"), i32c(0))
			return m.bytes()
		},
		wantErr: []string{"proxy_on_configure returned false: Envoy rejects the plugin configuration", "vm started", "bad config: missing origins"},
	}, {
		desc: "allocator calls a host function Envoy refuses there",
		module: func() []byte {
			var get, yield uint32
			m := &wasmModule{}
			get = m.importFunc("env", "proxy_get_buffer_bytes", sig(5, 1))
			yield = m.importFunc("wasi_snapshot_preview1", "sched_yield", sig(0, 1))
			m.fn("proxy_abi_version_0_2_1", sig(0, 0))
			m.fn("proxy_on_memory_allocate", sig(1, 1), call(yield), drop, i32c(4096))
			m.fn("proxy_on_configure", sig(2, 1), callDrop(get, 7, 0, 100, 100, 104), i32c(1))
			return m.bytes()
		},
		cfg:     Config{PluginConfig: []byte(`{"x":1}`)},
		wantErr: []string{"proxy_on_configure failed", "wasi_snapshot_preview1.sched_yield called inside the module's allocator"},
	}, {
		desc:    "unknown WASI profile",
		module:  func() []byte { return newFilterModule(nil).bytes() },
		cfg:     Config{WASI: "envoy-1.20"},
		wantErr: []string{`unknown WASI profile "envoy-1.20"`},
	}, {
		desc:    "no upstream",
		module:  func() []byte { return newFilterModule(nil).bytes() },
		cfg:     Config{Upstream: &url.URL{}},
		wantErr: []string{"no upstream"},
	}, {
		desc:    "no module",
		module:  func() []byte { return nil },
		wantErr: []string{"no module"},
	}}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Module = tc.module()
			if cfg.Upstream == nil {
				cfg.Upstream = upstream
			}
			h, err := New(context.Background(), cfg)
			if err == nil {
				_ = h.Close(context.Background())
				t.Fatalf("New succeeded; want an error containing %q", tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New error:\n%v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

// TestStartupSequence proves Envoy's start-up order and arguments, what
// _initialize may call, and when the configurations are readable. A
// message's length carries a number: proxy_log(info, digits, n) logs the
// first n digits.
func TestStartupSequence(t *testing.T) {
	t.Parallel()
	var logf, get, write uint32
	m := newFilterModule(func(m *wasmModule) {
		logf = m.importFunc("env", "proxy_log", sig(3, 1))
		get = m.importFunc("env", "proxy_get_buffer_bytes", sig(5, 1))
		write = m.importFunc("wasi_snapshot_preview1", "fd_write", sig(4, 1))
	})
	log := func(msg string) []byte {
		p, n := m.str(msg)
		return callDrop(logf, 2, int32(p), int32(n))
	}
	digits, _ := m.str("0123456789abcdefghijklmnopqrstuvwxyz")
	logN := func(value []byte) []byte { // logs len(value) digits
		return append(append(append(i32c(2), i32c(int32(digits))...), value...), append(call(logf), drop...)...)
	}
	// logStatus logs as many digits as the status get_buffer_bytes returns.
	logStatus := func(buffer int32) []byte {
		return logN(append(i32c(buffer), append(i32c(0), append(i32c(100), append(i32c(200), append(i32c(204), call(get)...)...)...)...)...))
	}
	iov := m.iovec("stdout from _initialize\n")
	m.fn("_initialize", sig(0, 0), log("_initialize"), callDrop(write, 1, int32(iov), 1, 300))
	m.fn("main", sig(2, 1), log("main"), logN(localGet(0)), logN(localGet(1)), i32c(0))
	m.fn("proxy_on_context_create", sig(2, 0), log("context_create"), logN(localGet(0)), logN(localGet(1)))
	m.fn("proxy_on_vm_start", sig(2, 1), log("vm_start"), logN(localGet(1)), i32c(1))
	m.fn("proxy_on_configure", sig(2, 1), log("configure"), logN(localGet(1)),
		// Copy the plugin configuration (to 4096, see malloc) and log it.
		callDrop(get, 7, 0, 100, 200, 204), i32c(2), i32c(4096), localGet(1), call(logf), drop,
		i32c(1))
	m.fn("proxy_on_request_headers", sig(3, 1), log("request_headers"), logN(localGet(0)),
		logStatus(7), // plugin configuration: NotFound (1) outside configure
		logStatus(6), // VM configuration: readable, OK (0)
		i32c(0))
	m.fn("proxy_on_response_headers", sig(3, 1), log("response_headers"), i32c(0))
	m.fn("proxy_on_log", sig(1, 0), log("log"))
	m.fn("proxy_on_done", sig(1, 1), log("done"), i32c(1))
	m.fn("proxy_on_delete", sig(1, 0), log("delete"))

	h, srv := startHost(t, Config{Module: m.bytes(), VMs: 1, VMConfig: []byte("vmcfg"), PluginConfig: []byte(`{"k":"v"}`)})
	do(t, srv, "GET", "/", "")
	var got []string
	for _, l := range h.Logs() {
		if l.VM != 0 {
			t.Errorf("log line %q from VM %d; want VM 0", l.Message, l.VM)
		}
		got = append(got, l.Message)
	}
	want := []string{
		"_initialize", "stdout from _initialize",
		"main", "", "", // main(0, 0)
		"context_create", "0", "", // (root id 1, parent 0)
		"vm_start", "01234", // len("vmcfg")
		"configure", "012345678", `{"k":"v"}`,
		"context_create", "01", "0", // (stream id 2, root id 1)
		"request_headers", "01", "0", "",
		"response_headers", "log", "done", "delete",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log lines:\n%q\nwant:\n%q", got, want)
	}
}

// TestStartupAllowsWASIOnCurrentProfile shows the current profile's wider
// start-up allowance (proxy-wasm-cpp-host PR #533).
func TestStartupAllowsWASIOnCurrentProfile(t *testing.T) {
	t.Parallel()
	var yield uint32
	m := newFilterModule(func(m *wasmModule) { yield = m.importFunc("wasi_snapshot_preview1", "sched_yield", sig(0, 1)) })
	m.fn("_initialize", sig(0, 0), call(yield), drop)
	startHost(t, Config{Module: m.bytes(), WASI: WASICurrent, VMs: 1})
}
