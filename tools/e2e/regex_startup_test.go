//go:build !wasip1

package e2e

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testconfig"
	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// regexStartupMemory bounds a VM's linear memory once it has compiled the
// largest configuration of allow_origin_regexes the analysis takes: each
// pattern's analysis allocates at most 16 MiB (the tests of
// policy/internal/origin/budget.go), collected before the next one.
const regexStartupMemory = 32 << 20

// The largest configuration of costly allow_origin_regexes the analysis
// budget takes starts in the module within regexStartupMemory, and every
// pattern matches; one pattern more refuses the start-up with the code
// that says why.
func TestRegexBudgetStartup(t *testing.T) {
	largest := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes, Credentials: true}
	over := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes + 1, Credentials: true}
	const wantRefusal = "not analysed: this configuration's allow_origin_regexes"
	var memory int64
	switch backend {
	case envoyBackend:
		t.Skip("starts its own host")
	case localBackend:
		upstream := httptest.NewServer(echoHandler)
		defer upstream.Close()
		h := startHost(t, largest.JSON(), upstream.URL)
		memory = int64(guestMemory(t, h)[0])
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
		memory = run.Startup.MemoryBytes
		t.Logf("start-up %.0f ms", run.Startup.StartupMS)
		report := refusedByEnvoyHost(t, over.JSON())
		if !slices.ContainsFunc(report, func(l string) bool { return strings.Contains(l, wantRefusal) }) {
			t.Errorf("one pattern more: refused with %q; want a line saying %q", report, wantRefusal)
		}
	}
	t.Logf("linear memory after start-up: %d bytes (%.1f MiB)", memory, float64(memory)/(1<<20))
	if memory > regexStartupMemory {
		t.Errorf("linear memory %d bytes after start-up; want at most %d", memory, regexStartupMemory)
	}
}
