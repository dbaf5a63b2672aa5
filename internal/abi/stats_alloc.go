//go:build corswasm_allocstat && wasip1

package abi

import "runtime"

// This file is only in the test build made with -tags corswasm_allocstat
// (build/cors-allocstat.wasm): it reports the Go heap allocations the module
// makes, so that a test can prove that serving requests allocates nothing.

// AllocMetric is the counter the test build adds its heap allocations to:
// runtime.MemStats.Mallocs, every object the Go heap allocated, tiny ones
// included. ReadMemStats flushes the per-P caches first, so the count is
// exact, not a sample.
const AllocMetric = "corswasm.test.heap_allocs"

var allocStat struct {
	ms      runtime.MemStats
	last    uint64
	id      uint32
	defined bool
}

// callbackDone adds the allocations made since the last outermost callback
// returned (during _initialize too, for the first one) to AllocMetric. It
// runs after the callback's own work, outside proxy_on_memory_allocate,
// where Envoy allows these host calls.
func callbackDone() {
	runtime.ReadMemStats(&allocStat.ms)
	n := allocStat.ms.Mallocs
	delta := n - allocStat.last
	allocStat.last = n
	if !allocStat.defined {
		id, err := DefineCounter(AllocMetric)
		if err != nil {
			return
		}
		allocStat.id, allocStat.defined = id, true
	}
	if delta > 0 {
		_ = IncrementMetric(allocStat.id, int64(delta))
	}
}
