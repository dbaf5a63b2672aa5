//go:build !wasip1

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// This file checks the Python framework apps under frameworks/ on their own,
// without corswasm: each configuration in a framework's configs.json starts,
// answers /health, and answers a few CORS requests as its README says
// (framework_apps_checks_test.go holds those answers).

// appPython is the interpreter Debian's framework packages serve.
const appPython = "/usr/bin/python3"

// appModules names the modules each Python framework app imports.
var appModules = map[string]string{
	"flask":     "flask, flask_cors",
	"django":    "django, corsheaders",
	"starlette": "starlette, uvicorn",
}

// appConfigs is a framework's configs.json.
type appConfigs struct {
	Framework string   `json:"framework"`
	Command   []string `json:"command"`
	Configs   []struct {
		Name        string   `json:"name"`
		Risks       []string `json:"risks"`
		Description string   `json:"description"`
		Settings    string   `json:"settings"`
	} `json:"configs"`
}

func TestFrameworkApps(t *testing.T) {
	for _, framework := range []string{"flask", "django", "starlette"} {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("frameworks", framework)
			cfgs := appReadConfigs(t, dir)
			appRequireModules(t, appModules[framework])
			for _, c := range cfgs.Configs {
				t.Run(c.Name, func(t *testing.T) {
					base := startFrameworkApp(t, frameworkApp{Framework: framework, Command: cfgs.Command, dir: dir}, c.Name).url
					for _, check := range appChecks[framework][c.Name] {
						if err := check.run(base); err != nil {
							t.Errorf("%s: %v", check.req, err)
						}
					}
				})
			}
		})
	}
}

// appReadConfigs reads dir/configs.json and checks what is Python's in it:
// the command, and checks in this file for exactly its configurations
// (TestFrameworkConfigs checks the rest of the contract).
func appReadConfigs(t *testing.T, dir string) appConfigs {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "configs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfgs appConfigs
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfgs); err != nil {
		t.Fatalf("configs.json: %v", err)
	}
	if cfgs.Framework != filepath.Base(dir) {
		t.Errorf("framework = %q; want %q", cfgs.Framework, filepath.Base(dir))
	}
	if len(cfgs.Command) == 0 || cfgs.Command[0] != appPython ||
		!slices.Contains(cfgs.Command, "{config}") || !slices.Contains(cfgs.Command, "{port}") {
		t.Errorf("command = %q; want %s with {config} and {port}", cfgs.Command, appPython)
	}
	var names []string
	for _, c := range cfgs.Configs {
		names = append(names, c.Name)
		if len(appChecks[cfgs.Framework][c.Name]) == 0 {
			t.Errorf("%s: no checks for this configuration", c.Name)
		}
	}
	for name := range appChecks[cfgs.Framework] {
		if !slices.Contains(names, name) {
			t.Errorf("checks for %s, which configs.json does not have", name)
		}
	}
	return cfgs
}

// appRequireModules skips the test when the Python modules are missing,
// except under CI, where it fails.
func appRequireModules(t *testing.T, modules string) {
	t.Helper()
	out, err := exec.Command(appPython, "-c", "import "+modules).CombinedOutput()
	if err == nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	msg := fmt.Sprintf("%s cannot import %s (%v: %s); install Debian's python3-flask-cors, "+
		"python3-django-cors-headers, python3-starlette and uvicorn", appPython, modules, err, lines[len(lines)-1])
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
