//go:build !wasip1

package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corswasm/corswasm/tools/echo"
)

func TestRunExampleConfiguration(t *testing.T) {
	module := moduleFile(t)
	config := exampleConfigFile(t)
	r := start(t, append([]string{"-module", module, "-config", config}, ephemeral...)...)
	stdout := r.ready(t)

	for _, s := range []string{module + " (", config, "built-in echo upstream", "WASI envoy-1.33, 2 VM(s)", "curl -s http://127.0.0.1:"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stdout, "curl -si -X OPTIONS http://127.0.0.1:") ||
		!strings.Contains(stdout, "-H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: PUT'") {
		t.Errorf("stdout lacks the allowed preflight with envoy/cors.json's first origin and method:\n%s", stdout)
	}
	if got := strings.Count(r.stderr.String(), "corswasm: configuration loaded"); got != 2 {
		t.Errorf("stderr has %d lines of the plugin's %q, want one per VM:\n%s", got, "configuration loaded", r.stderr)
	}

	statsURL := checkExamples(t, stdout, want{origin: "https://app.example.com", preflightStatus: 204, refusedStatus: 403})
	req, _ := http.NewRequest(http.MethodGet, statsURL, nil)
	stats := do(t, req)
	for _, line := range []string{
		"wasmcustom.corswasm.preflight.allowed: 1",
		"wasmcustom.corswasm.preflight.rejected: 1",
		"wasmcustom.corswasm.actual.allowed: 1",
	} {
		if !strings.Contains(stats.body, line+"\n") {
			t.Errorf("/stats lacks %q:\n%s", line, stats.body)
		}
	}

	listener := curlRequest(t, curlCommands(t, stdout)[2]).URL.Host
	if code := r.stop(t); code != 0 {
		t.Fatalf("exit code %d after cancelling, want 0\nstderr:\n%s", code, r.stderr)
	}
	if out := r.stdout.String(); !strings.Contains(out, "stopped. Bye.") {
		t.Errorf("no goodbye after cancelling:\n%s", out)
	}
	if conn, err := net.Dial("tcp", listener); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after run returned", listener)
	}
}

func TestRunDerivesExamplesFromConfiguration(t *testing.T) {
	module := moduleFile(t)
	for _, tc := range []struct {
		name, config string
		want         want
		note         string // expected in stdout
	}{{
		name:   "subdomain wildcard only",
		config: `{"allow_origins": ["https://*.example.net"], "allow_methods": ["PATCH"]}`,
		want:   want{origin: "https://app.example.net", preflightStatus: 204, refusedStatus: 403},
		note:   `no exact origin in allow_origins: the examples use https://app.example.net, made from "https://*.example.net"`,
	}, {
		name:   "port wildcard, no methods",
		config: `{"allow_origins": ["http://localhost:*"]}`,
		want:   want{origin: "http://localhost:3000", preflightStatus: 204, refusedStatus: 403},
		note:   "made from",
	}, {
		name:   "any origin",
		config: `{"allow_origins": ["*"], "allow_methods": ["DELETE"]}`,
		want:   want{origin: fallbackOrigin, allowOrigin: "*", preflightStatus: 204, refusedStatus: 403},
		note:   "method not allowed",
	}, {
		name:   "preflight status 200, unmatched preflights forwarded",
		config: `{"allow_origins": ["https://A.example"], "preflight_status": 200, "on_unmatched_preflight": "forward"}`,
		want:   want{origin: "https://a.example", preflightStatus: 200, refusedStatus: 200, refusedByEcho: true},
		note:   "expect 200 with",
	}, {
		name:   "preflights refused for their origin forwarded",
		config: `{"allow_origins": ["https://a.example"], "on_unmatched_preflight": "forward_disallowed_origin"}`,
		want:   want{origin: "https://a.example", preflightStatus: 204, refusedStatus: 200, refusedByEcho: true},
		note:   "on_unmatched_preflight is forward_disallowed_origin, so expect the upstream's answer",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, append([]string{"-module", module, "-config", configFile(t, tc.config), "-vms", "1"}, ephemeral...)...)
			stdout := r.ready(t)
			if !strings.Contains(stdout, tc.note) {
				t.Errorf("stdout lacks %q:\n%s", tc.note, stdout)
			}
			checkExamples(t, stdout, tc.want)
			if code := r.stop(t); code != 0 {
				t.Errorf("exit code %d, want 0\nstderr:\n%s", code, r.stderr)
			}
		})
	}
}

