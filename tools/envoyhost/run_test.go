//go:build !wasip1

package envoyhost

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// Run writes the requests as the harness reads them, passes the module,
// configuration and restricted mode, and reads every event back.
func TestRunPassesRequestsAndReadsResults(t *testing.T) {
	opts := fake(t, "serve")
	opts.NoReload = true
	requests := []Request{
		{Name: "preflight", Headers: []Header{{":method", "OPTIONS"}, {"origin", "https://a.example"}}},
		{Name: "actual", Headers: []Header{{":method", "GET"}}, Upstream: &Response{Status: 404, Headers: []Header{{"vary", "Accept"}}}},
	}
	run, err := Run(context.Background(), opts, requests)
	if err != nil {
		t.Fatal(err)
	}
	if !run.Startup.OK || run.Startup.MemoryBytes != 5242880 {
		t.Errorf("startup = %+v; want ok, 5242880 bytes", run.Startup)
	}
	if len(run.Startup.Logs) != 1 || run.Startup.Logs[0].Msg != `restricted=trap no-reload=yes failure-policy= config={"allow_origins":[]}` {
		t.Errorf("the harness was given %+v; want --restricted trap, --no-reload and the configuration", run.Startup.Logs)
	}
	if len(run.Streams) != 2 {
		t.Fatalf("%d stream results; want 2", len(run.Streams))
	}
	first, second := run.Streams[0], run.Streams[1]
	if first.Name != "preflight" || first.Status != 200 || !slices.Equal(first.ForwardedRequestHeaders, requests[0].Headers) {
		t.Errorf("first stream = %+v", first)
	}
	if want := []Header{{":status", "404"}, {"vary", "Accept"}}; second.Status != 404 || !slices.Equal(second.Headers, want) {
		t.Errorf("second stream: status %d, headers %q; want 404, %q", second.Status, second.Headers, want)
	}
	if second.MetricsDelta["wasmcustom.requests"] != 1 || run.End.Requests != 2 || run.End.Metrics["wasmcustom.requests"] != 2 {
		t.Errorf("metrics: delta %v, end %+v", second.MetricsDelta, run.End)
	}
}

// A failure policy reaches the harness as --failure-policy; an unknown one,
// or one with NoReload, is refused before the harness runs.
func TestRunFailurePolicy(t *testing.T) {
	for _, p := range FailurePolicies {
		opts := fake(t, "serve")
		opts.FailurePolicy = p
		run, err := Run(context.Background(), opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := "failure-policy=" + string(p) + " "; len(run.Startup.Logs) != 1 || !strings.Contains(run.Startup.Logs[0].Msg, want) {
			t.Errorf("%s: the harness was given %+v; want %q", p, run.Startup.Logs, want)
		}
	}
	for _, tc := range []struct {
		desc     string
		policy   FailurePolicy
		noReload bool
		want     string
	}{
		{"unknown", "fail_closed", false, `unknown failure policy "fail_closed"`},
		{"with NoReload", FailClosed, true, "NoReload and FailurePolicy"},
	} {
		opts := fake(t, "serve")
		opts.FailurePolicy, opts.NoReload = tc.policy, tc.noReload
		if _, err := Run(context.Background(), opts, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want one saying %q", tc.desc, err, tc.want)
		}
	}
}

// A module the host refuses is a *StartupError that says why.
func TestRunRefusedStartup(t *testing.T) {
	_, err := Run(context.Background(), fake(t, "refuse"), nil)
	var se *StartupError
	if !errors.As(err, &se) {
		t.Fatalf("error %v; want a *StartupError", err)
	}
	for _, want := range []string{"Failed to configure base Wasm plugin", "critical: corswasm: invalid configuration: max_age: -1", "restricted call: env.proxy_define_metric during startup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if se.Startup.OK {
		t.Error("Startup.OK is true")
	}
}

// The harness's own failures are errors that carry its explanation.
func TestRunHarnessFailures(t *testing.T) {
	for _, tc := range []struct{ behaviour, want string }{
		{"input", `unknown key "header" in request`},
		{"crash", "std::bad_alloc"},
		{"short", "reported 0 of 1 requests"},
	} {
		t.Run(tc.behaviour, func(t *testing.T) {
			_, err := Run(context.Background(), fake(t, tc.behaviour), []Request{{Name: "x"}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one saying %q", err, tc.want)
			}
			var se *StartupError
			if errors.As(err, &se) {
				t.Errorf("a harness failure reported as a refused start-up: %v", err)
			}
		})
	}
}

// A harness that does not exist is an error, not a panic or a hang.
func TestRunMissingHarness(t *testing.T) {
	_, err := Run(context.Background(), Options{Harness: t.TempDir() + "/no-harness", Module: "m.wasm"}, nil)
	if err == nil {
		t.Fatal("no error")
	}
}
