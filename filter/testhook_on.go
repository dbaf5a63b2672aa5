//go:build !wasip1 || corswasm_panictest || corswasm_allocstat

package filter

import "github.com/corswasm/corswasm/internal/testing/testheaders"

// testHook, when set, runs at the start of each phase's work (see
// testhook.go).
var testHook func(phase string)

func callTestHook(phase string) {
	if testHook != nil {
		testHook(phase)
	}
}

// panicOnDemand panics in the phase a request's testheaders.PanicHeader
// names. The response phase sees response headers, so it panics when the
// upstream echoed the header.
func panicOnDemand(phase string) {
	get := hostRequestHeader
	if phase == phaseResponse {
		get = hostResponseHeader
	}
	if v, _, _ := get(testheaders.PanicHeader); v == phase {
		panic("test panic in the " + phase + " phase")
	}
}