func TestRunExternalUpstream(t *testing.T) {
	var got atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		echo.Handler().ServeHTTP(w, r)
	}))
	defer upstream.Close()
	r := start(t, append([]string{"-module", moduleFile(t), "-config", exampleConfigFile(t), "-upstream", upstream.URL, "-vms", "1"}, ephemeral...)...)
	stdout := r.ready(t)
	if !strings.Contains(stdout, "upstream: "+upstream.URL+"\n") || strings.Contains(stdout, "echo upstream") {
		t.Errorf("stdout does not name %s as the only upstream:\n%s", upstream.URL, stdout)
	}
	checkExamples(t, stdout, want{origin: "https://app.example.com", preflightStatus: 204, refusedStatus: 403})
	if n := got.Load(); n != 1 {
		t.Errorf("the upstream got %d requests, want the actual request only", n)
	}
	if code := r.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0\nstderr:\n%s", code, r.stderr)
	}
}

func TestRunBadConfiguration(t *testing.T) {
	config := configFile(t, `{"allow_origins": ["*"], "allow_credentials": true, "max_age": -1}`)
	r := start(t, append([]string{"-module", moduleFile(t), "-config", config}, ephemeral...)...)
	if code := r.result(t); code != 1 {
		t.Fatalf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, r.stdout, r.stderr)
	}
	stderr := r.stderr.String()
	var lines []string
	for line := range strings.Lines(stderr) {
		lines = append(lines, strings.TrimSpace(line))
	}
	if len(lines) == 0 || lines[0] != "corshost: the module did not start with "+config+":" {
		t.Errorf("stderr does not start by saying the module did not start with %s:\n%s", config, stderr)
	}
	for _, prefix := range []string{
		`corswasm: invalid configuration: allow_origins[0]: "*": cannot be used with allow_credentials`,
		"corswasm: invalid configuration: max_age: -1: ",
		"corswasm: refusing to start: 2 problem(s)",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, prefix)
		}
		if !found {
			t.Errorf("stderr has no line starting %q:\n%s", prefix, stderr)
		}
	}
	if strings.Contains(stderr, "\t") {
		t.Errorf("stderr has tabs, want the error's lines indented with spaces:\n%s", stderr)
	}
	if strings.Contains(stderr, "[vm0]") {
		t.Errorf("stderr repeats the plugin's log lines besides the error:\n%s", stderr)
	}
	if strings.Contains(r.stdout.String(), "curl") {
		t.Errorf("stdout offers commands to try although nothing serves:\n%s", r.stdout)
	}
}

func TestRunMissingModule(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "cors.wasm")
	r := start(t, append([]string{"-module", missing, "-config", exampleConfigFile(t)}, ephemeral...)...)
	if code := r.result(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if stderr := r.stderr.String(); !strings.Contains(stderr, missing) || !strings.Contains(stderr, "make build") {
		t.Errorf("stderr names neither the missing module nor make build:\n%s", stderr)
	}
}

func TestRunPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	// The module is never loaded: the addresses are bound first.
	module := configFile(t, "not a module")
	for _, flagName := range []string{"-listen", "-admin"} {
		t.Run(flagName, func(t *testing.T) {
			args := []string{"-module", module, "-config", exampleConfigFile(t), "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0", flagName, taken.Addr().String()}
			r := start(t, args...)
			if code := r.result(t); code != 1 {
				t.Fatalf("exit code %d, want 1\nstderr:\n%s", code, r.stderr)
			}
			stderr := r.stderr.String()
			for _, s := range []string{taken.Addr().String(), flagName, "already in use"} {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-wasi", "wasip2"},
		{"-upstream", "127.0.0.1:8080"},
		{"-upstream", "http://127.0.0.1:8080/api"},
		{"-vms", "0"},
		{"stray"},
		{"-no-such-flag"},
	} {
		r := start(t, args...)
		if code := r.result(t); code != 2 {
			t.Errorf("%q: exit code %d, want 2\nstderr:\n%s", args, code, r.stderr)
		}
	}
}
