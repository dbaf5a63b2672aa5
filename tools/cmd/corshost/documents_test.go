//go:build !wasip1

package main

import (
	"strings"
	"testing"
)

// make run CONFIG=envoy/wasmplugin.yaml serves the WasmPlugin's
// pluginConfig, and says where it took it from.
func TestRunWasmPluginConfiguration(t *testing.T) {
	config := repoFile(t, "envoy/wasmplugin.yaml")
	r := start(t, append([]string{"-module", moduleFile(t), "-config", config, "-vms", "1"}, ephemeral...)...)
	stdout := r.ready(t)
	if want := "  config:   " + config + ":46 (WasmPlugin istio-system/corswasm)\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	checkExamples(t, stdout, want{origin: "https://app.example.com", preflightStatus: 204, refusedStatus: 403})
	if code := r.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0\nstderr:\n%s", code, r.stderr)
	}
}

// A file with several corswasm plugins runs the one -plugin names, and
// without -plugin asks for it (exit 2) rather than pick one.
func TestRunNamedPlugin(t *testing.T) {
	config := repoFile(t, "tools/e2e/envoy.yaml")
	r := start(t, append([]string{"-module", moduleFile(t), "-config", config}, ephemeral...)...)
	if code := r.result(t); code != exitUsage || !strings.Contains(r.stderr.String(), "holds 7 corswasm configurations; choose one with -plugin") {
		t.Fatalf("no -plugin: exit %d; want %d\nstderr:\n%s", code, exitUsage, r.stderr)
	}
	if strings.Contains(r.stdout.String(), "config:") {
		t.Errorf("stdout says it loaded a configuration:\n%s", r.stdout)
	}

	r = start(t, append([]string{"-module", moduleFile(t), "-config", config, "-plugin", "corswasm-forward", "-vms", "1"}, ephemeral...)...)
	stdout := r.ready(t)
	if want := "  config:   " + config + ":106 (static_resources.listeners[1]."; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	checkExamples(t, stdout, want{origin: "https://app.example.com", preflightStatus: 204, refusedStatus: 200, refusedByEcho: true})
	if code := r.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0\nstderr:\n%s", code, r.stderr)
	}
}
