//go:build !(corswasm_allocstat && wasip1)

package abi

// callbackDone runs when an outermost callback returns. The production
// module does nothing here; the test build (stats_alloc.go) counts heap
// allocations.
func callbackDone() {}
