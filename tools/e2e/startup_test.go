//go:build !wasip1

package e2e

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// Start-up checks: the module loads in the host as Envoy loads it, with V8's
// rule that only logging and WASI calls may run during _initialize and
// proxy_on_memory_allocate, and every import it has is provided. Two test
// builds prove that the checks can fail: testdata/initcall defines a metric
// in init (inside _initialize), testdata/missingimport imports a WASI
// function Envoy 1.33 lacks.
func TestStartup(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("starts its own hosts")
	case localBackend:
		startupInLocalHost(t)
	case envoyhostBackend:
		startupInEnvoyHost(t)
	}
}

// The test builds, each built once, from the tools module's directory.
var (
	buildInitCall      = sync.OnceValues(func() ([]byte, error) { return buildToolsModule("./e2e/testdata/initcall") })
	buildMissingImport = sync.OnceValues(func() ([]byte, error) { return buildToolsModule("./e2e/testdata/missingimport") })
)

func buildToolsModule(pkg string) ([]byte, error) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return nil, err
	}
	return testmodule.Build(filepath.Join(root, "tools"), pkg)
}

// testBuild returns a test build's bytes.
func testBuild(t *testing.T, build func() ([]byte, error)) []byte {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startupInEnvoyHost runs the start-up checks under Envoy's default failure
// policy, FAIL_CLOSED, and under FAIL_RELOAD, the one the documentation
// recommends: a failure policy decides what happens after a VM fails at run
// time, never whether a module that cannot start is refused.
func startupInEnvoyHost(t *testing.T) {
	engine := suiteEngine(t)
	for _, policy := range []envoyhost.FailurePolicy{envoyhost.FailClosed, envoyhost.FailReload} {
		t.Run("failure policy "+string(policy), func(t *testing.T) {
			startupInEnvoyHostWith(t, engine, policy)
		})
	}
}

func startupInEnvoyHostWith(t *testing.T, engine envoyhost.Engine, policy envoyhost.FailurePolicy) {
	options := func(t *testing.T, module string) envoyhost.Options {
		opts := envoyHostOptions(t, module, []byte(`{}`))
		opts.FailurePolicy = policy
		return opts
	}
	t.Run("cors.wasm loads with restricted calls trapping", func(t *testing.T) {
		opts := options(t, writeModule(t, testmodule.Module(t)))
		opts.Config = readConfig(t, "main")
		run := runInEnvoyHostWith(t, opts, []envoyhost.Request{
			{Name: "preflight", Headers: []envoyhost.Header{{":method", "OPTIONS"}, {":path", "/"}, {":authority", envoyHostAuthority},
				{":scheme", envoyHostScheme}, {"origin", app}, {"access-control-request-method", "PUT"}}},
		})
		s := run.Startup
		if s.Engine() != engine || s.FailurePolicy != policy {
			t.Errorf("runtime %q, failure policy %q; want the %s engine and %q", s.Runtime, s.FailurePolicy, engine, policy)
		}
		if !s.BaseWasmCreated || !s.ThreadLocalPluginCreated || s.ABIVersion != "0.2.1" {
			t.Errorf("base VM %v, worker VM %v, ABI %q; want both VMs and ABI 0.2.1", s.BaseWasmCreated, s.ThreadLocalPluginCreated, s.ABIVersion)
		}
		if len(s.RestrictedViolations) != 0 || len(s.HostErrors) != 0 {
			t.Errorf("at start-up: restricted calls %v, host errors %q", s.RestrictedViolations, s.HostErrors)
		}
		if st := run.Streams[0]; st.Status != 204 || st.LocalReplyDetails != "cors_preflight_allowed" {
			t.Errorf("the preflight: status %d, details %q; want the filter's 204", st.Status, st.LocalReplyDetails)
		}
		// The host copied the configuration (and then the request's
		// headers) into the module through proxy_on_memory_allocate, with
		// its own restriction trapping.
		if run.End.Hostcalls["env.proxy_get_buffer_bytes"] == 0 || run.End.Hostcalls["env.proxy_get_header_map_pairs"] == 0 {
			t.Errorf("the module never read its configuration and headers (hostcalls %v)", run.End.Hostcalls)
		}
		t.Logf("proxy-wasm-cpp-host %s, %s (engine %s): start-up %.0f ms, linear memory %d bytes", s.CppHost, s.Runtime, engine, s.StartupMS, s.MemoryBytes)
	})
	t.Run("a host call during init is refused", func(t *testing.T) {
		module := writeModule(t, testBuild(t, buildInitCall))
		s := refusedStartup(t, options(t, module))
		if want := "env.proxy_define_metric during startup"; !slices.Equal(s.RestrictedFirst, []string{want}) {
			t.Errorf("restricted calls %q; want [%q]", s.RestrictedFirst, want)
		}
		if !slices.ContainsFunc(s.HostErrors, func(e string) bool { return strings.Contains(e, "restricted_callback") }) {
			t.Errorf("host errors %q; want V8's restricted_callback trap", s.HostErrors)
		}
		// Reported rather than trapped, the same call lets the module
		// start on Wasmtime, where the kit adds the check: the trap is
		// what refuses it. V8's own adapter traps it whatever the option
		// (proxy-wasm-cpp-host src/v8/v8.cc, registerHostFunctionImpl: a
		// host function that !isHostFunctionAllowed returns
		// trap("restricted_callback"); the kit's README, "The V8
		// engine"), as in Envoy: there the option only counts the call.
		opts := options(t, module)
		opts.Restricted = envoyhost.RestrictedReport
		run, err := envoyhost.Run(context.Background(), opts, nil)
		var se *envoyhost.StartupError
		switch engine {
		case envoyhost.EngineV8:
			if !errors.As(err, &se) || !slices.ContainsFunc(se.Startup.HostErrors, func(e string) bool { return strings.Contains(e, "restricted_callback") }) {
				t.Fatalf("V8 with --restricted report: %v; want the start-up refused by V8's restricted_callback trap", err)
			}
			if n := se.Startup.RestrictedViolations["env.proxy_define_metric during startup"]; n != 1 {
				t.Errorf("V8 with --restricted report: restricted calls %v; want the one call counted", se.Startup.RestrictedViolations)
			}
		default:
			if err != nil || run.Startup.RestrictedViolations["env.proxy_define_metric during startup"] == 0 {
				t.Errorf("with --restricted report: %v, restricted calls %v; want a start counting the call", err, run.Startup.RestrictedViolations)
			}
		}
	})
	t.Run("a missing import is refused", func(t *testing.T) {
		s := refusedStartup(t, options(t, writeModule(t, testBuild(t, buildMissingImport))))
		want := "vm: Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_get"
		if !slices.Contains(s.HostErrors, want) {
			t.Errorf("host errors %q; want %q", s.HostErrors, want)
		}
	})
}

// refusedStartup starts a module Envoy's host library must refuse, and
// returns the start-up it reported.
func refusedStartup(t *testing.T, opts envoyhost.Options) envoyhost.Startup {
	t.Helper()
	_, err := envoyhost.Run(context.Background(), opts, nil)
	var se *envoyhost.StartupError
	if !errors.As(err, &se) {
		t.Fatalf("the module was not refused: %v", err)
	}
	if se.Startup.BaseWasmCreated {
		t.Error("the base VM was created")
	}
	return se.Startup
}

func startupInLocalHost(t *testing.T) {
	upstream, _ := url.Parse("http://127.0.0.1:1")
	start := func(module []byte) error {
		h, err := wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: []byte(`{}`), Upstream: upstream, VMs: 1})
		if err == nil {
			h.Close(context.Background())
		}
		return err
	}
	if err := start(testmodule.Module(t)); err != nil {
		t.Errorf("cors.wasm: %v", err)
	}
	for _, tc := range []struct {
		desc  string
		build func() ([]byte, error)
		want  string
	}{
		{"a host call during init is refused", buildInitCall, "proxy_define_metric called during _initialize"},
		{"a missing import is refused", buildMissingImport, "wasi_snapshot_preview1.fd_filestat_get"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if err := start(testBuild(t, tc.build)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one saying %q", err, tc.want)
			}
		})
	}
}
