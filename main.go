// Command corswasm is the CORS filter module for Envoy and Istio. Build it
// with the standard Go toolchain:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/cors.wasm .
//
// The module is a WASI reactor: the host runs _initialize (which runs init
// below) and then calls the proxy-wasm exports of internal/abi.
package main

import (
	"github.com/corswasm/corswasm/filter"
	"github.com/corswasm/corswasm/internal/abi"
)

func main() {}

// init registers the filter and makes no other host call: Envoy traps host
// calls other than logging while the module initializes.
func init() {
	abi.SetVMContext(filter.NewVMContext())
}
