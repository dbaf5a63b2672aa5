package testconfig

import (
	"runtime"
	"runtime/metrics"
)

// LiveBytes is what the heap holds once collected: the bytes the garbage
// collector marked live, which tests of what a loaded configuration holds
// compare before and after. Collected twice, since what a sync.Pool holds
// (the encoder's buffer json.Marshal left there, hundreds of kilobytes for
// a large configuration) survives one collection; and read from the
// collector's own count, where MemStats' HeapAlloc after runtime.GC is off
// by hundreds of kilobytes either way.
func LiveBytes() int64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
