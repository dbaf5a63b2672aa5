package wasmbin

// Tests that run renamed modules in a real wasm runtime (wazero).

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// TestRenamedModuleIsValid checks the re-encoded export section against a
// real validator: wazero compiles the renamed module and calls the export by
// its new name. The new name is long enough to change both the name's and
// the section's LEB128 size.
func TestRenamedModuleIsValid(t *testing.T) {
	t.Parallel()
	bin := newBuilder().
		section(1, vec([]byte{0x60, 0x00, 0x01, 0x7f})).
		section(3, vec([]byte{0x00})).
		section(7, vec(cat(name("answer"), []byte{0x00, 0x00}))).
		section(10, vec([]byte{0x04, 0x00, 0x41, 0x2a, 0x0b})).
		b
	newName := strings.Repeat("n", 200)
	out, err := RenameExport(bin, "answer", newName)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, out)
	if err != nil {
		t.Fatalf("wazero rejects the renamed module: %v", err)
	}
	if mod.ExportedFunction("answer") != nil {
		t.Error("the old export name is still present")
	}
	f := mod.ExportedFunction(newName)
	if f == nil {
		t.Fatal("the new export name is missing")
	}
	res, err := f.Call(ctx)
	if err != nil || len(res) != 1 || res[0] != 42 {
		t.Fatalf("calling the renamed export = %v, %v; want [42]", res, err)
	}
}

const reactorSource = `package main

import "strconv"

var answer int32

func init() {
	// Computed at run time, so it is only set if init() ran.
	n, _ := strconv.Atoi("42")
	answer = int32(n)
}

//go:wasmexport answer
func getAnswer() int32 { return answer }

func main() {}
`

// TestRenamedGoReactorInitializes builds a real Go wasip1 reactor and shows
// why the rename exists: wazero never runs _initialize, so the module's
// exports fail until _initialize is renamed to _start, which wazero runs on
// instantiation.
func TestRenamedGoReactorInitializes(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":  "module example.com/reactor\n\ngo 1.24\n",
		"main.go": reactorSource,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wasmPath := filepath.Join(dir, "reactor.wasm")
	cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-o", wasmPath, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}

	exports, err := Exports(bin)
	if err != nil {
		t.Fatalf("Exports: %v", err)
	}
	names := make([]string, len(exports))
	for i, e := range exports {
		names[i] = e.Name
	}
	if !slices.Contains(names, "_initialize") || !slices.Contains(names, "answer") || slices.Contains(names, "_start") {
		t.Fatalf("exports of a Go reactor = %q, want _initialize and answer but no _start", names)
	}
	imports, err := Imports(bin)
	if err != nil {
		t.Fatalf("Imports: %v", err)
	}
	if len(imports) == 0 {
		t.Fatal("a Go wasip1 module has no imports?")
	}
	for _, im := range imports {
		if im.Module != "wasi_snapshot_preview1" || im.Kind != KindFunc {
			t.Errorf("unexpected import %+v: a plain Go reactor imports only WASI functions", im)
		}
	}

	call := func(t *testing.T, bin []byte) (uint64, error) {
		ctx := context.Background()
		r := wazero.NewRuntime(ctx)
		t.Cleanup(func() { r.Close(ctx) })
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
		mod, err := r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig())
		if err != nil {
			return 0, err
		}
		res, err := mod.ExportedFunction("answer").Call(ctx)
		if err != nil {
			return 0, err
		}
		return res[0], nil
	}

	if v, err := call(t, bin); err == nil {
		t.Errorf("without the rename, answer() = %d and no error; expected the Go runtime to refuse (not initialized)", v)
	}
	renamed, err := RenameExport(bin, "_initialize", "_start")
	if err != nil {
		t.Fatalf("RenameExport: %v", err)
	}
	v, err := call(t, renamed)
	if err != nil {
		t.Fatalf("renamed module: %v", err)
	}
	if v != 42 {
		t.Fatalf("answer() = %d, want 42 (set by init)", v)
	}
}
