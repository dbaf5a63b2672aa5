// Package testheaders names the request headers that make the filter's test
// builds misbehave on demand. Only those builds (and the filter's native
// build, which only its tests use) and tests import it: the production
// module has no such header.
package testheaders

// PanicHeader names the request header that makes the test build (-tags
// corswasm_panictest) panic: its value is the phase to panic in, "request"
// or "response".
const PanicHeader = "x-corswasm-test-panic"

// AllocHeader names the request header that makes the allocation-counting
// test build (-tags corswasm_allocstat) allocate: its value is the number of
// bytes.
const AllocHeader = "x-corswasm-test-alloc"
