//go:build !wasip1

package envoyhost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Restricted is the harness's emulation of V8's restricted-callback check:
// the host calls Envoy allows while _initialize and proxy_on_memory_allocate
// run.
type Restricted string

const (
	// RestrictedOff does not check.
	RestrictedOff Restricted = "off"
	// RestrictedReport counts violations (HostCalls.RestrictedViolations)
	// and lets the call through: the harness's default.
	RestrictedReport Restricted = "report"
	// RestrictedTrap traps the call, exactly where Envoy with V8 would.
	RestrictedTrap Restricted = "trap"
)

// FailurePolicy is Envoy's failure_policy of the Wasm filter (Istio's
// failStrategy): what the worker does with later streams once its VM has
// failed, as the harness applies it (the kit's README, "Failure policy").
type FailurePolicy string

const (
	// FailClosed is FAIL_CLOSED, Envoy's default: the stream on which the
	// VM fails and every later one get a 503 (wasm_fail_stream) without
	// the module being called, until the configuration changes.
	FailClosed FailurePolicy = "closed"
	// FailOpen is FAIL_OPEN: the failing stream gets a 503, later streams
	// pass without the filter.
	FailOpen FailurePolicy = "open"
	// FailReload is FAIL_RELOAD as in Envoy 1.33: the failing stream gets a
	// 503, and after a runtime error the next stream re-creates the worker
	// VM.
	FailReload FailurePolicy = "reload"
)

// FailurePolicies are the policies Envoy offers, FailClosed (its default)
// first.
var FailurePolicies = []FailurePolicy{FailClosed, FailOpen, FailReload}

// Options say what the harness runs.
type Options struct {
	// Harness is the harness binary (from Harness or HarnessForTest).
	Harness string
	// Module is the .wasm file.
	Module string
	// Config is the plugin configuration, passed verbatim to
	// proxy_on_configure, as Istio's pluginConfig reaches the plugin.
	Config []byte
	// Restricted is the restricted-call mode; "" is the harness's default
	// (RestrictedReport).
	Restricted Restricted
	// NoReload keeps a failed worker VM instead of re-creating it, as
	// Envoy does without FAIL_RELOAD (--no-reload): later streams fail
	// too, and a soak stops at the first failure instead of reloading the
	// VM for every stream that fails.
	NoReload bool
	// FailurePolicy, when set, applies Envoy's failure_policy
	// (--failure-policy) instead of the harness's own default, which
	// re-creates a failed worker VM right after the failed stream. It
	// cannot be combined with NoReload (FailClosed is what NoReload
	// approximates).
	FailurePolicy FailurePolicy
}

// RunResult is a run in request mode: start-up, one result per request in
// order, and the totals.
type RunResult struct {
	Startup Startup
	Streams []StreamResult
	End     End
}

// StartupError is a module the host refused to start (harness exit code 3):
// a configuration the plugin rejected, a missing import, a trap in
// _initialize.
type StartupError struct {
	Startup Startup
}

func (e *StartupError) Error() string {
	var why []string
	why = append(why, e.Startup.HostErrors...)
	for _, l := range e.Startup.Logs {
		if l.Level == "error" || l.Level == "critical" {
			why = append(why, l.Level+": "+l.Msg)
		}
	}
	for _, v := range e.Startup.RestrictedFirst {
		why = append(why, "restricted call: "+v)
	}
	return "envoyhost: the host refused to start the module:\n" + strings.Join(why, "\n")
}

// Run sends each request through the module, one stream each, in order.
// A stream that failed the VM is in its StreamResult (Failed), not an
// error.
func Run(ctx context.Context, opts Options, requests []Request) (RunResult, error) {
	var out RunResult
	var ended bool
	err := invoke(ctx, opts, nil, requests, func(event string, line []byte) error {
		switch event {
		case "request":
			var s StreamResult
			if err := json.Unmarshal(line, &s); err != nil {
				return err
			}
			out.Streams = append(out.Streams, s)
		case "end":
			ended = true
			return json.Unmarshal(line, &out.End)
		}
		return nil
	}, &out.Startup)
	if err != nil {
		return out, err
	}
	if !ended || len(out.Streams) != len(requests) {
		return out, fmt.Errorf("envoyhost: the harness reported %d of %d requests and no end (ended: %v)", len(out.Streams), len(requests), ended)
	}
	return out, nil
}

// invoke runs the harness with opts and the extra flags on requests, reads
// the start-up event into startup and hands every later event to handle.
// The harness's own failures are errors; its exit code 5 (a failed stream,
// or a soak failure or mismatch) is not: the events say what happened.
func invoke(ctx context.Context, opts Options, flags []string, requests []Request, handle func(event string, line []byte) error, startup *Startup) error {
	dir, err := os.MkdirTemp("", "envoyhost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, opts.Config, 0o600); err != nil {
		return err
	}
	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	for _, r := range requests {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	args := []string{"--module", opts.Module, "--config", config}
	switch opts.FailurePolicy {
	case "":
	case FailClosed, FailOpen, FailReload:
		if opts.NoReload {
			return fmt.Errorf("envoyhost: NoReload and FailurePolicy %q together: the harness takes one or the other", opts.FailurePolicy)
		}
		args = append(args, "--failure-policy", string(opts.FailurePolicy))
	default:
		return fmt.Errorf("envoyhost: unknown failure policy %q (want closed, open or reload)", opts.FailurePolicy)
	}
	if opts.Restricted != "" {
		args = append(args, "--restricted", string(opts.Restricted))
	}
	if opts.NoReload {
		args = append(args, "--no-reload")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, opts.Harness, append(args, flags...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = &stdin, &stdout, &stderr
	runErr := cmd.Run()
	fail := func(format string, a ...any) error {
		msg := fmt.Sprintf(format, a...)
		if runErr != nil {
			msg += " (" + runErr.Error() + ")"
		}
		if s := strings.TrimSpace(stderr.String()); s != "" {
			msg += "\nstderr:\n" + lastLines(s, 20)
		}
		return errors.New("envoyhost: " + msg)
	}
	if exit := (*exec.ExitError)(nil); runErr != nil && (!errors.As(runErr, &exit) || exit.ExitCode() != 3 && exit.ExitCode() != 5) {
		// The harness explains exit codes 2 and 4 on stdout.
		for line := range bytes.Lines(stdout.Bytes()) {
			var e struct{ Event, Error string }
			if json.Unmarshal(line, &e) == nil && (e.Event == "error" || e.Event == "reload_failed") {
				return fail("the harness failed: %s %s", e.Event, e.Error)
			}
		}
		return fail("the harness failed")
	}
	started := false
	for line := range bytes.Lines(stdout.Bytes()) {
		var e struct{ Event string }
		if err := json.Unmarshal(line, &e); err != nil {
			return fail("unreadable output line %q: %v", line, err)
		}
		if !started {
			if e.Event != "startup" {
				return fail("the first event is %q, not startup", e.Event)
			}
			if err := json.Unmarshal(line, startup); err != nil {
				return fail("startup event: %v", err)
			}
			started = true
			if !startup.OK {
				return &StartupError{*startup}
			}
			continue
		}
		if err := handle(e.Event, line); err != nil {
			return fail("%s event: %v", e.Event, err)
		}
	}
	if !started {
		return fail("no startup event")
	}
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return "… " + strconv.Itoa(len(lines)-n) + " line(s) cut\n" + strings.Join(lines[len(lines)-n:], "\n")
}
