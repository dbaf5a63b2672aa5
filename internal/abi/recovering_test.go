package abi

import (
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// recoveringVM is a fakeVM that declares its HTTP contexts recover their
// own panics.
type recoveringVM struct{ fakeVM }

func (recoveringVM) HttpContextsRecoverPanics() {}

// With a RecoveringHttpContexts VM context the registry adds no recover
// around the HTTP callbacks that declaration covers (a panic there is the
// context's to handle: here it reaches the caller, proving nothing caught
// it), and still guards every other callback.
func TestRecoveringHttpContextsAreCalledUnguarded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		method string
		call   func(r *registry)
	}{
		{"OnHttpRequestHeaders", func(r *registry) { r.requestHeaders(2, 1, false) }},
		{"OnHttpResponseHeaders", func(r *registry) { r.responseHeaders(2, 1, true) }},
		{"OnHttpStreamDone", func(r *registry) { r.streamDone(2) }},
	} {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			f := &fakes{panics: map[string]any{tt.method: "boom"}, requestAction: types.ActionPause}
			r := newRegistry(recoveringVM{fakeVM{f}})
			r.log = func(LogLevel, string) {}
			r.contextCreate(1, 0)
			r.contextCreate(2, 1)
			defer func() {
				if v := recover(); v != "boom" {
					t.Errorf("recovered %v; want the context's panic to reach the caller unrecovered", v)
				}
			}()
			tt.call(r)
			t.Error("the callback returned; want its panic")
		})
	}

	// Callbacks the declaration does not cover stay guarded.
	f := &fakes{panics: map[string]any{"RecycleHttpContext": "boom", "OnPluginDone": "boom"}, pluginDone: true}
	r := newRegistry(recoveringVM{fakeVM{f}})
	var logs int
	r.log = func(LogLevel, string) { logs++ }
	r.contextCreate(1, 0)
	r.contextCreate(2, 1)
	if got := r.requestHeaders(2, 1, false); got != types.ActionContinue {
		t.Errorf("requestHeaders = %v; want the context's Continue", got)
	}
	r.forget(2)
	if ok := r.done(1); !ok {
		t.Error("done after a panicking OnPluginDone = false; want true")
	}
	if logs != 2 {
		t.Errorf("%d panic reports; want 2 (proxy_on_delete, proxy_on_done)", logs)
	}
}
