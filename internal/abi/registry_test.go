package abi

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// fakes builds a VM context whose plugin and HTTP contexts record every call
// in events and panic in the methods named in panics.
type fakes struct {
	events []string
	// panics maps a method name ("OnVMStart", "NewHttpContext", ...) to the
	// value that method panics with. "nil-deref" makes it dereference a nil
	// pointer instead, to check that runtime errors are recovered too.
	panics map[string]any
	// noPlugin makes NewPluginContext return nil; noHTTP makes
	// NewHttpContext return nil.
	noPlugin, noHTTP bool
	// requestAction is what OnHttpRequestHeaders returns, so a test can tell
	// a dispatched call (ActionPause) from the Continue of a no-op.
	requestAction types.Action
	// pluginDone is what OnPluginDone returns.
	pluginDone bool
	// quiet drops events, for the long-running memory test.
	quiet bool
}

// contextCount reports how many plugin and HTTP contexts are registered, so
// tests can check that deleted contexts are really forgotten.
func (r *registry) contextCount() int {
	return len(r.plugins) + r.streams.len()
}

func (f *fakes) record(format string, args ...any) {
	if f.quiet {
		return
	}
	f.events = append(f.events, fmt.Sprintf(format, args...))
}

var nilPointer *struct{ n int }

func (f *fakes) maybePanic(method string) {
	v, ok := f.panics[method]
	if !ok {
		return
	}
	if v == "nil-deref" {
		nilPointer.n++
	}
	panic(v)
}

type fakeVM struct{ f *fakes }

func (v fakeVM) OnVMStart(size int) types.OnVMStartStatus {
	v.f.maybePanic("OnVMStart")
	v.f.record("vm start %d", size)
	return types.OnVMStartStatusOK
}

func (v fakeVM) NewPluginContext(id uint32) types.PluginContext {
	v.f.maybePanic("NewPluginContext")
	v.f.record("new plugin %d", id)
	if v.f.noPlugin {
		return nil
	}
	return &fakePlugin{f: v.f, id: id}
}

type fakePlugin struct {
	f  *fakes
	id uint32
}

func (p *fakePlugin) OnPluginStart(size int) types.OnPluginStartStatus {
	p.f.maybePanic("OnPluginStart")
	p.f.record("plugin %d start %d", p.id, size)
	return types.OnPluginStartStatusOK
}

func (p *fakePlugin) OnPluginDone() bool {
	p.f.maybePanic("OnPluginDone")
	p.f.record("plugin %d done", p.id)
	return p.f.pluginDone
}

func (p *fakePlugin) OnQueueReady(uint32)                   { p.f.record("unexpected OnQueueReady") }
func (p *fakePlugin) OnTick()                               { p.f.record("unexpected OnTick") }
func (p *fakePlugin) NewTcpContext(uint32) types.TcpContext { return nil }

func (p *fakePlugin) NewHttpContext(id uint32) types.HttpContext {
	p.f.maybePanic("NewHttpContext")
	p.f.record("plugin %d new http %d", p.id, id)
	if p.f.noHTTP {
		return nil
	}
	return &fakeHTTP{f: p.f, id: id}
}

type fakeHTTP struct {
	types.DefaultHttpContext
	f  *fakes
	id uint32
}

func (h *fakeHTTP) OnHttpRequestHeaders(n int, eos bool) types.Action {
	h.f.maybePanic("OnHttpRequestHeaders")
	h.f.record("http %d request headers %d %t", h.id, n, eos)
	return h.f.requestAction
}

func (h *fakeHTTP) OnHttpResponseHeaders(n int, eos bool) types.Action {
	h.f.maybePanic("OnHttpResponseHeaders")
	h.f.record("http %d response headers %d %t", h.id, n, eos)
	return types.ActionPause
}

func (h *fakeHTTP) OnHttpStreamDone() {
	h.f.maybePanic("OnHttpStreamDone")
	h.f.record("http %d stream done", h.id)
}

// RecycleHttpContext makes fakePlugin an HttpContextRecycler.
func (p *fakePlugin) RecycleHttpContext(h types.HttpContext) {
	p.f.maybePanic("RecycleHttpContext")
	p.f.record("http %d deleted", h.(*fakeHTTP).id)
}

