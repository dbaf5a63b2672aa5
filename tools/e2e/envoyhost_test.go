//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/corswasm/corswasm/tools/envoyhost"
)

// With E2E_HOST=envoyhost the suite runs in Envoy's own Wasm host library
// (proxy-wasm-cpp-host at Envoy 1.33's commit), through the envoyhost kit's
// harness (package envoyhost), on the engine ENVOYHOST_ENGINE names:
// Wasmtime (the default), with V8's restricted-call rule trapping, or V8
// itself, whose adapter enforces that rule (make test-envoyhost runs the
// suite in both). The harness has no HTTP: an exchange becomes the
// request's headers and the upstream's response headers, and its result
// is the response the client would get. Each test that runs on the local
// host runs there too, except those listed in notInEnvoyHost. Where the
// harness differs from Envoy, the suite makes up for it:
//
//   - Inline headers: Envoy joins the lines of origin, access-control-* and
//     vary into one entry (its codec and a plugin's add alike); the harness
//     keeps them apart, so requests are joined before they go in and
//     responses after they come out (envoyhost.JoinInline).
//   - No HTTP/1 codec: a local reply's content-length: 0 is the codec's,
//     so there the suite checks that the filter set none (wantEmptyBody).
//   - The upstream is the exchange's response headers, not the echo
//     server: "the upstream answered" is the harness's forwarded request.

// notInEnvoyHost are the tests that cannot run in Envoy's host library, and
// why; they skip there with this reason.
var notInEnvoyHost = map[string]string{
	"TestBrowser":         "a browser speaks HTTP to a server, and the harness has no HTTP: it takes a request's headers and an upstream's response and prints the result",
	"TestBrowserFormPost": "a browser speaks HTTP to a server, and the harness has no HTTP (as TestBrowser)",
}

// skipInEnvoyHost skips a test listed in notInEnvoyHost when the suite runs
// in Envoy's host library.
func skipInEnvoyHost(t *testing.T) {
	t.Helper()
	if backend != envoyhostBackend {
		return
	}
	why, ok := notInEnvoyHost[t.Name()]
	if !ok {
		t.Fatalf("%s does not run in Envoy's host library, but notInEnvoyHost does not say why", t.Name())
	}
	t.Skip("not in Envoy's host library: " + why)
}

// runInEnvoyHost runs requests through the module (a file) with the
// configuration, as Envoy with V8 would (restricted calls trap), and fails
// the test on any of runProblems or a stream's problems.
func runInEnvoyHost(t *testing.T, module string, config []byte, requests []envoyhost.Request) envoyhost.RunResult {
	t.Helper()
	return runInEnvoyHostWith(t, envoyHostOptions(t, module, config), requests)
}

// runInEnvoyHostWith is runInEnvoyHost with the given harness options.
func runInEnvoyHostWith(t *testing.T, opts envoyhost.Options, requests []envoyhost.Request) envoyhost.RunResult {
	t.Helper()
	run, err := envoyhost.Run(context.Background(), opts, requests)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range runProblems(run) {
		t.Error(p)
	}
	for _, s := range run.Streams {
		for _, p := range harnessOutcome(s).problems {
			t.Errorf("%s: %s", s.Name, p)
		}
	}
	return run
}

// runProblems is what makes a run unclean: a failed stream, a restricted
// call, a host error, an error logged at start-up.
func runProblems(run envoyhost.RunResult) []string {
	var problems []string
	if run.End.FailedRequests != 0 || len(run.End.RestrictedViolations) != 0 || len(run.End.HostErrors) != 0 {
		problems = append(problems, fmt.Sprintf("failed requests %d, restricted calls %v, host errors %q",
			run.End.FailedRequests, run.End.RestrictedViolations, run.End.HostErrors))
	}
	for _, l := range run.Startup.Logs {
		if l.Level == "error" || l.Level == "critical" {
			problems = append(problems, fmt.Sprintf("logged at start-up: %s: %s", l.Level, l.Msg))
		}
	}
	return problems
}

// suiteEngine returns the engine the suite runs on in Envoy's host library.
func suiteEngine(t *testing.T) envoyhost.Engine {
	t.Helper()
	engine, err := envoyhost.EngineFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// envoyHostOptions are the harness options of the suite for a test.
func envoyHostOptions(t *testing.T, module string, config []byte) envoyhost.Options {
	t.Helper()
	return suiteOptions(envoyhost.HarnessForTest(t), module, config)
}

// suiteOptions are the harness options of the suite: restricted calls trap,
// as in Envoy with V8 (on the V8 engine they trap whatever the option says).
func suiteOptions(harness, module string, config []byte) envoyhost.Options {
	return envoyhost.Options{Harness: harness, Module: module, Config: config, Restricted: envoyhost.RestrictedTrap}
}

// writeModule writes a module's bytes to a file for the harness.
func writeModule(t *testing.T, bin []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "module.wasm")
	if err := os.WriteFile(path, bin, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
