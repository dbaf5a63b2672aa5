//go:build !wasip1

package main

// Running run() in the background, as a test drives it.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// readyLine is the last line run prints before serving.
const readyLine = "Ctrl-C to stop."

// waitLimit bounds every wait of these tests.
const waitLimit = 30 * time.Second

// output is an io.Writer safe for concurrent use that tells waiters about
// every write.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func newOutput() *output { return &output{written: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case o.written <- struct{}{}:
	default:
	}
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// running is run() started in the background.
type running struct {
	stdout, stderr *output
	cancel         context.CancelFunc
	exit           chan int
}

// start runs run() with args in the background; the test cancels it and
// waits for its exit at the end unless the test did.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: newOutput(), stderr: newOutput(), cancel: cancel, exit: make(chan int, 1)}
	go func() { r.exit <- run(ctx, args, r.stdout, r.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.exit:
		case <-time.After(waitLimit):
			t.Errorf("run did not return %v after its context was cancelled", waitLimit)
		}
	})
	return r
}

// ready waits until run prints readyLine and returns its stdout; it fails
// the test if run exits first.
func (r *running) ready(t *testing.T) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		if out := r.stdout.String(); strings.Contains(out, readyLine) {
			return out
		}
		select {
		case <-r.stdout.written:
		case code := <-r.exit:
			r.exit <- code
			t.Fatalf("run exited with %d before serving\nstdout:\n%s\nstderr:\n%s", code, r.stdout, r.stderr)
		case <-deadline:
			t.Fatalf("run printed no %q within %v\nstdout:\n%s\nstderr:\n%s", readyLine, waitLimit, r.stdout, r.stderr)
		}
	}
}

// stop cancels run's context and returns its exit code.
func (r *running) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.exit:
		r.exit <- code // for the cleanup
		return code
	case <-time.After(waitLimit):
		t.Fatalf("run did not return %v after its context was cancelled", waitLimit)
		return -1
	}
}

// result returns run's exit code once it returned by itself.
func (r *running) result(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.exit:
		r.exit <- code
		return code
	case <-time.After(waitLimit):
		t.Fatalf("run still running after %v\nstdout:\n%s\nstderr:\n%s", waitLimit, r.stdout, r.stderr)
		return -1
	}
}

// moduleFile writes the filter module to a temporary file.
func moduleFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cors.wasm")
	if err := os.WriteFile(path, testmodule.Module(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// configFile writes a plugin configuration to a temporary file.
func configFile(t *testing.T, json string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cors.json")
	if err := os.WriteFile(path, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// exampleConfigFile is the path of envoy/cors.json, the configuration make
// run uses.
func exampleConfigFile(t *testing.T) string {
	t.Helper()
	return repoFile(t, "envoy/cors.json")
}

// ephemeral are the flags that put both servers on free ports.
var ephemeral = []string{"-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0"}
