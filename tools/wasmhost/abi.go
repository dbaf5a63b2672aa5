//go:build !wasip1

package wasmhost

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Proxy-wasm status codes returned by host functions (ABI 0.2.1).
const (
	statusOK                  = 0
	statusNotFound            = 1
	statusBadArgument         = 2
	statusInvalidMemoryAccess = 6
	statusUnimplemented       = 12
)

// Buffer and header map types of the proxy-wasm ABI.
const (
	bufferRequestBody  = 0
	bufferResponseBody = 1
	bufferVMConfig     = 6
	bufferPluginConfig = 7
	bufferTypeMax      = 8
	headerMapRequest   = 0
	headerMapResponse  = 2
	headerMapTypeMax   = 7
)

// Module and export names the host looks for.
const (
	envModule          = "env"
	wasiModule         = "wasi_snapshot_preview1"
	wasiUnstableModule = "wasi_unstable"
	abiVersion020      = "proxy_abi_version_0_2_0"
	abiVersion021      = "proxy_abi_version_0_2_1"
	exportMalloc       = "malloc"
	exportMemoryAlloc  = "proxy_on_memory_allocate"
	exportInitialize   = "_initialize"
	exportStart        = "_start"
	exportMain         = "main"
)

// Host defaults and limits.
const (
	defaultVMs    = 2
	rootContextID = 1
	logLevelInfo  = 2
	logLevelMax   = 6
	// maxLogLines bounds the log lines Logs returns; older lines are dropped.
	maxLogLines = 10000
	// maxRecentLines bounds the plugin output quoted in a VM failure.
	maxRecentLines = 12
	// maxStartupLines bounds the plugin output quoted when start-up fails.
	maxStartupLines = 1000
)

// valueType is a WebAssembly value type.
type valueType = api.ValueType

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// hostFunc is one function the host exports to guests. fn reads its
// arguments from stack and writes its results back to stack, like
// api.GoModuleFunc, but receives the calling VM instead of a context.
type hostFunc struct {
	name    string
	params  []valueType
	results []valueType
	fn      func(v *vm, stack []uint64)
}

// i32s returns n i32 value types.
func i32s(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = i32
	}
	return t
}

// vmKey is the context key under which every guest call carries its *vm, so
// host functions know which VM (and which request) called them.
type vmKey struct{}

// instantiateHostModule registers funcs under module name moduleName. Every
// function counts its call in calls, then checks whether the calling VM
// currently allows it (Envoy's restricted callbacks during start-up and
// inside the allocator).
func instantiateHostModule(ctx context.Context, rt wazero.Runtime, moduleName string, funcs []hostFunc, calls hostCalls) error {
	b := rt.NewHostModuleBuilder(moduleName)
	for _, f := range funcs {
		qualified := moduleName + "." + f.name
		// One counter per function, found here rather than on every call.
		count := calls.counter(qualified)
		b.NewFunctionBuilder().
			WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
				count.Add(1)
				v := ctx.Value(vmKey{}).(*vm)
				v.checkAllowed(qualified, f.name)
				f.fn(v, stack)
			}), f.params, f.results).
			Export(f.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// hostCalls counts the guests' calls of each host function, by qualified
// name ("env.proxy_get_header_map_value"), as the envoyhost harness names
// them. Its entries are made while the host modules are registered, before
// any guest runs; later only the counters change, so reading it needs no
// lock.
type hostCalls map[string]*atomic.Uint64

func (c hostCalls) counter(qualified string) *atomic.Uint64 {
	n := c[qualified]
	if n == nil {
		n = new(atomic.Uint64)
		c[qualified] = n
	}
	return n
}

// snapshot returns the counts of the functions called at least once.
func (c hostCalls) snapshot() map[string]uint64 {
	out := map[string]uint64{}
	for name, n := range c {
		if v := n.Load(); v != 0 {
			out[name] = v
		}
	}
	return out
}

// signature formats a function type like "(i32,i64) -> i32".
func signature(params, results []api.ValueType) string {
	name := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprintf("(%s) -> (%s)", name(params), name(results))
}

// sameTypes reports whether two value type lists are equal.
func sameTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// callbackTypes lists the signature of every proxy_on_* export the host may
// call. A module exporting one with another signature is rejected at load,
// as Envoy does ("Bad function signature").
var callbackTypes = map[string][2][]api.ValueType{
	"proxy_on_context_create":   {i32s(2), nil},
	"proxy_on_vm_start":         {i32s(2), i32s(1)},
	"proxy_on_configure":        {i32s(2), i32s(1)},
	"proxy_on_request_headers":  {i32s(3), i32s(1)},
	"proxy_on_request_body":     {i32s(3), i32s(1)},
	"proxy_on_response_headers": {i32s(3), i32s(1)},
	"proxy_on_response_body":    {i32s(3), i32s(1)},
	"proxy_on_log":              {i32s(1), nil},
	"proxy_on_done":             {i32s(1), i32s(1)},
	"proxy_on_delete":           {i32s(1), nil},
	exportMemoryAlloc:           {i32s(1), i32s(1)},
	exportMalloc:                {i32s(1), i32s(1)},
	exportInitialize:            {nil, nil},
	exportStart:                 {nil, nil},
}
