package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// corswasm runs the command line args with stdin, in the repository's root
// (so paths such as envoy/cors.json are those of the README).
func corswasm(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	t.Chdir(repoRoot(t))
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

// repoRoot is the repository's root: two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test's source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// testdata is the path of a file of testdata/ from the repository's root.
func testdata(name string) string { return filepath.Join("cmd", "corswasm", "testdata", name) }

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil, {"frobnicate"}, {"check"}, {"check", "--nope", "envoy/cors.json"}, {"explain"},
		{"explain", "envoy/cors.json", "envoy/cors.json"}, {"convert"}, {"schema", "x"}, {"version", "x"},
		{"explain", "envoy/cors.json", "--response-header", "no-colon"},
	} {
		if r := corswasm(t, "", args...); r.code != exitUsage || r.stderr == "" {
			t.Errorf("corswasm %q: exit %d, stderr %q; want %d and a message", args, r.code, r.stderr, exitUsage)
		}
	}
	r := corswasm(t, "", "help")
	if r.code != exitOK || !strings.Contains(r.stdout, "corswasm check") {
		t.Errorf("help: exit %d:\n%s", r.code, r.stdout)
	}
}

// schema prints the generated schema, which is config.schema.json.
func TestSchemaCommand(t *testing.T) {
	r := corswasm(t, "", "schema")
	if r.code != exitOK || r.stdout != string(engine.JSONSchema()) {
		t.Errorf("schema: exit %d, output differs from engine.JSONSchema()", r.code)
	}
	committed, err := os.ReadFile("config.schema.json")
	if err != nil || string(committed) != r.stdout {
		t.Errorf("`corswasm schema` differs from config.schema.json (%v): run `make schema`", err)
	}
}

func TestVersionCommand(t *testing.T) {
	r := corswasm(t, "", "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "corswasm "+commandVersion()+" (go") {
		t.Errorf("version: exit %d: %q", r.code, r.stdout)
	}
	defer func(v string) { stampedVersion = v }(stampedVersion)
	stampedVersion = "v1.2.3"
	if r := corswasm(t, "", "version"); !strings.HasPrefix(r.stdout, "corswasm v1.2.3 (") {
		t.Errorf("a stamped version is not printed: %q", r.stdout)
	}
}
