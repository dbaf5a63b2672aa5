// Command hostcalls is a proxy-wasm module that makes one kind of host call
// N times per request and nothing else, for make bench's "one host call"
// table: N calls against none, in the same host, is what one call costs
// there (the proxy's work and the crossings between host and module), the
// prices behind the filter's choices of what to ask the host. Its plugin
// configuration is "KIND N" (package calls: the kinds, and the headers the
// calls use); the calls are made on the response header map, in the
// response callback, and leave it as they found it, except "add".
//
// Like cors.wasm it allocates nothing per request (one stream context
// serves every stream, the host's answers go to internal/abi's reused
// buffer), starts no goroutines and sets no timers, so that the difference
// between N and none is the calls alone.
package main

// The module is hostcalls_wasip1.go, built for GOOS=wasip1 as make bench
// builds it; natively the command does nothing, so that go vet and go test
// can still name the package.
func main() {}
