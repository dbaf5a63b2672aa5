//go:build !wasip1

package e2e

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/tools/envoyhost"
)

var buildVMFail = sync.OnceValues(func() ([]byte, error) { return buildToolsModule("./e2e/testdata/vmfail") })

// TestFailurePolicies shows, in Envoy's host library, what each of Envoy's
// failure policies does once a worker VM has failed, as the documentation
// describes them (docs/deploying.md, "Envoy"): testdata/vmfail is a Go module
// whose VM dies on demand the way a Go module can die on Envoy 1.33 to 1.38
// (a sleep: poll_oneoff answers ENOSYS, the runtime's fatal error traps), and
// marks every request it sees. The stream on which the VM fails gets a 503
// under every policy; then FAIL_CLOSED, Envoy's default, answers 503 to
// every later stream without calling the module, FAIL_OPEN lets them pass
// without the filter, and FAIL_RELOAD re-creates the VM for the next one,
// which the module serves again.
func TestFailurePolicies(t *testing.T) {
	if backend != envoyhostBackend {
		t.Skipf("Envoy's failure policies are applied by Envoy's host library (E2E_HOST=envoyhost); the suite runs on %s", backend)
	}
	module := writeModule(t, testBuild(t, buildVMFail))
	harness := envoyhost.HarnessForTest(t)
	get := []envoyhost.Header{{":method", "GET"}, {":path", "/"}, {":authority", envoyHostAuthority}, {":scheme", envoyHostScheme}}
	requests := []envoyhost.Request{
		{Name: "before", Headers: get},
		{Name: "the VM fails", Headers: append(slices.Clone(get), envoyhost.Header{"x-corswasm-test-vm-fail", "1"})},
		{Name: "after 1", Headers: get},
		{Name: "after 2", Headers: get},
	}
	for _, policy := range envoyhost.FailurePolicies {
		t.Run(string(policy), func(t *testing.T) {
			opts := suiteOptions(harness, module, []byte(`{}`))
			opts.FailurePolicy = policy
			run, err := envoyhost.Run(context.Background(), opts, requests)
			if err != nil {
				t.Fatal(err)
			}
			before, failing, after := run.Streams[0], run.Streams[1], run.Streams[2:]
			if before.Status != 200 || before.Failed || !seenByModule(before) {
				t.Errorf("before the failure: status %d, failed %v, seen by the module %v; want 200 from the upstream, seen",
					before.Status, before.Failed, seenByModule(before))
			}
			// cpp-host's FailState 7 is RuntimeError: the trap.
			if failing.Status != 503 || failing.LocalReplyDetails != "wasm_fail_stream" || !failing.Failed || failing.FailState != 7 {
				t.Errorf("the failing stream: status %d, details %q, failed %v, fail state %d; want 503 wasm_fail_stream, failed, 7 (RuntimeError)",
					failing.Status, failing.LocalReplyDetails, failing.Failed, failing.FailState)
			}
			if c := run.End.PolicyCounts; c.FailurePolicy != policy || c.VMFailures != 1 {
				t.Errorf("policy %q, VM failures %d; want %q, 1", c.FailurePolicy, c.VMFailures, policy)
			}
			for i, s := range after {
				switch policy {
				case envoyhost.FailClosed:
					if s.Status != 503 || s.LocalReplyDetails != "wasm_fail_stream" || !s.VMFailedAtStart || seenByModule(s) {
						t.Errorf("%s: status %d, details %q, VM failed at start %v; want 503 wasm_fail_stream from the failed VM",
							s.Name, s.Status, s.LocalReplyDetails, s.VMFailedAtStart)
					}
				case envoyhost.FailOpen:
					if s.Status != 200 || s.LocalReply || s.RequestHeadersStatus != "" || seenByModule(s) || s.ForwardedRequestHeaders == nil {
						t.Errorf("%s: status %d, local reply %v, filter status %q, seen by the module %v; want the upstream's 200 without the filter",
							s.Name, s.Status, s.LocalReply, s.RequestHeadersStatus, seenByModule(s))
					}
				case envoyhost.FailReload:
					if s.Status != 200 || s.Failed || !seenByModule(s) || s.Reloaded != (i == 0) {
						t.Errorf("%s: status %d, failed %v, seen by the module %v, reloaded %v; want 200, served by a VM re-created for the first stream after the failure",
							s.Name, s.Status, s.Failed, seenByModule(s), s.Reloaded)
					}
				}
			}
			wantReloads := int64(0)
			if policy == envoyhost.FailReload {
				wantReloads = 1
			}
			if run.End.Reloads != wantReloads {
				t.Errorf("reloads %d; want %d", run.End.Reloads, wantReloads)
			}
		})
	}
}

// seenByModule reports whether testdata/vmfail served the stream: it marks
// each request it lets through.
func seenByModule(s envoyhost.StreamResult) bool {
	return slices.Contains(s.ForwardedRequestHeaders, envoyhost.Header{"x-vmfail-seen", "1"})
}