// logLine is one message a registry reported.
type logLine struct {
	level LogLevel
	msg   string
}

// newTestRegistry returns a registry over f whose reports are collected in
// the returned slice instead of the package-level hook.
func newTestRegistry(f *fakes) (*registry, *[]logLine) {
	r := newRegistry(fakeVM{f})
	var logs []logLine
	r.log = func(l LogLevel, m string) { logs = append(logs, logLine{l, m}) }
	return r, &logs
}

func TestLifecycleDispatch(t *testing.T) {
	t.Parallel()
	f := &fakes{requestAction: types.ActionPause, pluginDone: false}
	r, logs := newTestRegistry(f)

	r.contextCreate(1, 0)
	if !r.vmStart(11) {
		t.Fatal("vmStart = false, want true")
	}
	if !r.configure(1, 22) {
		t.Fatal("configure = false, want true")
	}
	r.contextCreate(2, 1)
	r.contextCreate(3, 1)
	if got := r.contextCount(); got != 3 {
		t.Fatalf("contextCount = %d after creating 1 plugin and 2 streams, want 3", got)
	}
	if got := r.requestHeaders(2, 4, false); got != types.ActionPause {
		t.Errorf("requestHeaders = %v, want the context's ActionPause", got)
	}
	if got := r.responseHeaders(2, 5, true); got != types.ActionPause {
		t.Errorf("responseHeaders = %v, want the context's ActionPause", got)
	}
	r.streamDone(2)
	if !r.done(2) {
		t.Error("done(stream) = false, want true")
	}
	r.forget(2)
	if got := r.contextCount(); got != 2 {
		t.Fatalf("contextCount = %d after deleting one stream, want 2", got)
	}
	// The deleted stream is gone: callbacks on it are no-ops.
	if got := r.requestHeaders(2, 1, true); got != types.ActionContinue {
		t.Errorf("requestHeaders on a deleted stream = %v, want Continue", got)
	}
	// The other stream is untouched.
	r.streamDone(3)
	r.forget(3)
	if r.done(1) {
		t.Error("done(plugin) = true, want the plugin's false")
	}
	r.forget(1)
	if got := r.contextCount(); got != 0 {
		t.Fatalf("contextCount = %d after deleting everything, want 0", got)
	}
	// A new stream on the deleted plugin cannot be created.
	r.contextCreate(4, 1)
	if got := r.contextCount(); got != 0 {
		t.Fatalf("contextCount = %d after creating a stream of a deleted plugin, want 0", got)
	}

	want := []string{
		"new plugin 1",
		"vm start 11",
		"plugin 1 start 22",
		"plugin 1 new http 2",
		"plugin 1 new http 3",
		"http 2 request headers 4 false",
		"http 2 response headers 5 true",
		"http 2 stream done",
		"http 2 deleted",
		"http 3 stream done",
		"http 3 deleted",
		"plugin 1 done",
	}
	if !slices.Equal(f.events, want) {
		t.Errorf("events:\n got %q\nwant %q", f.events, want)
	}
	if len(*logs) != 0 {
		t.Errorf("unexpected reports: %v", *logs)
	}
}

// Envoy creates a context at the log phase for a stream the filter never
// saw, and with HTTP/3 deferred logging after it deleted the stream's
// context, and deletes neither: the log callback forgets the stream, once.
func TestLogPhaseStreamsAreForgotten(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		calls func(r *registry)
		want  []string
	}{
		{"a normal stream", func(r *registry) {
			r.contextCreate(2, 1)
			r.requestHeaders(2, 4, true)
			r.responseHeaders(2, 5, true)
			r.streamDone(2)
			r.done(2)
			r.forget(2)
		}, []string{"plugin 1 new http 2", "http 2 request headers 4 true", "http 2 response headers 5 true", "http 2 stream done", "http 2 deleted"}},
		{"a stream first seen at the log phase", func(r *registry) {
			r.contextCreate(2, 1)
			r.streamDone(2)
		}, []string{"plugin 1 new http 2", "http 2 stream done", "http 2 deleted"}},
		{"deferred logging", func(r *registry) {
			r.contextCreate(2, 1)
			r.requestHeaders(2, 4, true)
			r.responseHeaders(2, 5, true)
			r.done(2)
			r.forget(2)
			r.contextCreate(2, 1)
			r.streamDone(2)
		}, []string{"plugin 1 new http 2", "http 2 request headers 4 true", "http 2 response headers 5 true", "http 2 deleted",
			"plugin 1 new http 2", "http 2 stream done", "http 2 deleted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakes{requestAction: types.ActionPause, pluginDone: true}
			r, logs := newTestRegistry(f)
			r.contextCreate(1, 0)
			tc.calls(r)
			if got := r.contextCount(); got != 1 {
				t.Errorf("contextCount = %d, want 1 (the plugin): the stream's context is kept", got)
			}
			if !slices.Equal(f.events[1:], tc.want) {
				t.Errorf("events:\n got %q\nwant %q", f.events[1:], tc.want)
			}
			if len(*logs) != 0 {
				t.Errorf("unexpected reports: %v", *logs)
			}
		})
	}
}

