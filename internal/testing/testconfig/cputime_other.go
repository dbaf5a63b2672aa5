//go:build !unix

package testconfig

import "time"

// CPUTime is not available here (see cputime_unix.go).
func CPUTime() (time.Duration, bool) { return 0, false }
