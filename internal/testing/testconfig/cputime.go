package testconfig

import (
	"testing"
	"time"
)

// ReportCPU reports, beside a benchmark's wall-clock time, the CPU time
// each of its operations used (CPUTime, the garbage collector's included)
// as cpu-ns/op, and per unit as cpu-ns/<unit> when units is not 0; start
// is CPUTime before the loop.
func ReportCPU(b *testing.B, start time.Duration, units float64, unit string) {
	end, ok := CPUTime()
	if !ok || b.N == 0 {
		return
	}
	perOp := float64(end-start) / float64(b.N)
	b.ReportMetric(perOp, "cpu-ns/op")
	if units != 0 {
		b.ReportMetric(perOp/units, "cpu-ns/"+unit)
	}
}
