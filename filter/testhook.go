package filter

// Callback phases, as named to the test hook.
const (
	phaseRequest  = "request"
	phaseResponse = "response"
)

// testHook, when set, runs at the start of each phase's work. It is nil in
// the production module; tests set it natively, and the test builds set it:
// with -tags corswasm_panictest to panicOnDemand, so that panic recovery is
// tested inside the real wasm runtime, with -tags corswasm_allocstat to
// allocOnDemand.
var testHook func(phase string)

func callTestHook(phase string) {
	if testHook != nil {
		testHook(phase)
	}
}

// PanicHeader names the request header that makes a test build panic: its
// value is the phase to panic in.
const PanicHeader = "x-corswasm-test-panic"

// panicOnDemand panics in the phase a request's PanicHeader names. The
// response phase sees response headers, so it panics when the upstream
// echoed the header.
func panicOnDemand(phase string) {
	get := hostRequestHeader
	if phase == phaseResponse {
		get = hostResponseHeader
	}
	if v, _, _ := get(PanicHeader); v == phase {
		panic("test panic in the " + phase + " phase")
	}
}

// AllocHeader names the request header that makes the allocation-counting
// test build (-tags corswasm_allocstat) allocate: its value is the number of
// bytes.
const AllocHeader = "x-corswasm-test-alloc"
