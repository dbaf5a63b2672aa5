package filter

import (
	"reflect"
	"testing"

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
