// Command initcall is a proxy-wasm module that makes the mistake Envoy
// refuses at start-up: it defines a metric during init, which runs inside
// _initialize, where Envoy allows only logging and WASI calls. The tests of
// the start-up checks expect every host to refuse it.
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
)

func main() {}

func init() {
	abi.SetVMContext(&types.DefaultVMContext{})
	// Forbidden here: host calls other than logging and WASI trap in V8
	// while _initialize runs. A filter must define its metrics when the
	// plugin starts.
	if _, err := abi.DefineCounter("initcall.defined_during_init"); err != nil {
		abi.Log(abi.LogLevelCritical, "initcall: "+err.Error())
	}
}
