package filter

import (
	"reflect"
	"testing"

	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/policy"
)

// httpContext.reset sets the fields of a recycled context one by one; this
// fails when a field is added without being reset (or listed as kept).
func TestContextResetCoversEveryField(t *testing.T) {
	t.Parallel()
	// kept across streams: the plugin, the audit space, the copy space.
	kept := map[string]bool{"DefaultHttpContext": true, "plugin": true, "audit": true, "kept": true}
	resetHere := map[string]bool{"state": true, "plan": true}
	typ := reflect.TypeOf(httpContext{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !kept[name] && !resetHere[name] {
			t.Errorf("httpContext.%s: reset neither resets nor keeps it; decide, and list it here", name)
		}
	}

	p := &pluginContext{}
	var d policy.Decision
	pol, err := policy.Load([]byte(`{"allow_origins":["https://a.example"]}`))
	if err != nil {
		t.Fatal(err)
	}
	pol.Evaluate(&policy.Request{Method: "GET", Origins: []string{"https://a.example"}}, &d)
	c := &httpContext{plugin: p, state: forwarded, kept: make([]byte, 10, maxKeptRetained+1)}
	c.plan.Reset(&d)
	if c.plan.Empty() {
		t.Fatal("the test's plan is empty")
	}
	c.reset()
	if c.state != awaitingRequest || !c.plan.Empty() || len(c.kept) != 0 || c.plugin != p {
		t.Errorf("after reset: state %v, plan empty %v, %d kept bytes, plugin kept %v",
			c.state, c.plan.Empty(), len(c.kept), c.plugin == p)
	}
	if c.kept != nil {
		t.Errorf("a copy space over %d bytes is kept after reset", maxKeptRetained)
	}
}

// The plugin's scratch space for a request (its header pairs, Origin and
// Access-Control-Request-Headers lines) keeps no view of an earlier
// request's header bytes once a request with fewer has been read.
func TestRequestScratchDropsViews(t *testing.T) {
	t.Parallel()
	long := headermap.FromPairs([][2]string{{":method", "OPTIONS"}, {":path", "/"}, {"origin", "https://a.example"},
		{"access-control-request-method", "PUT"}, {"access-control-request-headers", "x-a"},
		{"access-control-request-headers", "x-b"}, {"access-control-request-headers", "x-c"},
		{"origin", "https://b.example"}})
	short := headermap.FromPairs([][2]string{{":method", "GET"}, {"origin", "https://a.example"}})
	var r requestHeaders
	var pairs []headermap.Pair
	r.reset()
	r.read(long, &pairs)
	if len(r.req.RequestHeaders) != 3 || len(r.req.Origins) != 2 || len(pairs) != 8 {
		t.Fatalf("read %d request header lines, %d origin lines, %d pairs; want 3, 2, 8",
			len(r.req.RequestHeaders), len(r.req.Origins), len(pairs))
	}
	r.reset()
	r.read(short, &pairs)
	for i, line := range r.acrh {
		if line != "" {
			t.Errorf("acrh[%d] = %q after a request without Access-Control-Request-Headers", i, line)
		}
	}
	if r.origins[1] != "" {
		t.Errorf("origins[1] = %q after a request with one Origin line", r.origins[1])
	}
	for i, p := range pairs[len(pairs):cap(pairs)] {
		if p != (headermap.Pair{}) {
			t.Errorf("pairs keeps %+v past its length (at %d)", p, len(pairs)+i)
		}
	}
}
