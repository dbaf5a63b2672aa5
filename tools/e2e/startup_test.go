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

func startupInEnvoyHost(t *testing.T) {
	t.Run("cors.wasm loads with restricted calls trapping", func(t *testing.T) {
		run := runInEnvoyHost(t, writeModule(t, testmodule.Module(t)), readConfig(t, "main"), []envoyhost.Request{
			{Name: "preflight", Headers: []envoyhost.Header{{":method", "OPTIONS"}, {":path", "/"}, {":authority", envoyHostAuthority},
				{":scheme", envoyHostScheme}, {"origin", app}, {"access-control-request-method", "PUT"}}},
		})
		s := run.Startup
		if !s.BaseWasmCreated || !s.ThreadLocalPluginCreated || s.ABIVersion != "0.2.1" {
			t.Errorf("base VM %v, worker VM %v, ABI %q; want both VMs and ABI 0.2.1", s.BaseWasmCreated, s.ThreadLocalPluginCreated, s.ABIVersion)
		}
		if len(s.RestrictedViolations) != 0 || len(s.HostErrors) != 0 {
			t.Errorf("at start-up: restricted calls %v, host errors %q", s.RestrictedViolations, s.HostErrors)
		}
		// The host copied the configuration (and then the request's
		// headers) into the module through proxy_on_memory_allocate, with
		// its own restriction trapping.
		if run.End.Hostcalls["env.proxy_get_buffer_bytes"] == 0 || run.End.Hostcalls["env.proxy_get_header_map_pairs"] == 0 {
			t.Errorf("the module never read its configuration and headers (hostcalls %v)", run.End.Hostcalls)
		}
		t.Logf("proxy-wasm-cpp-host %s, %s: start-up %.0f ms, linear memory %d bytes", s.CppHost, s.Runtime, s.StartupMS, s.MemoryBytes)
	})
	t.Run("a host call during init is refused", func(t *testing.T) {
		module := writeModule(t, testBuild(t, buildInitCall))
		s := refusedStartup(t, module)
		if want := "env.proxy_define_metric during startup"; !slices.Equal(s.RestrictedFirst, []string{want}) {
			t.Errorf("restricted calls %q; want [%q]", s.RestrictedFirst, want)
		}
		if !slices.ContainsFunc(s.HostErrors, func(e string) bool { return strings.Contains(e, "restricted_callback") }) {
			t.Errorf("host errors %q; want V8's restricted_callback trap", s.HostErrors)
		}
		// Reported rather than trapped, the same call lets the module
		// start: the trap is what refuses it.
		opts := envoyHostOptions(t, module, []byte(`{}`))
		opts.Restricted = envoyhost.RestrictedReport
		run, err := envoyhost.Run(context.Background(), opts, nil)
		if err != nil || run.Startup.RestrictedViolations["env.proxy_define_metric during startup"] == 0 {
			t.Errorf("with --restricted report: %v, restricted calls %v; want a start counting the call", err, run.Startup.RestrictedViolations)
		}
	})
	t.Run("a missing import is refused", func(t *testing.T) {
		s := refusedStartup(t, writeModule(t, testBuild(t, buildMissingImport)))
		want := "vm: Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_get"
		if !slices.Contains(s.HostErrors, want) {
			t.Errorf("host errors %q; want %q", s.HostErrors, want)
		}
	})
}

// refusedStartup starts a module Envoy's host library must refuse, and
// returns the start-up it reported.
func refusedStartup(t *testing.T, module string) envoyhost.Startup {
	t.Helper()
	_, err := envoyhost.Run(context.Background(), envoyHostOptions(t, module, []byte(`{}`)), nil)
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
