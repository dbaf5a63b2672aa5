//go:build !wasip1

package envoyhost

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// fakeKit makes a kit directory whose build.sh runs script.
func fakeKit(t *testing.T, script string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "build.sh"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(KitEnv, dir)
	return dir
}

// Without ENVOYHOST_KIT the kit is ../shared/envoyhost beside the
// repository's root; with it, wherever it says.
func TestKitDir(t *testing.T) {
	t.Setenv(KitEnv, "")
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := KitDir(); err != nil || got != filepath.Join(root, "..", "shared", "envoyhost") {
		t.Errorf("KitDir() = %q, %v; want %s/../shared/envoyhost", got, err, root)
	}
	other := t.TempDir()
	t.Setenv(KitEnv, other)
	if got, err := KitDir(); err != nil || got != other {
		t.Errorf("with %s=%s: KitDir() = %q, %v", KitEnv, other, got, err)
	}
}

// Harness runs the kit's build.sh and returns the path it prints last.
func TestHarnessPrintsPath(t *testing.T) {
	dir := fakeKit(t, `echo "envoyhost: up to date" >&2; echo "$(dirname "$0")/harness"`)
	if err := os.WriteFile(filepath.Join(dir, "harness"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Harness(context.Background())
	if err != nil || got != filepath.Join(dir, "harness") {
		t.Fatalf("Harness() = %q, %v; want %s", got, err, filepath.Join(dir, "harness"))
	}
}

// The engine reaches build.sh as ENVOYHOST_ENGINE: $ENVOYHOST_ENGINE, or
// wasmtime when it is unset; an unknown engine is an error before the build.
func TestHarnessEngine(t *testing.T) {
	dir := fakeKit(t, `h="$(dirname "$0")/harness-$ENVOYHOST_ENGINE"; : > "$h"; echo "$h"`)
	for _, tc := range []struct {
		env  string
		want Engine
	}{{"", EngineWasmtime}, {"wasmtime", EngineWasmtime}, {"v8", EngineV8}} {
		t.Setenv(EngineEnv, tc.env)
		if e, err := EngineFromEnv(); e != tc.want || err != nil {
			t.Errorf("%s=%q: EngineFromEnv() = %q, %v; want %q", EngineEnv, tc.env, e, err, tc.want)
		}
		got, err := Harness(context.Background())
		if want := filepath.Join(dir, "harness-"+string(tc.want)); err != nil || got != want {
			t.Errorf("%s=%q: Harness() = %q, %v; want %s", EngineEnv, tc.env, got, err, want)
		}
	}
	t.Setenv(EngineEnv, "wamr")
	if _, err := Harness(context.Background()); err == nil || !strings.Contains(err.Error(), `ENVOYHOST_ENGINE="wamr"`) {
		t.Errorf("an unknown engine: error %v; want one naming it", err)
	}
	if e := (Startup{Runtime: "v8 10.2.154.26 (Debian libnode108 18.20.4+dfsg-1~deb12u3)"}).Engine(); e != EngineV8 {
		t.Errorf("Startup.Engine() of V8's runtime line = %q", e)
	}
	if e := (Startup{Runtime: "wasmtime 3.0.2 (wasmtime-go v3.0.2 prebuilt)"}).Engine(); e != EngineWasmtime {
		t.Errorf("Startup.Engine() of Wasmtime's runtime line = %q", e)
	}
}

// A machine without the kit, or without its build's packages, has no
// harness (ErrKitUnavailable: tests skip outside CI); a broken build is
// an ordinary error.
func TestHarnessUnavailable(t *testing.T) {
	for _, tc := range []struct {
		desc        string
		kit         func(t *testing.T)
		unavailable bool
		want        string
	}{
		{"no kit", func(t *testing.T) { t.Setenv(KitEnv, filepath.Join(t.TempDir(), "none")) }, true, "build.sh"},
		{"prerequisites missing", func(t *testing.T) {
			fakeKit(t, `echo "envoyhost: missing: g++ libssl-dev; apt-get install -y g++ libssl-dev" >&2; exit 2`)
		}, true, "apt-get install -y g++ libssl-dev"},
		{"compile error", func(t *testing.T) { fakeKit(t, `echo "harness.cc:1: error" >&2; exit 1`) }, false, "harness.cc:1: error"},
		{"no path printed", func(t *testing.T) { fakeKit(t, `echo nowhere`) }, false, `printed "nowhere"`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			tc.kit(t)
			_, err := Harness(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one saying %q", err, tc.want)
			}
			if got := errors.Is(err, ErrKitUnavailable); got != tc.unavailable {
				t.Errorf("errors.Is(err, ErrKitUnavailable) = %v; want %v (%v)", got, tc.unavailable, err)
			}
		})
	}
}
