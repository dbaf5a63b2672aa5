package e2e

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs

	"github.com/corswasm/corswasm/policy"
)

// ---- the harness script ----

// harnessScriptVarRE matches the script's `readonly NAME=value` lines.
var harnessScriptVarRE = regexp.MustCompile(`(?m)^readonly ([A-Z_]+)=(.*)$`)

// harnessCheckScript checks that envoy-harness.sh probes the ports and the
// sentinel preflight that the other files define, and runs the suite against
// the first listener.
func harnessCheckScript(script []byte) error {
	vars := map[string]string{}
	for _, m := range harnessScriptVarRE.FindAllStringSubmatch(string(script), -1) {
		vars[m[1]] = m[2]
	}
	want := map[string]string{
		"COMPOSE_FILE":    "tools/e2e/docker-compose.yaml",
		"ADMIN":           fmt.Sprintf("http://127.0.0.1:%d", harnessAdminPort),
		"TARGET":          fmt.Sprintf("http://127.0.0.1:%d", harnessFirstPort),
		"SENTINEL_ORIGIN": harnessSentinelOrigin,
		"SENTINEL_METHOD": harnessSentinelMethod,
	}
	var errs harnessErrors
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if vars[name] != want[name] {
			errs.addf("envoy-harness.sh: readonly %s=%q; want %q", name, vars[name], want[name])
		}
	}
	for _, line := range []string{
		"set -euo pipefail",
		"trap teardown EXIT",
		`compose down -v`,
		`E2E_TARGET=$TARGET go -C tools test -count=1 ./e2e/...`,
	} {
		if !strings.Contains(string(script), line) {
			errs.addf("envoy-harness.sh does not contain %q", line)
		}
	}
	return errs.err()
}

// harnessSentinelAllowed evaluates the harness's sentinel preflight against
// a configuration and reports what differs from the 204 reply that allows
// the sentinel origin.
func harnessSentinelAllowed(config []byte) error {
	p, err := policy.Load(config)
	if err != nil {
		return err
	}
	var d policy.Decision
	p.Evaluate(&policy.Request{
		Method:        "OPTIONS",
		Origins:       []string{harnessSentinelOrigin},
		RequestMethod: harnessSentinelMethod,
		Scheme:        "http",
		Authority:     fmt.Sprintf("127.0.0.1:%d", harnessFirstPort),
	}, &d)
	if d.Kind() != policy.PreflightAllowed || !d.Reply() || d.Status() != 204 {
		return fmt.Errorf("sentinel preflight: %s (%s), reply %t, status %d; want preflight allowed, reply 204", d.Kind(), d.Reason(), d.Reply(), d.Status())
	}
	for _, h := range d.Headers() {
		if h.Name == "access-control-allow-origin" {
			if h.Value != harnessSentinelOrigin {
				return fmt.Errorf("sentinel preflight: access-control-allow-origin %q; want %q", h.Value, harnessSentinelOrigin)
			}
			return nil
		}
	}
	return errors.New("sentinel preflight: no access-control-allow-origin")
}

func TestHarnessSentinel(t *testing.T) {
	mainJSON := harnessRead(t, "tools/e2e/testdata/main.json")
	if err := harnessSentinelAllowed(mainJSON); err != nil {
		t.Errorf("tools/e2e/testdata/main.json: %v", err)
	}
	if err := harnessSentinelAllowed(harnessRead(t, "envoy/cors.json")); err == nil {
		t.Error("envoy/cors.json allows the sentinel preflight; want it refused, so the sentinel tells the configurations apart")
	}
	without := harnessReplace(t, mainJSON, `, "`+harnessSentinelOrigin+`"`, "")
	harnessWantErr(t, harnessSentinelAllowed(without), "preflight refused")
	if err := harnessCheckScript(harnessRead(t, "tools/e2e/envoy-harness.sh")); err != nil {
		t.Error(err)
	}
	script := harnessRead(t, "tools/e2e/envoy-harness.sh")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "SENTINEL_ORIGIN=https://corswasm-harness.invalid", "SENTINEL_ORIGIN=https://app.example.com")), "SENTINEL_ORIGIN")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "TARGET=http://127.0.0.1:10000", "TARGET=http://127.0.0.1:10004")), "TARGET")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "trap teardown EXIT", "")), "trap teardown EXIT")
}

