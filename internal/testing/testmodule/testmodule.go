// Package testmodule gives tests the compiled filter module. It is imported
// only by tests.
//
// With CORSWASM_MODULE (and CORSWASM_PANICTEST_MODULE,
// CORSWASM_ALLOCSTAT_MODULE, CORSWASM_LATEGC_MODULE) set, as `make test`
// sets them, tests use those files: the very build/cors.wasm that ships.
// Without, the module is built from the current sources with the same
// command the Makefile uses, so that a plain `go test ./...` never tests a
// stale module. Go's build cache makes that rebuild nearly free when nothing
// changed.
package testmodule

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/wasmbin"
)

// BuildFlags are the flags of the module build, after GOOS=wasip1
// GOARCH=wasm go build; the Makefile uses the same (a test checks it).
// -ldflags=-s leaves out the wasm name section (function names for a host's
// trap backtraces, about 100 KB): Go's own panic and fatal-error tracebacks
// come from the runtime's tables, which stay.
var BuildFlags = []string{"-buildmode=c-shared", "-trimpath", "-ldflags=-s"}

// PanicTestTag is the build tag of the test module whose filter panics on
// demand (see testheaders.PanicHeader).
const PanicTestTag = "corswasm_panictest"

// AllocStatTag is the build tag of the test module that counts its heap
// allocations in a counter (see internal/abi's AllocMetric) and allocates on
// demand (testheaders.AllocHeader).
const AllocStatTag = "corswasm_allocstat"

// LateGCTag is the build tag of the test module whose garbage collector
// starts late (see filter's testhook_lategc.go).
const LateGCTag = "corswasm_lategc"

var cache sync.Map // build tag → *result

type result struct {
	once sync.Once
	bin  []byte
	err  error
}

// Module returns the production module's bytes.
func Module(tb testing.TB) []byte {
	tb.Helper()
	bin, err := ModuleBytes()
	if err != nil {
		tb.Fatalf("the wasm module: %v", err)
	}
	return bin
}

// ModuleBytes is Module for callers without a testing.TB, such as TestMain.
func ModuleBytes() ([]byte, error) {
	return get("", "CORSWASM_MODULE")
}

// PanicTestModule returns the module built with PanicTestTag.
func PanicTestModule(tb testing.TB) []byte {
	tb.Helper()
	bin, err := get(PanicTestTag, "CORSWASM_PANICTEST_MODULE")
	if err != nil {
		tb.Fatalf("the wasm module: %v", err)
	}
	return bin
}

// AllocStatModule returns the module built with AllocStatTag.
func AllocStatModule(tb testing.TB) []byte {
	tb.Helper()
	bin, err := get(AllocStatTag, "CORSWASM_ALLOCSTAT_MODULE")
	if err != nil {
		tb.Fatalf("the wasm module: %v", err)
	}
	return bin
}

// LateGCModule returns the module built with LateGCTag.
func LateGCModule(tb testing.TB) []byte {
	tb.Helper()
	bin, err := get(LateGCTag, "CORSWASM_LATEGC_MODULE")
	if err != nil {
		tb.Fatalf("the wasm module: %v", err)
	}
	return bin
}

func get(tag, env string) ([]byte, error) {
	v, _ := cache.LoadOrStore(tag, &result{})
	r := v.(*result)
	r.once.Do(func() {
		if path := os.Getenv(env); env != "" && path != "" {
			r.bin, r.err = os.ReadFile(path)
			return
		}
		r.bin, r.err = build(tag)
	})
	return r.bin, r.err
}

// build builds the module, the product module's main package, with a
// build tag or none.
func build(tag string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	var tags []string
	if tag != "" {
		tags = append(tags, tag)
	}
	return Build(root, ".", tags...)
}

// Build builds the main package pkg of the Go module in dir into a wasm
// module, with the Makefile's command and the build tags tags, and returns
// its bytes.
func Build(dir, pkg string, tags ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "corswasm-module")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "cors.wasm")
	args := append([]string{"build"}, BuildFlags...)
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	args = append(args, "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, &buildError{strings.Join(cmd.Args, " "), string(msg), err}
	}
	return os.ReadFile(out)
}

type buildError struct {
	cmd, output string
	err         error
}

func (e *buildError) Error() string {
	return "GOOS=wasip1 GOARCH=wasm " + e.cmd + ": " + e.err.Error() + "\n" + e.output
}

// ProductModule is the module path of the product module, the repository's
// root.
const ProductModule = "github.com/corswasm/corswasm"

// RepoRoot returns the repository's root, the directory of the product
// module's go.mod: the current module's directory or, from the tools module
// (tools/), the nearest directory above whose go.mod declares ProductModule.
func RepoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a Go module")
	}
	for dir := filepath.Dir(gomod); ; {
		if modulePath(filepath.Join(dir, "go.mod")) == ProductModule {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod declaring module %s in %s or above", ProductModule, filepath.Dir(gomod))
		}
		dir = parent
	}
}

// modulePath returns the module path a go.mod file declares, or "" if it
// cannot be read.
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// ForProxytest renames the reactor's _initialize export to _start:
// proxytest.NewWasmVMContext instantiates a module with wazero, which runs
// _start, but never calls _initialize, and every other export of a Go
// reactor fails before it ran.
func ForProxytest(tb testing.TB, bin []byte) []byte {
	tb.Helper()
	out, err := wasmbin.RenameExport(bin, "_initialize", "_start")
	if err != nil {
		tb.Fatalf("renaming _initialize: %v", err)
	}
	return out
}
