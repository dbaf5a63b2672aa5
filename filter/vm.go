package filter

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
)

// vmContext is the filter's VM context. It holds nothing: each plugin
// configuration gets its own plugin context and policy.
type vmContext struct {
	types.DefaultVMContext
}

var (
	_ types.VMContext            = (*vmContext)(nil)
	_ abi.RecoveringHttpContexts = (*vmContext)(nil)
)

// HttpContextsRecoverPanics tells the ABI binding that the filter's HTTP
// contexts recover their own panics, so it adds no recover of its own
// around their callbacks: OnHttpRequestHeaders and OnHttpResponseHeaders
// defer recoverPanic, which counts and logs the panic and lets the request
// continue; OnHttpStreamDone is the SDK's default, which does nothing.
func (*vmContext) HttpContextsRecoverPanics() {}

// NewVMContext returns the filter's VM context, for main.go to register.
// It makes no host call (Envoy traps host calls other than logging while the
// module initializes).
func NewVMContext() types.VMContext {
	return &vmContext{}
}

// NewPluginContext creates the context of one plugin configuration.
func (*vmContext) NewPluginContext(contextID uint32) types.PluginContext {
	return &pluginContext{}
}
