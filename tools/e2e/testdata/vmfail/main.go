// Command vmfail is a proxy-wasm module whose VM fails on demand, as a Go
// module can fail in Envoy 1.33 to 1.38: a request carrying the header
// x-corswasm-test-vm-fail makes it sleep, the Go runtime then calls
// poll_oneoff, which those hosts answer with ENOSYS, and the runtime dies
// with "fatal error" (no recover can catch that). Every other request is
// marked as seen by the module (the request header x-vmfail-seen) and
// continues. The tests of Envoy's failure policies use it to show what each
// policy does with the streams after such a failure.
package main

import (
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
)

func main() {}

func init() { abi.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct{ types.DefaultPluginContext }

func (*plugin) NewHttpContext(uint32) types.HttpContext { return &stream{} }

type stream struct{ types.DefaultHttpContext }

func (*stream) OnHttpRequestHeaders(int, bool) types.Action {
	if _, fail, _ := abi.HeaderMapValue(abi.MapTypeHttpRequestHeaders, "x-corswasm-test-vm-fail"); fail {
		// An hour: the sleep cannot end before the runtime looks for
		// other work and calls poll_oneoff.
		time.Sleep(time.Hour)
	}
	_ = abi.AddHeaderMapValue(abi.MapTypeHttpRequestHeaders, "x-vmfail-seen", "1")
	return types.ActionContinue
}
