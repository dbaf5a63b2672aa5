//go:build corswasm_panictest

package filter

// The test build that panics on demand, so that panic recovery is tested
// inside the real wasm runtime (see testhook_on.go).
func init() { testHook = panicOnDemand }
