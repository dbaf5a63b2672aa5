package engine

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// regexConfigHeld bounds what a loaded Policy holds of its
// allow_origin_regexes, natively: the tables requests are matched with
// (at most 1 MiB, origin.Budget), the index of their domains and the
// warnings; and regexConfigAlloc what loading them allocates, garbage
// included.
const (
	regexConfigHeld  = 2 << 20
	regexConfigAlloc = 128 << 20
)

// The configurations of allow_origin_regexes that hold or allocate the
// most of those the bounds accept load within regexConfigAlloc and hold
// at most regexConfigHeld; each is the largest of its shape, one pattern
// more being refused by the bound named. Not parallel: TotalAlloc counts
// every goroutine's allocations.
func TestRegexMemoryOfAConfiguration(t *testing.T) {
	over := map[string]string{
		"steps":   "steps their analysis may",
		"tables":  "bytes of tables",
		"entries": "allow_origin_regexes entries, all lists together",
	}
	for _, shape := range testconfig.LargestRegexShapes {
		config := shape.JSON(shape.N)
		var before, loaded runtime.MemStats
		live := testconfig.LiveBytes()
		runtime.ReadMemStats(&before)
		p, err := Load(config)
		runtime.ReadMemStats(&loaded)
		if err != nil {
			t.Fatalf("%s: %v", shape.Name, err)
		}
		alloc, held := loaded.TotalAlloc-before.TotalAlloc, testconfig.LiveBytes()-live
		runtime.KeepAlive(p)
		runtime.KeepAlive(config)
		if alloc > regexConfigAlloc {
			t.Errorf("%s: loading it allocated %d MiB; want at most %d", shape.Name, alloc>>20, regexConfigAlloc>>20)
		}
		if held > regexConfigHeld {
			t.Errorf("%s: the Policy holds %d KiB; want at most %d", shape.Name, held>>10, regexConfigHeld>>10)
		}
		t.Logf("%s, %d patterns: loading allocated %d MiB; the Policy holds %d KiB", shape.Name, shape.N, alloc>>20, held>>10)

		_, err = Load(shape.JSON(shape.N + 1))
		ce, ok := err.(*ConfigError)
		if !ok || len(ce.Problems) != 1 || ce.Problems[0].Path != fmt.Sprintf("allow_origin_regexes[%d]", shape.N) ||
			ce.Problems[0].Code != CodeRegexesTooComplex || !strings.Contains(ce.Problems[0].Reason, over[shape.Over]) {
			t.Errorf("%s: one pattern more: %v; want it refused, alone, for the configuration's %s", shape.Name, err, shape.Over)
		}
	}
}
