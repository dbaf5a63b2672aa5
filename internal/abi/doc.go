// Package abi is a small binding of proxy-wasm ABI 0.2.1 for the standard Go
// toolchain (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared).
//
// The SDK github.com/tetratelabs/proxy-wasm-go-sdk only produces a working
// module under TinyGo, but its types package (VMContext, PluginContext,
// HttpContext, Action) compiles anywhere. This package exports the
// proxy_on_* callbacks with //go:wasmexport, keeps a registry from context id
// to context, and dispatches each callback to the SDK interfaces; it also
// wraps the few host calls the filter needs (//go:wasmimport).
//
// The registry and dispatch logic carry no build tag so they can be
// unit-tested natively; the wasm bindings live in *_wasip1.go files.
//
// # What costs in the module
//
// Inside the wasm module, Go work compiled to plain instructions is cheap;
// two things are not, and the module's code (this package, the filter, the
// policy) is shaped to avoid them on every request:
//
//   - A host call crosses from the module into the host, and in
//     proxy-wasm-cpp-host each call that returns data calls back into the
//     module for the buffer (proxy_on_memory_allocate). The filter makes the
//     fewest it can: Origin alone first (a request without it needs nothing
//     else), then the whole header map in one call, not a call per header.
//   - Go copies or clears a value it cannot keep in registers (a struct over
//     four words, an array) with the bulk-memory instructions memory.copy
//     and memory.fill, which the runtime runs as a call out of the compiled
//     code. Structs are therefore reached through pointers and set or
//     cleared field by field, not copied whole.
//
// docs/performance.md has the measurements behind both.
package abi
