//go:build wasip1

package abi

// The callbacks a proxy-wasm ABI 0.2.1 host calls. Every parameter and
// result is a wasm i32: uint32 and bool both lower to i32, and a *byte result
// lowers to an i32 address. Only the callbacks this filter needs are
// exported; Envoy treats every missing proxy_on_* as "continue".

func init() {
	// Recovered panics are reported through the host's log. proxy_log is
	// one of the calls Envoy allows during _initialize, and this assignment
	// makes no call at all.
	logHook = Log
}

// proxyABIVersion marks the module as speaking ABI 0.2.1; Envoy refuses a
// module without such a marker export.
//
//go:wasmexport proxy_abi_version_0_2_1
func proxyABIVersion() {}

// depth counts the proxy_on_* callbacks running: a host could call one from
// inside a host call (none does today; proxy_on_memory_allocate aside).
// Host answers live until the outermost callback returns (see hostArena).
var depth int

// enter runs first in every callback but the allocator: an outermost
// callback starts with the whole arena free, since nothing refers to the
// answers of earlier callbacks any more.
func enter() {
	if depth == 0 {
		hostArena.reset()
	}
	depth++
}

// leave runs last in every callback that entered.
func leave() {
	depth--
	if depth == 0 {
		callbackDone()
	}
}

//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(size uint32) *byte {
	return hostArena.allocate(size)
}

//go:wasmexport proxy_on_context_create
func proxyOnContextCreate(contextID, parentContextID uint32) {
	enter()
	global.contextCreate(contextID, parentContextID)
	leave()
}

//go:wasmexport proxy_on_vm_start
func proxyOnVMStart(rootContextID, vmConfigurationSize uint32) bool {
	enter()
	ok := global.vmStart(int(vmConfigurationSize))
	leave()
	return ok
}

//go:wasmexport proxy_on_configure
func proxyOnConfigure(rootContextID, pluginConfigurationSize uint32) bool {
	enter()
	ok := global.configure(rootContextID, int(pluginConfigurationSize))
	leave()
	return ok
}

//go:wasmexport proxy_on_request_headers
func proxyOnRequestHeaders(contextID, numHeaders, endOfStream uint32) uint32 {
	enter()
	action := global.requestHeaders(contextID, int(numHeaders), endOfStream != 0)
	leave()
	return uint32(action)
}

//go:wasmexport proxy_on_response_headers
func proxyOnResponseHeaders(contextID, numHeaders, endOfStream uint32) uint32 {
	enter()
	action := global.responseHeaders(contextID, int(numHeaders), endOfStream != 0)
	leave()
	return uint32(action)
}

//go:wasmexport proxy_on_log
func proxyOnLog(contextID uint32) {
	enter()
	global.streamDone(contextID)
	leave()
}

//go:wasmexport proxy_on_done
func proxyOnDone(contextID uint32) bool {
	enter()
	ok := global.done(contextID)
	leave()
	return ok
}

//go:wasmexport proxy_on_delete
func proxyOnDelete(contextID uint32) {
	enter()
	global.forget(contextID)
	leave()
}
