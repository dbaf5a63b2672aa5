package abi

// Panics in callbacks, and in what reports them, never escape the registry.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

func TestPanicsAreRecovered(t *testing.T) {
	t.Parallel()
	// Every case sets up plugin 1 and stream 2 (as far as the panicking
	// method allows), then runs the callback that reaches the panicking
	// method and checks the fallback answer and the critical report.
	tests := []struct {
		method     string
		panicValue any
		callback   string
		call       func(r *registry) any
		want       any
		wantCount  int // contexts registered afterwards
	}{
		{"OnVMStart", "boom-vm", "proxy_on_vm_start", func(r *registry) any { return r.vmStart(3) }, false, 2},
		{"NewPluginContext", "boom-new-plugin", "proxy_on_context_create", func(r *registry) any { return r.configure(1, 3) }, false, 0},
		{"OnPluginStart", "boom-start", "proxy_on_configure", func(r *registry) any { return r.configure(1, 3) }, false, 2},
		{"OnPluginDone", "boom-done", "proxy_on_done", func(r *registry) any { return r.done(1) }, true, 2},
		{"NewHttpContext", "boom-new-http", "proxy_on_context_create", func(r *registry) any { return r.requestHeaders(2, 1, false) }, types.ActionContinue, 1},
		{"OnHttpRequestHeaders", "boom-request", "proxy_on_request_headers", func(r *registry) any { return r.requestHeaders(2, 1, false) }, types.ActionContinue, 2},
		{"OnHttpRequestHeaders", "nil-deref", "proxy_on_request_headers", func(r *registry) any { return r.requestHeaders(2, 1, false) }, types.ActionContinue, 2},
		{"OnHttpRequestHeaders", fmt.Errorf("boom-error"), "proxy_on_request_headers", func(r *registry) any { return r.requestHeaders(2, 1, false) }, types.ActionContinue, 2},
		{"OnHttpResponseHeaders", "boom-response", "proxy_on_response_headers", func(r *registry) any { return r.responseHeaders(2, 1, true) }, types.ActionContinue, 2},
		// The stream is forgotten after its log callback, even when it panics.
		{"OnHttpStreamDone", "boom-log", "proxy_on_log", func(r *registry) any { r.streamDone(2); return nil }, nil, 1},
		// The stream is forgotten even when its OnDelete panics.
		{"RecycleHttpContext", "boom-delete", "proxy_on_delete", func(r *registry) any { r.forget(2); return nil }, nil, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.method, tt.panicValue), func(t *testing.T) {
			t.Parallel()
			// requestAction Pause makes a dispatched, non-panicking call
			// distinguishable from the Continue fallback.
			f := &fakes{requestAction: types.ActionPause, pluginDone: false, panics: map[string]any{tt.method: tt.panicValue}}
			r, logs := newTestRegistry(f)
			r.contextCreate(1, 0)
			r.contextCreate(2, 1)

			if got := tt.call(r); got != tt.want {
				t.Errorf("result = %v, want %v", got, tt.want)
			}
			if got := r.contextCount(); got != tt.wantCount {
				t.Errorf("contextCount = %d, want %d", got, tt.wantCount)
			}
			if len(*logs) != 1 {
				t.Fatalf("got %d reports, want exactly 1: %v", len(*logs), *logs)
			}
			l := (*logs)[0]
			if l.level != LogLevelCritical {
				t.Errorf("report level = %d, want critical (%d)", l.level, LogLevelCritical)
			}
			wantText := fmt.Sprint(tt.panicValue)
			if tt.panicValue == "nil-deref" {
				wantText = "nil pointer dereference"
			}
			for _, s := range []string{tt.callback, "recovered panic", wantText} {
				if !strings.Contains(l.msg, s) {
					t.Errorf("report %q does not mention %q", l.msg, s)
				}
			}
		})
	}
}

// badError is a panic value whose Error method panics as well.
type badError struct{}

func (badError) Error() string { panic("Error() broke") }

func TestOddPanicValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		value     any
		wantLogs  int
		wantInLog string
	}{
		{"struct", struct{ a, b int }{1, 2}, 1, "unprintable type"},
		{"int", 7, 1, "recovered panic: 7"},
		{"error whose Error panics", badError{}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakes{requestAction: types.ActionPause, panics: map[string]any{"OnHttpRequestHeaders": tt.value}}
			r, logs := newTestRegistry(f)
			r.contextCreate(1, 0)
			r.contextCreate(2, 1)
			if got := r.requestHeaders(2, 1, false); got != types.ActionContinue {
				t.Fatalf("requestHeaders = %v, want Continue", got)
			}
			if len(*logs) != tt.wantLogs {
				t.Fatalf("got %d reports, want %d", len(*logs), tt.wantLogs)
			}
			if tt.wantLogs > 0 && !strings.Contains((*logs)[0].msg, tt.wantInLog) {
				t.Errorf("report %q does not contain %q", (*logs)[0].msg, tt.wantInLog)
			}
		})
	}
}

func TestPanickingLoggerDoesNotEscape(t *testing.T) {
	t.Parallel()
	f := &fakes{panics: map[string]any{"OnHttpRequestHeaders": "boom"}}
	r, _ := newTestRegistry(f)
	r.log = func(LogLevel, string) { panic("logger broke too") }
	r.contextCreate(1, 0)
	r.contextCreate(2, 1)
	if got := r.requestHeaders(2, 1, false); got != types.ActionContinue {
		t.Fatalf("requestHeaders = %v, want Continue", got)
	}
}
