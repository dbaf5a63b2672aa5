package filter

import "github.com/corswasm/corswasm/internal/headermap"

// Callback phases, as named to the test hook.
const (
	phaseRequest  = "request"
	phaseResponse = "response"
)

// testHook, when set, runs at the start of each phase's work with the
// phase's header map. It is nil in the production module; tests set it
// natively, and the module built with -tags corswasm_panictest sets it to
// panicOnDemand, so that panic recovery is tested inside the real wasm
// runtime.
var testHook func(phase string, m headermap.Map)

func callTestHook(phase string, m headermap.Map) {
	if testHook != nil {
		testHook(phase, m)
	}
}

// PanicHeader names the request header that makes a test build panic: its
// value is the phase to panic in.
const PanicHeader = "x-corswasm-test-panic"

// panicOnDemand panics in the phase a request's PanicHeader names. The
// response phase sees response headers, so it panics when the upstream
// echoed the header.
func panicOnDemand(phase string, m headermap.Map) {
	for name, value := range m.All() {
		if name == PanicHeader && value == phase {
			panic("test panic in the " + phase + " phase")
		}
	}
}
