package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// The product module's dependencies stay small: the test tooling and its
// heavy dependencies live in the tools module (tools/go.mod). The corswasm
// command (cmd/corswasm) needs Envoy's, Istio's and the Gateway API's types,
// which the root go.mod therefore requires; the module and policy must not
// link them.

// nonStdDeps returns the packages outside the standard library that pkgs
// import, themselves included, as go list -deps finds them from the
// repository's root.
func nonStdDeps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	return nonStdDepsEnv(t, nil, pkgs...)
}

// nonStdDepsEnv is nonStdDeps with extra environment variables (GOOS=…).
func nonStdDepsEnv(t *testing.T, env []string, pkgs ...string) []string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// A service importing policy inherits only gjson (with its two small
// dependencies) and golang.org/x.
func TestPolicyDependencies(t *testing.T) {
	for _, pkg := range nonStdDeps(t, "./policy/") {
		switch {
		case pkg == "github.com/corswasm/corswasm/policy", strings.HasPrefix(pkg, "github.com/corswasm/corswasm/internal/engine"),
			pkg == "github.com/corswasm/corswasm/internal/psl", pkg == "github.com/corswasm/corswasm/internal/httpfield":
		case strings.HasPrefix(pkg, "github.com/tidwall/"), strings.HasPrefix(pkg, "golang.org/x/"):
		default:
			t.Errorf("policy depends on %s; want only the standard library, github.com/tidwall/… and golang.org/x/…", pkg)
		}
	}
}

// The filter and the command use the engine itself, never the policy
// facade over it: the module's requests go straight to internal/engine.
func TestFacadeOnlyForImporters(t *testing.T) {
	for _, pkg := range nonStdDeps(t, ".", "./filter/...", "./cmd/...") {
		if pkg == "github.com/corswasm/corswasm/policy" {
			t.Errorf("the module or the command depends on %s; want internal/engine", pkg)
		}
	}
}

// The test helpers that stay in the product module, for the product's own
// tests, import nothing outside the standard library but each other.
func TestTestHelpersStdlibOnly(t *testing.T) {
	deps := nonStdDeps(t, "./internal/testing/...")
	if !slices.Contains(deps, "github.com/corswasm/corswasm/internal/testing/testmodule") {
		t.Fatalf("go list found %v, without testmodule: did it list anything?", deps)
	}
	for _, pkg := range deps {
		if !strings.HasPrefix(pkg, "github.com/corswasm/corswasm/internal/testing/") {
			t.Errorf("the test helpers depend on %s; want the standard library only", pkg)
		}
	}
}

// cliOnly are the import path prefixes of what only the corswasm command
// uses: its own packages and the modules of Envoy's, Istio's and the
// Gateway API's types.
var cliOnly = []string{
	"github.com/corswasm/corswasm/cmd/", "github.com/corswasm/corswasm/cmd/corswasm/internal/convert",
	"github.com/corswasm/corswasm/internal/configsource", "github.com/corswasm/corswasm/internal/yamldocs",
	"github.com/envoyproxy/", "istio.io/", "sigs.k8s.io/", "k8s.io/", "google.golang.org/",
	"go.yaml.in/", "github.com/cncf/", "cel.dev/",
}

// The wasm module (built for wasip1 from the root) and the filter link
// none of the command's packages: requiring them in go.mod changes nothing
// in what the module is built from.
func TestModuleFreeOfCLIDependencies(t *testing.T) {
	for _, c := range []struct {
		what string
		env  []string
		pkg  string
	}{
		{"the wasm module", []string{"GOOS=wasip1", "GOARCH=wasm"}, "."},
		{"the filter", nil, "./filter/"},
	} {
		deps := nonStdDepsEnv(t, c.env, c.pkg)
		if !slices.Contains(deps, "github.com/tidwall/gjson") {
			t.Fatalf("%s: go list found %v, without gjson: did it list anything?", c.what, deps)
		}
		for _, pkg := range deps {
			for _, prefix := range cliOnly {
				if strings.HasPrefix(pkg, prefix) {
					t.Errorf("%s depends on %s, which only the corswasm command should", c.what, pkg)
				}
			}
		}
	}
}

// The product's go.mod requires none of the test tooling's modules.
func TestGoModFreeOfTestTooling(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range []string{
		"github.com/chromedp/", "github.com/compose-spec/", "github.com/google/go-containerregistry",
		"github.com/santhosh-tekuri/jsonschema",
	} {
		if strings.Contains(string(gomod), mod) {
			t.Errorf("go.mod requires %s, a dependency of the test tooling: it belongs in tools/go.mod", mod)
		}
	}
}

// hookSymbols are what the filter's test hook is made of (filter/testhook*.go):
// the hook variable, what the test builds set it to and what keeps an
// allocation alive.
var hookSymbols = []string{"testHook", "panicOnDemand", "allocOnDemand", "allocSink"}

// The shipped module links no test code: no test helper (internal/testing/…)
// nor test tooling (tools/) in its import graph, and none of the test hook's
// symbols in the filter as built for it, where callTestHook is empty. The
// test builds do have the hook, which shows the check sees it.
func TestModuleFreeOfTestCode(t *testing.T) {
	wasip1 := []string{"GOOS=wasip1", "GOARCH=wasm"}
	for _, pkg := range nonStdDepsEnv(t, wasip1, ".") {
		if strings.HasPrefix(pkg, "github.com/corswasm/corswasm/internal/testing/") ||
			strings.HasPrefix(pkg, "github.com/corswasm/corswasm/tools") {
			t.Errorf("the wasm module depends on %s, a test helper", pkg)
		}
	}

	decls := filterDecls(t, wasip1)
	for _, name := range hookSymbols {
		if _, ok := decls[name]; ok {
			t.Errorf("the wasm module's filter declares %s, a test hook symbol", name)
		}
	}
	if hook, ok := decls["callTestHook"]; !ok || hook.Body == nil || len(hook.Body.List) != 0 {
		t.Errorf("the wasm module's filter has no empty callTestHook")
	}

	for tag, want := range map[string][]string{
		"corswasm_panictest": {"testHook", "panicOnDemand"},
		"corswasm_allocstat": {"testHook", "allocOnDemand"},
	} {
		decls := filterDecls(t, append(slices.Clone(wasip1), "GOFLAGS=-tags="+tag))
		for _, name := range want {
			if _, ok := decls[name]; !ok {
				t.Errorf("the filter built with -tags %s declares no %s; the test hook check sees nothing", tag, name)
			}
		}
	}
}

// filterDecls returns the top-level declarations, by name, of the filter's
// non-test files as go list selects them with env; a function's value is its
// declaration, another's nil.
func filterDecls(t *testing.T, env []string) map[string]*ast.FuncDecl {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}\n{{range .GoFiles}}{{.}}\n{{end}}", "./filter/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", env, err)
	}
	lines := strings.Fields(string(out))
	if len(lines) < 2 {
		t.Fatalf("go list %v: %q lists no file", env, out)
	}
	decls := map[string]*ast.FuncDecl{}
	fset := token.NewFileSet()
	for _, file := range lines[1:] {
		f, err := parser.ParseFile(fset, filepath.Join(lines[0], file), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					decls[d.Name.Name] = d
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							decls[n.Name] = nil
						}
					case *ast.TypeSpec:
						decls[s.Name.Name] = nil
					}
				}
			}
		}
	}
	return decls
}
