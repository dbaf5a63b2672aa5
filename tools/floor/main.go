// Command floor is a proxy-wasm module that makes the host calls cors.wasm
// makes for make bench's three kinds of request under envoy/cors.json (not
// CORS, allowed actual, allowed preflight), as many of each, and does
// nothing else: it decides nothing, it knows the answers (every request
// with an Origin is allowed, the headers are the ones cors.wasm sends for
// that configuration). Its time per request is what any filter that keeps
// cors.wasm's behaviours pays for talking to the host (the proxy's work and
// the crossings between host and module) on the same Go runtime and ABI
// binding as cors.wasm; cors.wasm minus floor is the filter's own work.
// make bench measures it beside the pass-through module (tools/bench).
//
// Like cors.wasm it allocates nothing per request (contexts and buffers are
// reused), starts no goroutines, sets no timers, and recovers panics in its
// own HTTP callbacks rather than leaving it to the ABI binding, so that the
// comparison is of host calls alone. tools/bench's tests keep it faithful: the same
// calls per request as cors.wasm, the same responses, no allocations.
package main

// The module is floor_wasip1.go, built for GOOS=wasip1 as make bench builds
// it; natively the command does nothing, so that go vet and go test can
// still name the package.
func main() {}
