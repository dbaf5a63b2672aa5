package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/internal/testing/wasmbin"
)

// envoyWASI is the WASI function set Envoy provides since 1.33
// (proxy-wasm-cpp-host PR #427; ../shared/ENVOY.md). A module importing
// anything else fails to load there.
var envoyWASI = map[string]bool{
	"args_get": true, "args_sizes_get": true, "clock_time_get": true, "environ_get": true,
	"environ_sizes_get": true, "fd_write": true, "fd_read": true, "fd_seek": true, "fd_close": true,
	"fd_fdstat_get": true, "fd_fdstat_set_flags": true, "fd_prestat_get": true,
	"fd_prestat_dir_name": true, "path_open": true, "poll_oneoff": true, "proc_exit": true,
	"random_get": true, "sched_yield": true,
}

// hostCalls are the proxy-wasm host functions the filter may import; each
// is provided by Envoy, by our test host and by the SDK's proxytest.
var hostCalls = map[string]bool{
	"proxy_log": true, "proxy_get_buffer_bytes": true, "proxy_get_header_map_pairs": true,
	"proxy_get_header_map_value": true, "proxy_add_header_map_value": true,
	"proxy_replace_header_map_value": true, "proxy_remove_header_map_value": true,
	"proxy_send_local_response": true, "proxy_define_metric": true, "proxy_increment_metric": true,
	"proxy_get_property": true,
	"proxy_set_property": true,
}

// requiredExports are what Envoy needs to load the module (ABI version,
// allocator, reactor initializer) and the callbacks the filter relies on.
var requiredExports = []string{
	"_initialize", "memory", "proxy_abi_version_0_2_1", "proxy_on_memory_allocate",
	"proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure",
	"proxy_on_request_headers", "proxy_on_response_headers",
	"proxy_on_log", "proxy_on_done", "proxy_on_delete",
}

func TestModuleExports(t *testing.T) {
	exports, err := wasmbin.Exports(testmodule.Module(t))
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool)
	for _, e := range exports {
		have[e.Name] = true
	}
	for _, name := range requiredExports {
		if !have[name] {
			t.Errorf("the module does not export %s", name)
		}
	}
	if have["_start"] {
		t.Error("the module exports _start: it must be a reactor (-buildmode=c-shared), not a command")
	}
}

func TestModuleImports(t *testing.T) {
	imports, err := wasmbin.Imports(testmodule.Module(t))
	if err != nil {
		t.Fatal(err)
	}
	logs := false
	for _, im := range imports {
		logs = logs || im.Module == "env" && im.Name == "proxy_log"
		switch {
		case im.Module == "wasi_snapshot_preview1" && envoyWASI[im.Name]:
		case im.Module == "env" && hostCalls[im.Name]:
		default:
			t.Errorf("the module imports %s.%s, which Envoy >= 1.33 does not provide", im.Module, im.Name)
		}
	}
	if !logs {
		t.Errorf("the module's %d imports lack env.proxy_log: were they read at all?", len(imports))
	}
}

// The Makefile builds build/cors.wasm with the flags the tests build with,
// so that what the tests run is what ships.
func TestMakefileBuildFlags(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	// The Makefile's -ldflags also stamp the version (-X): the tests'
	// builds have the same flags but that one.
	var flags []string
	for _, f := range testmodule.BuildFlags {
		if ld, ok := strings.CutPrefix(f, "-ldflags="); ok {
			f = `-ldflags "` + ld + ` -X github.com/corswasm/corswasm/filter.Version=$(VERSION)"`
		}
		flags = append(flags, f)
	}
	want := "GOOS=wasip1 GOARCH=wasm go build " + strings.Join(flags, " ")
	if !strings.Contains(string(mk), want) {
		t.Errorf("the Makefile does not build with %q", want)
	}
}

// The module is built with exactly the Go toolchain go.mod names (the
// tools module names the same), so that two machines with different Go
// releases build the same bytes and the same OCI digest: the Makefile
// sets GOTOOLCHAIN to it, and the module the Makefile built carries that
// release's version string and no other.
func TestModuleToolchainPinned(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	toolchain := func(gomod string) string {
		b, err := os.ReadFile(filepath.Join(root, gomod))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^toolchain (go1\.[0-9]+\.[0-9]+)$`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s has no toolchain line naming a Go release", gomod)
		}
		return string(m[1])
	}
	want := toolchain("go.mod")
	if tools := toolchain("tools/go.mod"); tools != want {
		t.Errorf("tools/go.mod names toolchain %s; go.mod %s", tools, want)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "export GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)") {
		t.Error("the Makefile does not set GOTOOLCHAIN from go.mod")
	}
	if os.Getenv("CORSWASM_MODULE") == "" {
		t.Log("not checking the module's bytes: CORSWASM_MODULE (set by make test) names no module built by the Makefile")
		return
	}
	found := regexp.MustCompile(`go1\.[0-9]+\.[0-9]+`).FindAll(testmodule.Module(t), -1)
	var versions []string
	for _, v := range found {
		if !slices.Contains(versions, string(v)) {
			versions = append(versions, string(v))
		}
	}
	if !slices.Equal(versions, []string{want}) {
		t.Errorf("the module carries Go versions %q; want only %s", versions, want)
	}
}