func TestVMStartIgnoresRootID(t *testing.T) {
	t.Parallel()
	// proxytest's wasm wrapper creates the root context under id 1 and then
	// calls proxy_on_vm_start with root id 0; vm start must still run.
	f := &fakes{}
	r, _ := newTestRegistry(f)
	r.contextCreate(1, 0)
	if !r.vmStart(0) {
		t.Fatal("vmStart = false, want true")
	}
	if !slices.Contains(f.events, "vm start 0") {
		t.Fatalf("OnVMStart not called; events %q", f.events)
	}
}

func TestUnknownIDsAreNoOps(t *testing.T) {
	t.Parallel()
	// Each case starts from a registry holding plugin 1 and stream 2 and
	// must neither call any context nor change what is registered.
	tests := []struct {
		name string
		call func(r *registry) any
		want any
	}{
		{"request headers unknown id", func(r *registry) any { return r.requestHeaders(99, 1, true) }, types.ActionContinue},
		{"request headers on plugin id", func(r *registry) any { return r.requestHeaders(1, 1, true) }, types.ActionContinue},
		{"response headers unknown id", func(r *registry) any { return r.responseHeaders(99, 1, true) }, types.ActionContinue},
		{"response headers on plugin id", func(r *registry) any { return r.responseHeaders(1, 1, true) }, types.ActionContinue},
		{"configure unknown id", func(r *registry) any { return r.configure(99, 1) }, false},
		{"configure on stream id", func(r *registry) any { return r.configure(2, 1) }, false},
		{"log unknown id", func(r *registry) any { r.streamDone(99); return nil }, nil},
		{"log on plugin id", func(r *registry) any { r.streamDone(1); return nil }, nil},
		{"done unknown id", func(r *registry) any { return r.done(99) }, true},
		{"delete unknown id", func(r *registry) any { r.forget(99); return nil }, nil},
		{"create with unknown parent", func(r *registry) any { r.contextCreate(3, 99); return nil }, nil},
		{"create with a stream as parent", func(r *registry) any { r.contextCreate(3, 2); return nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakes{requestAction: types.ActionPause}
			r, logs := newTestRegistry(f)
			r.contextCreate(1, 0)
			r.contextCreate(2, 1)
			before := len(f.events)

			if got := tt.call(r); got != tt.want {
				t.Errorf("result = %v, want %v", got, tt.want)
			}
			if extra := f.events[before:]; len(extra) != 0 {
				t.Errorf("contexts were called: %q", extra)
			}
			if got := r.contextCount(); got != 2 {
				t.Errorf("contextCount = %d, want 2", got)
			}
			if len(*logs) != 0 {
				t.Errorf("unexpected reports: %v", *logs)
			}
		})
	}
}

