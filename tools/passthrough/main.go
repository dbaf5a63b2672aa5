// Command passthrough is a proxy-wasm module that does nothing: the same Go
// runtime and ABI binding as cors.wasm, with the SDK's no-op contexts. It is
// the baseline of the module benchmarks.
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
)

func main() {}

func init() { abi.SetVMContext(&passthrough{}) }

// passthrough's plugin contexts create HTTP contexts that continue every
// callback.
type passthrough struct{ types.DefaultVMContext }

func (*passthrough) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct{ types.DefaultPluginContext }

func (*plugin) NewHttpContext(uint32) types.HttpContext { return &types.DefaultHttpContext{} }
