//go:build !wasip1

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/echo"
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
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "envoy", "cors.json")
}

// ephemeral are the flags that put both servers on free ports.
var ephemeral = []string{"-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0"}

// curlCommands returns the curl commands run printed, in order.
func curlCommands(t *testing.T, stdout string) [][]string {
	t.Helper()
	var cmds [][]string
	for line := range strings.Lines(stdout) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("printed command %q: %v", line, err)
		}
		cmds = append(cmds, words)
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell does, for the subset
// corshost prints: plain words and single-quoted strings.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord, quoted, escaped := false, false, false
	for _, c := range line {
		switch {
		case escaped:
			word.WriteRune(c)
			escaped = false
		case quoted && c == '\'':
			quoted = false
		case quoted:
			word.WriteRune(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\':
			escaped, inWord = true, true
		case c == ' ':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune("\"$`;&|<>()*?", c):
			return nil, fmt.Errorf("unexpected shell character %q outside single quotes", c)
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	if quoted || escaped {
		return nil, fmt.Errorf("unterminated quote or escape")
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// curlRequest turns a printed curl command into the request it sends.
func curlRequest(t *testing.T, words []string) *http.Request {
	t.Helper()
	if len(words) == 0 || words[0] != "curl" {
		t.Fatalf("not a curl command: %q", words)
	}
	method, target := http.MethodGet, ""
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-si" || w == "-s" || w == "-i":
		case w == "-X" && i+1 < len(words):
			i++
			method = words[i]
		case w == "-H" && i+1 < len(words):
			i++
			name, value, ok := strings.Cut(words[i], ":")
			if !ok {
				t.Fatalf("header %q without a colon in %q", words[i], words)
			}
			header.Add(name, strings.TrimSpace(value))
		case !strings.HasPrefix(w, "-") && target == "":
			target = w
		default:
			t.Fatalf("unexpected curl argument %q in %q", w, words)
		}
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatalf("curl command %q: %v", words, err)
	}
	req.Header = header
	return req
}

// reply is what a request got.
type reply struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: waitLimit}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

// want is how the three printed requests must be answered.
type want struct {
	origin          string // the allowed origin the examples use
	allowOrigin     string // its access-control-allow-origin; "" means origin
	preflightStatus int    // of the allowed preflight
	refusedStatus   int    // of the refused preflight
	refusedByEcho   bool   // the refused preflight reached the upstream
}

// checkExamples executes the three example commands run printed and checks
// they show what their comments promise. It returns the admin /stats URL
// from the fourth command.
func checkExamples(t *testing.T, stdout string, w want) string {
	t.Helper()
	if w.allowOrigin == "" {
		w.allowOrigin = w.origin
	}
	cmds := curlCommands(t, stdout)
	if len(cmds) != 4 {
		t.Fatalf("want 4 curl commands (3 examples and /stats), got %d in:\n%s", len(cmds), stdout)
	}

	allowed := do(t, curlRequest(t, cmds[0]))
	if allowed.status != w.preflightStatus || allowed.header.Get("Access-Control-Allow-Origin") != w.allowOrigin {
		t.Errorf("allowed preflight %q: got %d with access-control-allow-origin %q, want %d with %q",
			cmds[0], allowed.status, allowed.header.Get("Access-Control-Allow-Origin"), w.preflightStatus, w.allowOrigin)
	}
	if allowed.body != "" {
		t.Errorf("allowed preflight: the upstream answered (body %q), want the filter's reply", allowed.body)
	}

	refused := do(t, curlRequest(t, cmds[1]))
	if refused.status != w.refusedStatus {
		t.Errorf("refused preflight %q: got %d, want %d", cmds[1], refused.status, w.refusedStatus)
	}
	for name := range refused.header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			t.Errorf("refused preflight: got header %s: %q, want no access-control-* headers", name, refused.header.Get(name))
		}
	}
	if fromEcho := strings.Contains(refused.body, `"method":"OPTIONS"`); fromEcho != w.refusedByEcho {
		t.Errorf("refused preflight reached the echo upstream: %v, want %v (body %q)", fromEcho, w.refusedByEcho, refused.body)
	}

	actual := do(t, curlRequest(t, cmds[2]))
	if actual.status != http.StatusOK || actual.header.Get("Access-Control-Allow-Origin") != w.allowOrigin {
		t.Errorf("actual request %q: got %d with access-control-allow-origin %q, want 200 with %q",
			cmds[2], actual.status, actual.header.Get("Access-Control-Allow-Origin"), w.allowOrigin)
	}
	if !strings.Contains(actual.body, `"method":"GET"`) || !strings.Contains(actual.body, w.origin) {
		t.Errorf("actual request: want the echo upstream's description of a GET from %s, got %q", w.origin, actual.body)
	}

	stats := curlRequest(t, cmds[3])
	if stats.URL.Path != "/stats" {
		t.Fatalf("fourth command %q: want the admin /stats", cmds[3])
	}
	return stats.URL.String()
}

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

func TestExamplesNotes(t *testing.T) {
	for _, tc := range []struct{ config, origin, note string }{
		{`{"allow_origins": ["null", "https://x.example:8443"]}`, "https://x.example:8443", ""},
		{`{"allow_origin_regexes": ["https://.*\\.example"]}`, fallbackOrigin, "only regexes"},
		{`{}`, fallbackOrigin, "no origin in allow_origins"},
		{`not json`, fallbackOrigin, "could not read the configuration"},
		{`{"allow_origins": ["*"], "allow_methods": ["*"]}`, fallbackOrigin, `both contain "*"`},
		{`{"allow_origins": ["https://a.example"], "enabled": false}`, "https://a.example", "enabled is false"},
		{`{"allow_origins": ["https://a.example"], "mode": "audit"}`, "https://a.example", "mode is audit"},
		{`{"allow_origins": ["https://a.example"], "rules": [{"name": "r", "match": {"path_prefixes": ["/api"]}}]}`, "https://a.example", "has rules"},
	} {
		set := examples([]byte(tc.config), "http://127.0.0.1:10000", true)
		notes := strings.Join(set.notes, "\n")
		if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
			t.Errorf("%s: notes %q, want one containing %q", tc.config, notes, tc.note)
		}
		if len(set.requests) != 3 {
			t.Fatalf("%s: %d requests, want 3", tc.config, len(set.requests))
		}
		for _, req := range set.requests {
			words, err := shellWords(req.curl())
			if err != nil {
				t.Fatalf("%s: %v", req.curl(), err)
			}
			if curlRequest(t, words).Header.Get("Origin") == "" {
				t.Errorf("%s: %s sends no Origin", tc.config, req.curl())
			}
		}
		if got := set.requests[0].headers[0][1]; got != tc.origin {
			t.Errorf("%s: allowed origin %q, want %q", tc.config, got, tc.origin)
		}
	}
}

func TestAllowedMethod(t *testing.T) {
	for _, tc := range []struct {
		methods []string
		want    string
	}{
		{[]string{"POST", "DELETE"}, "DELETE"},
		{[]string{"POST"}, "POST"},
		{[]string{"*"}, "PUT"},
		{nil, "GET"},
	} {
		if got := allowedMethod(tc.methods); got != tc.want {
			t.Errorf("allowedMethod(%q) = %q, want %q", tc.methods, got, tc.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for _, s := range []string{"plain", "Origin: https://a.example", "it's", "", "a'b'c"} {
		words, err := shellWords("curl " + shellQuote(s))
		if err != nil || len(words) != 2 || words[1] != s {
			t.Errorf("shellQuote(%q) = %s, read back as %q (%v)", s, shellQuote(s), words, err)
		}
	}
}