func TestContextsThatAreNotCreated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		f         *fakes
		vm        bool
		wantCount int
		wantLog   bool
	}{
		{name: "nil plugin context", f: &fakes{noPlugin: true}, vm: true, wantCount: 0},
		{name: "nil http context", f: &fakes{noHTTP: true}, vm: true, wantCount: 1},
		{name: "no VM context", f: &fakes{}, vm: false, wantCount: 0, wantLog: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, logs := newTestRegistry(tt.f)
			if !tt.vm {
				r.vm = nil
			}
			r.contextCreate(1, 0)
			r.contextCreate(2, 1)
			if got := r.contextCount(); got != tt.wantCount {
				t.Errorf("contextCount = %d, want %d", got, tt.wantCount)
			}
			if got := r.requestHeaders(2, 1, false); got != types.ActionContinue {
				t.Errorf("requestHeaders = %v, want Continue", got)
			}
			if got := r.configure(1, 0); got != (tt.wantCount > 0) {
				t.Errorf("configure = %t with %d contexts", got, tt.wantCount)
			}
			if !tt.vm && r.vmStart(0) {
				t.Error("vmStart without a VM context = true, want false")
			}
			if gotLog := len(*logs) > 0; gotLog != tt.wantLog {
				t.Errorf("reports = %v, want some: %t", *logs, tt.wantLog)
			}
		})
	}
}

// TestGlobalRegistry exercises the package-level entry points the wasm
// exports use; it replaces global state, so it does not run in parallel.
func TestGlobalRegistry(t *testing.T) {
	savedGlobal, savedHook := global, logHook
	t.Cleanup(func() { global, logHook = savedGlobal, savedHook })

	var logs []logLine
	logHook = func(l LogLevel, m string) { logs = append(logs, logLine{l, m}) }

	f := &fakes{requestAction: types.ActionPause, panics: map[string]any{"OnHttpResponseHeaders": "boom-global"}}
	SetVMContext(fakeVM{f})
	global.contextCreate(1, 0)
	global.contextCreate(2, 1)
	if got := global.requestHeaders(2, 1, true); got != types.ActionPause {
		t.Errorf("requestHeaders = %v, want the context's ActionPause", got)
	}
	if got := global.responseHeaders(2, 1, true); got != types.ActionContinue {
		t.Errorf("responseHeaders after a panic = %v, want Continue", got)
	}
	if len(logs) != 1 || logs[0].level != LogLevelCritical || !strings.Contains(logs[0].msg, "boom-global") {
		t.Errorf("package log hook got %v, want one critical report of the panic", logs)
	}

	// Installing a VM context again starts from an empty registry.
	SetVMContext(fakeVM{&fakes{}})
	if got := global.contextCount(); got != 0 {
		t.Errorf("contextCount after SetVMContext = %d, want 0", got)
	}
}

// TestManyStreamsKeepMemoryFlat runs a million stream lifecycles, with a
// few dozen streams open at a time as under real traffic, and checks that
// nothing is retained per request: every context is forgotten and the live
// heap does not grow.
func TestManyStreamsKeepMemoryFlat(t *testing.T) {
	const (
		cycles   = 1_000_000
		inFlight = 64
		maxGrow  = 8 << 20
	)
	// Events would grow with every call; this test is about the registry.
	f := &fakes{pluginDone: true, quiet: true}
	r, logs := newTestRegistry(f)
	r.contextCreate(1, 0)

	heapInuse := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}

	run := func(from, to uint32) {
		for id := from; id < to; id++ {
			r.contextCreate(id, 1)
			r.requestHeaders(id, 3, false)
			r.responseHeaders(id, 3, true)
			if old := id - inFlight; old >= from {
				r.streamDone(old)
				r.done(old)
				r.forget(old)
			}
		}
		for id := max(from, to-inFlight); id < to; id++ {
			r.streamDone(id)
			r.done(id)
			r.forget(id)
		}
	}

	// Warm up so the map and the runtime reach their steady-state size
	// before the baseline is taken.
	run(2, 2+10_000)
	before := heapInuse()
	run(20_000, 20_000+cycles)
	after := heapInuse()

	if got := r.contextCount(); got != 1 {
		t.Fatalf("contextCount = %d after all streams were deleted, want 1 (the plugin)", got)
	}
	if after > before+maxGrow {
		t.Fatalf("heap in use grew from %d to %d bytes over %d streams (limit %d)", before, after, cycles, maxGrow)
	}
	if len(*logs) != 0 {
		t.Fatalf("unexpected reports: %v", (*logs)[:1])
	}
	t.Logf("heap in use: %d -> %d bytes over %d streams", before, after, cycles)
}
