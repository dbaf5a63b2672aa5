//go:build !wasip1

package e2e

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// regexStartupMemory bounds a VM's linear memory once it has compiled a
// configuration of allow_origin_regexes the bounds accept: the module's
// own (about 7 MiB with a configuration of one pattern), what the loaded
// Policy holds of its patterns (at most 2 MiB natively, the tests of
// internal/engine/regex_memory_test.go) and what one pattern's analysis allocates
// (at most 16 MiB natively, the tests of internal/engine/internal/origin/budget.go;
// under 3 MiB for the worst shapes found), collected before the heap
// outgrows the filter's compileMemoryLimit (10 MiB): the limit, not the
// collector's load-dependent pacing, bounds it, which the build whose
// collector starts late shows. Go's heap never returns linear memory, so
// that this is the most the start-up ever took.
const regexStartupMemory = 16 << 20

// regexStartupTries is how many start-ups of one configuration the test
// makes before it fails it: the least must be within regexStartupMemory.
// Inside a proxy-wasm callback Go's collector keeps up mostly through the
// allocating code's assists (runtime.GC, which waits, traps there), and it
// caps its own share of the time at half, by the clock: on a machine loaded
// enough to stretch those assists, one start-up of "the most anchors,
// long" reached 53 MiB while the next ones stayed near 12 MiB. A module
// that needs more memory needs it on every start-up, and fails all three.
const regexStartupTries = 3

// The largest configuration of costly allow_origin_regexes the analysis
// budget takes starts in the module, and every pattern matches; one
// pattern more refuses the start-up with the code that says why. It and
// every other configuration that holds or allocates the most
// (testconfig.LargestRegexShapes) start within regexStartupMemory, also
// in the build whose collector starts late.
func TestRegexBudgetStartup(t *testing.T) {
	largest := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes, Credentials: true}
	over := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes + 1, Credentials: true}
	const wantRefusal = "not analysed: this configuration's allow_origin_regexes"
	switch backend {
	case envoyBackend:
		t.Skip("starts its own host")
	case localBackend:
		upstream := httptest.NewServer(echoHandler)
		defer upstream.Close()
		h := startHost(t, largest.JSON(), upstream.URL)
		srv := httptest.NewServer(h)
		defer srv.Close()
		for _, i := range []int{0, largest.N - 1} {
			r := do(t, newRequest(t, "GET", srv.URL+"/", "Origin", largest.Origin(i)))
			if got := r.header.Get("Access-Control-Allow-Origin"); got != largest.Origin(i) {
				t.Errorf("pattern %d: allow-origin %q; want %q", i, got, largest.Origin(i))
			}
		}
		if report := refusedByLocalHost(t, over.JSON()); !strings.Contains(report[0], wantRefusal) {
			t.Errorf("one pattern more: refused with %q; want it to say %q", report[0], wantRefusal)
		}
	case envoyhostBackend:
		var requests []envoyhost.Request
		for _, i := range []int{0, largest.N - 1} {
			requests = append(requests, envoyhost.Request{Name: largest.Origin(i), Headers: []envoyhost.Header{
				{":method", "GET"}, {":path", "/"}, {":authority", envoyHostAuthority}, {":scheme", envoyHostScheme},
				{"origin", largest.Origin(i)},
			}})
		}
		run := runInEnvoyHost(t, writeModule(t, testmodule.Module(t)), largest.JSON(), requests)
		for i, s := range run.Streams {
			if got := harnessOutcome(s).header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, []string{s.Name}) {
				t.Errorf("request %d: allow-origin %q; want %q", i, got, s.Name)
			}
		}
		report := refusedByEnvoyHost(t, over.JSON())
		if !slices.ContainsFunc(report, func(l string) bool { return strings.Contains(l, wantRefusal) }) {
			t.Errorf("one pattern more: refused with %q; want a line saying %q", report, wantRefusal)
		}
	}
	for _, build := range []struct {
		name   string
		module []byte
	}{
		{"the module", testmodule.Module(t)},
		{"with its collector late", testmodule.LateGCModule(t)},
	} {
		for _, shape := range testconfig.LargestRegexShapes {
			// The least of up to regexStartupTries start-ups: see
			// regexStartupTries.
			least := int64(-1)
			for try := 0; try < regexStartupTries && (least < 0 || least > regexStartupMemory); try++ {
				memory, startup := regexStartup(t, build.module, shape.JSON(shape.N))
				t.Logf("%s: %s, %d patterns: linear memory after start-up %.1f MiB, start-up %s", build.name, shape.Name, shape.N, float64(memory)/(1<<20), startup)
				if least < 0 || memory < least {
					least = memory
				}
			}
			if least > regexStartupMemory {
				t.Errorf("%s: %s: linear memory %d bytes after start-up, the least of %d start-ups; want at most %d", build.name, shape.Name, least, regexStartupTries, regexStartupMemory)
			}
		}
	}
}

// regexStartup starts a VM with config and returns its linear memory
// after start-up, and how long that took (in Envoy's host library, as
// the harness measured it; locally, the host's start with one VM).
func regexStartup(t *testing.T, module, config []byte) (memory int64, startup time.Duration) {
	t.Helper()
	if backend == envoyhostBackend {
		run := runInEnvoyHost(t, writeModule(t, module), config, nil)
		return run.Startup.MemoryBytes, time.Duration(run.Startup.StartupMS * float64(time.Millisecond))
	}
	start := time.Now()
	h := startModule(t, module, config, "http://127.0.0.1:1")
	startup = time.Since(start)
	return int64(guestMemory(t, h)[0]), startup
}