// harnessStubs are stand-ins for the tools the harness script runs. Each
// appends its arguments to $STUB_LOG; STUB_* variables choose its answers.
var harnessStubs = map[string]string{
	"docker": `#!/bin/sh
echo "docker $*" >>"$STUB_LOG"
case "$*" in
"version --format"*) echo arm64 ;;
*" up -d"*) exit "${STUB_UP_RC:-0}" ;;
esac
exit 0
`,
	"curl": `#!/bin/sh
echo "curl $*" >>"$STUB_LOG"
case "$*" in
*/ready*) printf '%s' "${STUB_READY:-200}" ;;
*OPTIONS*) printf 'HTTP/1.1 %s No Content\r\naccess-control-allow-origin: %s\r\nvary: origin\r\n\r\n' "${STUB_PREFLIGHT_STATUS:-204}" "${STUB_ALLOW_ORIGIN:-https://corswasm-harness.invalid}" ;;
*) exit 7 ;;
esac
`,
	"go": `#!/bin/sh
echo "go $* [E2E_TARGET=${E2E_TARGET:-} GOOS=${GOOS:-} GOARCH=${GOARCH:-} CGO_ENABLED=${CGO_ENABLED:-}]" >>"$STUB_LOG"
if [ "$1" = -C ]; then shift 2; fi
case "$1" in
test) exit "${STUB_TEST_RC:-0}" ;;
env) echo amd64 ;;
esac
exit 0
`,
	"make": `#!/bin/sh
echo "make $*" >>"$STUB_LOG"
`,
}

// TestHarnessScript runs tools/e2e/envoy-harness.sh on stub tools: the order
// of its steps, the suite's target, and the teardown (with logs on failure)
// whatever fails.
func TestHarnessScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	script := harnessPath(t, "tools/e2e/envoy-harness.sh")
	bin := t.TempDir()
	for name, body := range harnessStubs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const (
		build     = "make build"
		echoBuild = "go -C tools build -trimpath -o ../build/echo ./cmd/echo [E2E_TARGET= GOOS=linux GOARCH=arm64 CGO_ENABLED=0]"
		up        = "docker compose -f tools/e2e/docker-compose.yaml up -d"
		suite     = "go -C tools test -count=1 ./e2e/... [E2E_TARGET=http://127.0.0.1:10000"
		logs      = "docker compose -f tools/e2e/docker-compose.yaml logs"
		down      = "docker compose -f tools/e2e/docker-compose.yaml down -v"
		ready     = "curl -s -o /dev/null -w %{http_code} --max-time 2 http://127.0.0.1:9901/ready"
		preflight = "curl -s -o /dev/null -D - --max-time 2 -X OPTIONS -H Origin: https://corswasm-harness.invalid -H Access-Control-Request-Method: PUT http://127.0.0.1:10000/"
	)
	tests := []struct {
		name    string
		env     []string
		ok      bool
		steps   []string // in this order
		missing []string // never run
	}{
		{"passes", nil, true,
			[]string{build, echoBuild, up, ready, preflight, suite, down}, []string{logs}},
		{"suite fails", []string{"STUB_TEST_RC=1"}, false,
			[]string{up, suite, logs, down}, nil},
		{"envoy never ready", []string{"STUB_READY=503"}, false,
			[]string{up, ready, logs, down}, []string{preflight, suite}},
		{"plugin configuration not loaded", []string{"STUB_PREFLIGHT_STATUS=403"}, false,
			[]string{up, ready, preflight, logs, down}, []string{suite}},
		{"sentinel origin not allowed", []string{"STUB_ALLOW_ORIGIN=https://app.example.com"}, false,
			[]string{preflight, logs, down}, []string{suite}},
		{"compose up fails", []string{"STUB_UP_RC=1"}, false,
			[]string{up, logs, down}, []string{ready, suite}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "log")
			cmd := exec.Command(bash, script)
			cmd.Env = append([]string{
				"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
				"HOME=" + t.TempDir(),
				"STUB_LOG=" + log,
				"HARNESS_TIMEOUT=0",
			}, tt.env...)
			out, err := cmd.CombinedOutput()
			if ok := err == nil; ok != tt.ok {
				t.Fatalf("script succeeded: %t; want %t (%v)\n%s", ok, tt.ok, err, out)
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			at := 0
			for _, step := range tt.steps {
				i := slices.IndexFunc(lines[at:], func(l string) bool { return strings.HasPrefix(l, step) })
				if i < 0 {
					t.Fatalf("step %q not run (in order) by the script; it ran:\n%s\noutput:\n%s", step, data, out)
				}
				at += i + 1
			}
			for _, step := range tt.missing {
				if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, step) }) {
					t.Errorf("step %q run; want it skipped. The script ran:\n%s", step, data)
				}
			}
			if n := len(lines); !strings.HasPrefix(lines[n-1], down) {
				t.Errorf("last step %q; want %q", lines[n-1], down)
			}
		})
	}
}
