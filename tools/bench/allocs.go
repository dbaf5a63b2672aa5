//go:build !wasip1

package main

import (
	"context"
	"fmt"
	"net/http/httptest"
)

// allocMetric is the counter of the allocation-counting build
// (internal/abi.AllocMetric, only in that build).
const allocMetric = "corswasm.test.heap_allocs"

// allocCount is what the allocation-counting build counted in the local
// host, and its linear memory before and after.
type allocCount struct {
	allocs, requests          uint64
	memoryBefore, memoryAfter int64
}

// localAllocs runs every kind through the allocation-counting build in the
// local host: after a warm-up, n requests of each kind; the heap
// allocations they made and the linear memory before and after.
func localAllocs(module, config []byte, n int) (allocCount, error) {
	h, err := newHost(module, config)
	if err != nil {
		return allocCount{}, err
	}
	defer h.Close(context.Background())
	mix := func(n int) {
		for i := range n {
			h.ServeHTTP(httptest.NewRecorder(), httpRequest(kinds[i%len(kinds)]))
		}
	}
	memory := func() int64 {
		m, _ := h.GuestMemory(context.Background())
		return int64(m[0])
	}
	mix(3000)
	before, ok := h.Counter(allocMetric)
	if !ok {
		return allocCount{}, fmt.Errorf("no %s counter: not the allocation-counting build", allocMetric)
	}
	c := allocCount{requests: uint64(n * len(kinds)), memoryBefore: memory()}
	mix(n * len(kinds))
	after, _ := h.Counter(allocMetric)
	c.allocs, c.memoryAfter = after-before, memory()
	return c, nil
}
