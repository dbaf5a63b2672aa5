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

// releaseUnclaimed runs first in every callback but the allocator: buffers the
// host allocated outside a host call of ours (which no wrapper claimed)
// must not stay pinned for ever.
func releaseUnclaimed() {
	if len(pinned) > 0 {
		releasePinned()
	}
}

//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(size uint32) *byte {
	return allocate(size)
}

//go:wasmexport proxy_on_context_create
func proxyOnContextCreate(contextID, parentContextID uint32) {
	releaseUnclaimed()
	global.contextCreate(contextID, parentContextID)
}

//go:wasmexport proxy_on_vm_start
func proxyOnVMStart(rootContextID, vmConfigurationSize uint32) bool {
	releaseUnclaimed()
	return global.vmStart(int(vmConfigurationSize))
}

//go:wasmexport proxy_on_configure
func proxyOnConfigure(rootContextID, pluginConfigurationSize uint32) bool {
	releaseUnclaimed()
	return global.configure(rootContextID, int(pluginConfigurationSize))
}

//go:wasmexport proxy_on_request_headers
func proxyOnRequestHeaders(contextID, numHeaders, endOfStream uint32) uint32 {
	releaseUnclaimed()
	return uint32(global.requestHeaders(contextID, int(numHeaders), endOfStream != 0))
}

//go:wasmexport proxy_on_response_headers
func proxyOnResponseHeaders(contextID, numHeaders, endOfStream uint32) uint32 {
	releaseUnclaimed()
	return uint32(global.responseHeaders(contextID, int(numHeaders), endOfStream != 0))
}

//go:wasmexport proxy_on_log
func proxyOnLog(contextID uint32) {
	releaseUnclaimed()
	global.streamDone(contextID)
}

//go:wasmexport proxy_on_done
func proxyOnDone(contextID uint32) bool {
	releaseUnclaimed()
	return global.done(contextID)
}

//go:wasmexport proxy_on_delete
func proxyOnDelete(contextID uint32) {
	releaseUnclaimed()
	global.forget(contextID)
}
