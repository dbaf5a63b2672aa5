//go:build !wasip1

package envoyhost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// KitEnv names the environment variable that overrides where the kit is.
const KitEnv = "ENVOYHOST_KIT"

// EngineEnv names the environment variable that chooses the harness's Wasm
// engine (the kit's build.sh reads the same variable).
const EngineEnv = "ENVOYHOST_ENGINE"

// Engine is the Wasm runtime under the host library: the kit builds one
// harness per engine from the same sources (its README, "The V8 engine").
type Engine string

const (
	// EngineWasmtime is Wasmtime 3.0.2, with V8's restricted-callback
	// check added by the kit: the kit's default.
	EngineWasmtime Engine = "wasmtime"
	// EngineV8 is V8 10.2 (Debian's libnode108) through cpp-host's own V8
	// adapter, Envoy's default runtime.
	EngineV8 Engine = "v8"
)

// Engines are the engines the kit builds, in the order tests run them.
var Engines = []Engine{EngineWasmtime, EngineV8}

// EngineFromEnv returns the engine $ENVOYHOST_ENGINE names, EngineWasmtime
// when it is unset; any other value is an error, as it is for build.sh.
func EngineFromEnv() (Engine, error) {
	switch e := Engine(os.Getenv(EngineEnv)); e {
	case "":
		return EngineWasmtime, nil
	case EngineWasmtime, EngineV8:
		return e, nil
	default:
		return "", fmt.Errorf("%s=%q: want %q or %q", EngineEnv, e, EngineWasmtime, EngineV8)
	}
}

// ErrKitUnavailable is wrapped by Harness's error when this machine cannot
// have the harness: the kit is not there, or its build lacks a package
// (build.sh exit code 2). Any other failure is a real error.
var ErrKitUnavailable = errors.New("the envoyhost kit is unavailable")

// KitDir returns the kit's directory: $ENVOYHOST_KIT, or ../shared/envoyhost
// beside the repository's root (the root found from the current directory).
// It does not check that the directory exists.
func KitDir() (string, error) {
	if dir := os.Getenv(KitEnv); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := testmodule.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("finding the repository's root: %w", err)
	}
	return filepath.Join(filepath.Dir(root), "shared", "envoyhost"), nil
}

// Harness builds the kit's harness for the engine $ENVOYHOST_ENGINE names
// (EngineFromEnv) when it is missing or out of date (build.sh is
// incremental: when nothing changed it only hashes the sources) and returns
// its path.
func Harness(ctx context.Context) (string, error) {
	engine, err := EngineFromEnv()
	if err != nil {
		return "", err
	}
	return HarnessFor(ctx, engine)
}

// HarnessFor is Harness for the given engine.
func HarnessFor(ctx context.Context, engine Engine) (string, error) {
	dir, err := KitDir()
	if err != nil {
		return "", err
	}
	script := filepath.Join(dir, "build.sh")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("%w: no %s (set %s to the kit's directory)", ErrKitUnavailable, script, KitEnv)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, script)
	cmd.Env = append(os.Environ(), EngineEnv+"="+string(engine))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) && exit.ExitCode() == 2 {
		return "", fmt.Errorf("%w: %s (%s engine): prerequisites missing:\n%s", ErrKitUnavailable, script, engine, strings.TrimSpace(stderr.String()))
	}
	if err != nil {
		return "", fmt.Errorf("%s (%s engine): %w\n%s", script, engine, err, strings.TrimSpace(stderr.String()))
	}
	// Progress goes to stderr; the path is the last line of stdout.
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	path := lines[len(lines)-1]
	if info, err := os.Stat(path); err != nil || info.IsDir() {
		return "", fmt.Errorf("%s printed %q, which is not the harness binary", script, path)
	}
	return path, nil
}

// HarnessForTest returns the path of the harness for the engine
// $ENVOYHOST_ENGINE names, for a test. When the kit is
// unavailable the test skips, saying what is missing, or, when CI is set,
// fails: CI must run the tests in Envoy's host.
func HarnessForTest(tb testing.TB) string {
	tb.Helper()
	path, err := Harness(context.Background())
	switch {
	case err == nil:
		return path
	case !errors.Is(err, ErrKitUnavailable):
		tb.Fatalf("building the envoyhost harness: %v", err)
	case os.Getenv("CI") != "":
		tb.Fatalf("%v\n(CI is set: the tests in Envoy's host must run there)", err)
	default:
		tb.Skipf("%v\n(outside CI the tests in Envoy's host skip without the kit)", err)
	}
	return ""
}
