//go:build corswasm_lategc

package filter

import "runtime/debug"

// The test build whose collector starts late: its goal is nine times the
// live heap (GOGC=800) where the product's is twice, later than the
// collector's pacing ever puts it, so that a test shows what bounds the
// memory of compiling a configuration is the memory limit, not the pacing.
func init() { debug.SetGCPercent(800) }
