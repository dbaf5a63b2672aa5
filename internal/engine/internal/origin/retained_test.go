package origin

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// What an accepted pattern's analysis keeps, for as long as the caller
// keeps it (a configuration's analyses are kept until it is loaded): the
// table requests are matched with, which the configuration's tables
// budget counts, and its schemes, sites and anchors, a few hundred bytes
// each; nothing of the analysis itself, whatever the pattern's program.
// Not parallel: the heap is measured.
func TestRegexKeepsItsTableOnly(t *testing.T) {
	var cls strings.Builder
	for c := 1; c < 0x80; c += 2 {
		fmt.Fprintf(&cls, `\x%02x`, c)
	}
	patterns := append(matchPatterns(t),
		`null|(?:0|1){300}7`,             // a program of 600 instructions
		`null|0[`+cls.String()+`]{150}7`, // 150 classes of 64 ranges
		`https://(?:[a-z]?){480}\.example\.com|null`,
	)
	const beyondTable = 16 << 10 // schemes, sites and anchors: 32 of up to 253 bytes, twice
	for _, p := range patterns {
		// What the analysis keeps is the same each time; what the test
		// binary's other goroutines (the runtime's, earlier tests' still
		// winding down) hold at the moment of a measurement only adds to
		// it, and varies: the least of a few measurements is the analysis's.
		var held int64
		var table int
		var err *Error
		for attempt := range 3 {
			before := testconfig.LiveBytes()
			var r *Regex
			r, err, _ = CompileRegex(p, false, true)
			kept := testconfig.LiveBytes() - before
			if err != nil {
				break
			}
			if r.match != nil {
				table = r.match.size()
			}
			if attempt == 0 || kept < held {
				held = kept
			}
			runtime.KeepAlive(r)
		}
		if err != nil {
			if err.Fault != FaultRegexComplex {
				t.Fatalf("%q: %v", p, err)
			}
			continue
		}
		if held > int64(table+beyondTable) {
			t.Errorf("%q: its analysis keeps %d bytes; want at most its table's %d and %d more", p, held, table, beyondTable)
		}
	}
}
