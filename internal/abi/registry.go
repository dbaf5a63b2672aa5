package abi

import (
	"runtime"
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// registry maps the host's context ids to the contexts created for them.
// Entries are removed on proxy_on_log or proxy_on_delete, whichever comes
// first, so its size follows the number of
// live streams rather than the number of requests ever served; with a steady
// number of live streams, creating and deleting them allocates nothing here.
type registry struct {
	vm      types.VMContext
	plugins pluginList
	streams streamTable
	// log receives recovered-panic reports; nil means the package-level
	// logHook. Tests set it per registry so they can run in parallel.
	log func(LogLevel, string)
	// httpRecovers is set when vm is a RecoveringHttpContexts.
	httpRecovers bool
}

func newRegistry(vm types.VMContext) *registry {
	_, recovers := vm.(RecoveringHttpContexts)
	return &registry{vm: vm, httpRecovers: recovers}
}

// pluginList holds the plugin (root) contexts: a VM has one per plugin
// configuration, so a short list is quicker to search than a map.
type pluginList []pluginEntry

type pluginEntry struct {
	id uint32
	p  types.PluginContext
	// recycler is p if it is an HttpContextRecycler (asserted once here,
	// not once per stream).
	recycler HttpContextRecycler
}

// entry returns the entry of id, or nil. A pointer, not a copy of the 40-byte
// pluginEntry (see "What costs in the module" in doc.go): a stream's creation
// looks its plugin up.
func (l pluginList) entry(id uint32) *pluginEntry {
	for i := range l {
		if l[i].id == id {
			return &l[i]
		}
	}
	return nil
}

func (l pluginList) get(id uint32) (types.PluginContext, bool) {
	if e := l.entry(id); e != nil {
		return e.p, true
	}
	return nil, false
}

func (l *pluginList) put(id uint32, p types.PluginContext) {
	rec, _ := p.(HttpContextRecycler)
	for i, e := range *l {
		if e.id == id {
			(*l)[i] = pluginEntry{id, p, rec}
			return
		}
	}
	*l = append(*l, pluginEntry{id, p, rec})
}

func (l *pluginList) remove(id uint32) {
	for i, e := range *l {
		if e.id == id {
			n := len(*l)
			copy((*l)[i:], (*l)[i+1:])
			(*l)[n-1] = pluginEntry{}
			*l = (*l)[:n-1]
			return
		}
	}
}

// global is the registry the exported callbacks dispatch to. wasm runs one
// thread and the filter starts no goroutines, so it needs no lock.
var global = newRegistry(nil)

// logHook writes a recovered-panic report. The wasip1 build points it at
// proxy_log; natively it stays nil (reports are dropped) unless a test sets
// it.
var logHook func(LogLevel, string)

// SetVMContext installs the VM context every later callback dispatches to
// and forgets any contexts created before. It is meant to be called once,
// from main's init(); it makes no host call, because Envoy traps every host
// call other than logging while the module's _initialize runs.
func SetVMContext(vm types.VMContext) {
	global = newRegistry(vm)
}

// contextCreate handles proxy_on_context_create. Parent 0 is the host asking
// for a root (plugin) context; any other parent is an HTTP stream of that
// plugin. A context that cannot be created (no VM context, unknown parent,
// nil context, a panic) is simply not registered: every later callback on
// its id is then a no-op that lets traffic continue.
func (r *registry) contextCreate(id, parent uint32) {
	defer r.recoverVoid("proxy_on_context_create", id)
	if parent == 0 {
		if r.vm == nil {
			r.report(LogLevelCritical, func() string {
				return "proxy_on_context_create: no VM context set; call abi.SetVMContext from init()"
			})
			return
		}
		if p := r.vm.NewPluginContext(id); p != nil {
			r.plugins.put(id, p)
		}
		return
	}
	e := r.plugins.entry(parent)
	if e == nil {
		return
	}
	// Read before the plugin's code runs: e points into the plugin list.
	p, recycler := e.p, e.recycler
	if h := p.NewHttpContext(id); h != nil {
		r.streams.put(id, h, recycler)
	}
}

// vmStart handles proxy_on_vm_start. The root id is deliberately ignored:
// Envoy passes the root context's id, but the SDK's proxytest wasm wrapper
// passes 0 after having created the root context under another id.
func (r *registry) vmStart(vmConfigSize int) (ok bool) {
	if r.vm == nil {
		r.report(LogLevelCritical, func() string {
			return "proxy_on_vm_start: no VM context set; call abi.SetVMContext from init()"
		})
		return false
	}
	defer r.recoverBool("proxy_on_vm_start", 0, &ok, false)
	return bool(r.vm.OnVMStart(vmConfigSize))
}

// configure handles proxy_on_configure. Returning false makes Envoy reject
// the plugin configuration, which is the right answer for an unknown root id
// or a panic while reading the configuration.
func (r *registry) configure(rootID uint32, pluginConfigSize int) (ok bool) {
	p, found := r.plugins.get(rootID)
	if !found {
		return false
	}
	defer r.recoverBool("proxy_on_configure", rootID, &ok, false)
	return bool(p.OnPluginStart(pluginConfigSize))
}

// RecoveringHttpContexts is implemented by a VM context whose HTTP
// contexts, of every plugin context it creates, recover any panic in their
// callbacks themselves (proxy_on_request_headers, proxy_on_response_headers
// and proxy_on_log). The registry then calls those without a deferred
// recover of its own: in the wasm module each costs every request, and a
// context that recovers already has one.
type RecoveringHttpContexts interface {
	HttpContextsRecoverPanics()
}

// requestHeaders handles proxy_on_request_headers.
func (r *registry) requestHeaders(id uint32, numHeaders int, endOfStream bool) types.Action {
	h, ok := r.streams.get(id)
	switch {
	case !ok:
		return types.ActionContinue
	case r.httpRecovers:
		return h.OnHttpRequestHeaders(numHeaders, endOfStream)
	}
	return r.guardedRequestHeaders(h, id, numHeaders, endOfStream)
}

func (r *registry) guardedRequestHeaders(h types.HttpContext, id uint32, numHeaders int, endOfStream bool) (action types.Action) {
	defer r.recoverAction("proxy_on_request_headers", id, &action)
	return h.OnHttpRequestHeaders(numHeaders, endOfStream)
}

// responseHeaders handles proxy_on_response_headers.
func (r *registry) responseHeaders(id uint32, numHeaders int, endOfStream bool) types.Action {
	h, ok := r.streams.get(id)
	switch {
	case !ok:
		return types.ActionContinue
	case r.httpRecovers:
		return h.OnHttpResponseHeaders(numHeaders, endOfStream)
	}
	return r.guardedResponseHeaders(h, id, numHeaders, endOfStream)
}

func (r *registry) guardedResponseHeaders(h types.HttpContext, id uint32, numHeaders int, endOfStream bool) (action types.Action) {
	defer r.recoverAction("proxy_on_response_headers", id, &action)
	return h.OnHttpResponseHeaders(numHeaders, endOfStream)
}

// streamDone handles proxy_on_log, the last callback of a stream that does
// anything, then forgets the stream as proxy_on_delete would. Envoy does not
// always delete what it logs: for a stream the filter never saw (an earlier
// filter answered) it creates a context at the log phase, and with HTTP/3
// deferred logging it does so after it already deleted the stream's
// context; it deletes neither. A proxy_on_done or proxy_on_delete that
// follows the log names an id the registry no longer holds, which both
// treat as done.
func (r *registry) streamDone(id uint32) {
	h, ok := r.streams.get(id)
	if !ok {
		return
	}
	if r.httpRecovers {
		h.OnHttpStreamDone()
	} else {
		r.guardedStreamDone(h, id)
	}
	r.forget(id)
}

func (r *registry) guardedStreamDone(h types.HttpContext, id uint32) {
	defer r.recoverVoid("proxy_on_log", id)
	h.OnHttpStreamDone()
}

// done handles proxy_on_done. Only plugin contexts can ask to finish later
// (by returning false); streams and unknown ids are done at once, and so is
// a plugin whose OnPluginDone panics, so the host is never left waiting.
func (r *registry) done(id uint32) (ok bool) {
	p, found := r.plugins.get(id)
	if !found {
		return true
	}
	defer r.recoverBool("proxy_on_done", id, &ok, true)
	return p.OnPluginDone()
}

// HttpContextRecycler is implemented by plugin contexts that want their HTTP
// contexts back when the host deletes them (proxy_on_delete, a stream's last
// callback): from then on the host never names the stream's id again, so the
// context may be reset and serve a later stream instead of becoming garbage.
type HttpContextRecycler interface {
	RecycleHttpContext(types.HttpContext)
}

// forget handles proxy_on_delete: the host will never mention id again, so
// every reference to its context is dropped, and an HTTP context goes back
// to its plugin context if that is an HttpContextRecycler.
func (r *registry) forget(id uint32) {
	if h, owner, ok := r.streams.remove(id); ok {
		if owner != nil {
			defer r.recoverVoid("proxy_on_delete", id)
			owner.RecycleHttpContext(h)
		}
		return
	}
	r.plugins.remove(id)
}

// The recover* helpers are deferred directly (recover only works in the
// deferred function itself). A panic escaping into the Go wasm runtime would
// abort the VM, and in Envoy every later request would fail; instead the
// panic is logged and the callback returns the answer that lets traffic flow.

func (r *registry) recoverAction(where string, id uint32, out *types.Action) {
	if v := recover(); v != nil {
		*out = types.ActionContinue
		r.reportPanic(where, id, v)
	}
}

func (r *registry) recoverBool(where string, id uint32, out *bool, fallback bool) {
	if v := recover(); v != nil {
		*out = fallback
		r.reportPanic(where, id, v)
	}
}

func (r *registry) recoverVoid(where string, id uint32) {
	if v := recover(); v != nil {
		r.reportPanic(where, id, v)
	}
}

// reportPanic logs a recovered panic with the stack of the goroutine that
// panicked (deferred functions run on top of the panicking frames).
// It avoids fmt and runtime/debug, which pull package os and with it extra
// WASI imports into the module.
func (r *registry) reportPanic(where string, id uint32, v any) {
	r.report(LogLevelCritical, func() string {
		stack := make([]byte, 8<<10)
		stack = stack[:runtime.Stack(stack, false)]
		return where + ": context " + strconv.FormatUint(uint64(id), 10) +
			": recovered panic: " + describe(v) + "\n" + string(stack)
	})
}

// describe renders a panic value the way the runtime would print it, for
// the types panics carry in practice.
func describe(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return "panic value of an unprintable type"
}

// report sends a message to the registry's logger. The message is built
// lazily, inside the guarded region: a logger, or an Error/String method of
// a panic value, that itself panics must not turn a recovered panic back into
// a crash, so such a panic is swallowed.
func (r *registry) report(level LogLevel, msg func() string) {
	log := r.log
	if log == nil {
		log = logHook
	}
	if log == nil {
		return
	}
	defer func() { _ = recover() }()
	log(level, msg())
}
