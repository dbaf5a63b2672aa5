//go:build unix

package testconfig

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time the process has used, user and system, all
// its threads together (getrusage): what a benchmark of start-up work
// reports beside the wall-clock time, which on a shared machine counts
// others' work too, and which leaves out the garbage collector's work on
// other cores. ok is false where it cannot be read.
func CPUTime() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
