package filter

import (
	"reflect"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
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
	var d engine.Decision
	pol, err := engine.Load([]byte(`{"allow_origins":["https://a.example"]}`))
	if err != nil {
		t.Fatal(err)
	}
	pol.Evaluate(&engine.Request{Method: "GET", Origins: []string{"https://a.example"}}, &d)
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

// recordingVM is the filter's VM context, keeping the plugin context it
// creates for a test to look into.
type recordingVM struct {
	vmContext
	plugin *pluginContext
}

func (v *recordingVM) NewPluginContext(contextID uint32) types.PluginContext {
	v.plugin = &pluginContext{}
	return v.plugin
}

// Once a callback is done, the plugin's scratch space holds none of the
// request's or the response's header bytes (views of a buffer the host's
// later answers overwrite), whatever the next request: here a preflight
// carrying a cookie, then a request without Origin, and audited requests,
// whose response is read too.
func TestNoViewsPastTheCallback(t *testing.T) {
	held := func(t *testing.T, p *pluginContext, after string) {
		t.Helper()
		for i, pr := range p.pairs[:cap(p.pairs)] {
			if pr != (headermap.Pair{}) {
				t.Errorf("after %s: pairs[%d] = %+v", after, i, pr)
			}
		}
		for _, s := range p.decision.AppendViews(nil) {
			if *s != "" {
				t.Errorf("after %s: the decision holds %q", after, *s)
			}
		}
		if !reflect.DeepEqual(p.request.req, engine.Request{}) {
			t.Errorf("after %s: the request holds %+v", after, p.request.req)
		}
		for i, line := range p.request.acrh {
			if line != "" {
				t.Errorf("after %s: acrh[%d] = %q", after, i, line)
			}
		}
	}
	vm := &recordingVM{}
	host := startHost(t, vm, `{"allow_origins":["https://app.example.com"],"allow_credentials":true,"allow_methods":["PUT"],
		"allow_headers":["*","authorization"], "rules": [{"name": "legacy", "match": {"paths": ["/legacy"]}, "mode": "audit"}]}`)
	p := vm.plugin
	roundTrip(t, host, request("OPTIONS", "/", "origin", "https://app.example.com", "cookie", "session=SECRET",
		"access-control-request-method", "PUT", "access-control-request-headers", "x-a"), nil)
	held(t, p, "a preflight")
	roundTrip(t, host, request("GET", "/other"), upstreamResponse())
	held(t, p, "a request without Origin")
	roundTrip(t, host, request("GET", "/", "origin", "https://app.example.com", "cookie", "session=SECRET", "accept", "x"),
		upstreamResponse("access-control-allow-origin", "https://app.example.com", "set-cookie", "a=b"))
	held(t, p, "an actual request")
	for range 2 {
		roundTrip(t, host, request("GET", "/legacy", "origin", "https://app.example.com", "cookie", "session=SECRET", "accept", "x"),
			upstreamResponse("access-control-allow-origin", "*", "x-a", "b"))
		held(t, p, "an audited request")
	}
}
