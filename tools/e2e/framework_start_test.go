//go:build !wasip1

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The framework migration tests run real web frameworks as upstreams: each
// directory frameworks/<framework>/ holds an app and its configs.json, the
// contract between the apps and this harness:
//
//	{"framework": "express",
//	 "command": ["node", "app.js", "--config", "{config}", "--port", "{port}"],
//	 "check": ["node", "-e", "require.resolve('cors')"],
//	 "configs": [{"name": ..., "risks": [...], "description": ..., "settings": ...}]}
//
// command runs in the framework's directory with {config}, {port} and {dir}
// (an empty temporary directory of the run) substituted; the app listens on
// 127.0.0.1:{port}, answers GET /health 200 when ready and exits on SIGTERM.
// check, when present, is a command that succeeds when the framework's
// runtime is installed (otherwise, for a Python app, /usr/bin/python3 must
// import appModules' modules, and for others command's program must be
// found). settings quotes the app's sources line for line (indentation
// aside); a line "..." separates excerpts. policies/<config>.json is the
// corswasm policy each configuration maps to (framework_migration_test.go).

// frameworksDir holds one directory per framework.
const frameworksDir = "frameworks"

// frameworkApp is one framework's configs.json.
type frameworkApp struct {
	Framework string            `json:"framework"`
	Command   []string          `json:"command"`
	Check     []string          `json:"check"`
	Configs   []frameworkConfig `json:"configs"`

	dir string // its directory
}

// frameworkConfig is one configuration of a framework's app.
type frameworkConfig struct {
	Name        string   `json:"name"`
	Risks       []string `json:"risks"`
	Description string   `json:"description"`
	Settings    string   `json:"settings"`
}

// readFrameworkApps reads every frameworks/*/configs.json, in the order of
// the directories' names.
func readFrameworkApps(t *testing.T) []frameworkApp {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(frameworksDir, "*", "configs.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no %s/*/configs.json", frameworksDir)
	}
	slices.Sort(files)
	var apps []frameworkApp
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var app frameworkApp
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&app); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		app.dir = filepath.Dir(file)
		if app.Framework != filepath.Base(app.dir) {
			t.Fatalf("%s: framework %q is not its directory's name", file, app.Framework)
		}
		if len(app.Command) == 0 || len(app.Configs) == 0 {
			t.Fatalf("%s: needs a command and configurations", file)
		}
		apps = append(apps, app)
	}
	return apps
}

// missingRuntime says what of the framework's runtime is missing, or "".
// A Python app's runtime is the modules it imports (appModules).
func (app frameworkApp) missingRuntime() string {
	check := app.Check
	if modules, ok := appModules[app.Framework]; ok && len(check) == 0 {
		check = []string{appPython, "-c", "import " + modules}
	}
	if len(check) == 0 {
		if _, err := exec.LookPath(app.Command[0]); err != nil {
			return fmt.Sprintf("%s: %v", app.Command[0], err)
		}
		return ""
	}
	cmd := exec.Command(check[0], check[1:]...)
	cmd.Dir = app.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("%q failed (%v): %s", strings.Join(check, " "), err, bytes.TrimSpace(out))
	}
	return ""
}

// requireRuntime skips the test when the framework's runtime is missing,
// saying what is missing and how to get it, and fails it under CI.
func (app frameworkApp) requireRuntime(t *testing.T) {
	t.Helper()
	missing := app.missingRuntime()
	if missing == "" {
		return
	}
	msg := fmt.Sprintf("%s is not installed here: %s (`make frameworks` installs Express's packages; .ci/run installs nginx and the Python frameworks from Debian)", app.Framework, missing)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "; CI must run every framework")
	}
	t.Skip(msg)
}

// runningApp is a framework app serving one configuration.
type runningApp struct {
	url    string // http://127.0.0.1:<port>
	output *lockedBuffer
}

// freePort finds a free TCP port on 127.0.0.1 for an app to listen on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startFrameworkApp starts the app with one configuration on a free port and
// waits until GET /health answers 200. The test's cleanup stops it with
// SIGTERM; its output is shown if the test failed. An app that could not
// bind its port (another socket took it after freePort let it go) starts
// again on another, at most twice.
func startFrameworkApp(t *testing.T, app frameworkApp, config string) *runningApp {
	t.Helper()
	return startFrameworkApps(t, []appStart{{app, config}})[0]
}

// appStart names an app and the configuration to start it with.
type appStart struct {
	app    frameworkApp
	config string
}

// startFrameworkApps starts every app at once and waits until each is
// ready, as startFrameworkApp does for one: the start-ups overlap.
func startFrameworkApps(t *testing.T, starts []appStart) []*runningApp {
	t.Helper()
	launched := make([]*launchedApp, len(starts))
	for i, s := range starts {
		launched[i] = launchFrameworkApp(t, s.app, s.config)
	}
	running := make([]*runningApp, len(starts))
	for i, s := range starts {
		for attempt := 1; ; attempt++ {
			r, exitErr := launched[i].waitReady(t)
			if r.url != "" {
				running[i] = r
				break
			}
			if attempt < 3 && portTaken(r.output.String()) {
				t.Logf("%s %s could not bind its port; starting it on another:\n%s", s.app.Framework, s.config, r.output)
				launched[i] = launchFrameworkApp(t, s.app, s.config)
				continue
			}
			t.Fatalf("%s %s exited before it was ready (%v):\n%s", s.app.Framework, s.config, exitErr, r.output)
		}
	}
	return running
}

// portTaken says whether an app's output says its port was in use.
func portTaken(output string) bool {
	return strings.Contains(strings.ToLower(output), "address already in use") // EADDRINUSE's text
}

// launchedApp is an app process started and not yet known to be ready.
type launchedApp struct {
	app    frameworkApp
	config string
	url    string
	output *lockedBuffer
	exited chan error
}

// launchFrameworkApp starts the app once on a free port; the test's cleanup
// stops it.
func launchFrameworkApp(t *testing.T, app frameworkApp, config string) *launchedApp {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	dir := t.TempDir()
	args := make([]string, len(app.Command))
	for i, a := range app.Command {
		args[i] = strings.NewReplacer("{config}", config, "{port}", port, "{dir}", dir).Replace(a)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = app.dir
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", strings.Join(args, " "), err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			exited <- err
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("%s %s did not exit on SIGTERM", app.Framework, config)
		}
		if t.Failed() {
			t.Logf("%s %s output:\n%s", app.Framework, config, out)
		}
	})
	return &launchedApp{app: app, config: config, url: "http://127.0.0.1:" + port, output: out, exited: exited}
}

// waitReady waits until the app answers GET /health 200; it returns the
// running app (url set), or the app with its output and the exit error
// when the app exited before it was ready.
func (l *launchedApp) waitReady(t *testing.T) (*runningApp, error) {
	t.Helper()
	// A bound on start-up, not an assertion on speed: an app that never
	// answers fails here rather than hanging the suite.
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case err := <-l.exited:
			l.exited <- err // for the cleanup
			return &runningApp{output: l.output}, err
		default:
		}
		if healthy(l.url) {
			return &runningApp{url: l.url, output: l.output}, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: GET /health did not answer 200:\n%s", l.app.Framework, l.config, l.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// healthy says whether GET /health answers 200.
func healthy(base string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := frameworkClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
