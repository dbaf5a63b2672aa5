//go:build corswasm_allocstat

package filter

import (
	"strconv"

	"github.com/corswasm/corswasm/internal/testing/testheaders"
)

// The test build that counts heap allocations (see internal/abi's
// AllocMetric) allocates on demand, so that a test can show the count sees
// an allocation inside the real module.
func init() { testHook = allocOnDemand }

// allocSink keeps what allocOnDemand allocates reachable, so the compiler
// cannot put it on the stack.
var allocSink []byte

func allocOnDemand(phase string) {
	if phase != phaseRequest {
		return
	}
	if v, found, _ := hostRequestHeader(testheaders.AllocHeader); found {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			allocSink = make([]byte, n)
		}
	}
}
