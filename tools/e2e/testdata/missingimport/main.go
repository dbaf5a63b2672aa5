// Command missingimport is a proxy-wasm module that imports a WASI function
// Envoy 1.33's host does not provide: its plugin reads a file with
// os.ReadFile, which needs fd_filestat_get. The tests of the start-up checks
// expect every host to refuse to load it, naming the import.
package main

import (
	"os"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
)

func main() {}

func init() { abi.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct{ types.DefaultPluginContext }

// OnPluginStart reads a policy from a file: what a filter must not do in
// Envoy, which gives the plugin its configuration as a buffer.
func (*plugin) OnPluginStart(int) types.OnPluginStartStatus {
	_, err := os.ReadFile("/etc/corswasm/policy.json")
	return err == nil
}
