package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// TestFuzzFindsEveryTarget: `make fuzz` (and CI) runs what .ci/fuzz finds,
// so .ci/fuzz must find every fuzz target of both modules: each func
// FuzzX(*testing.F) declared in a _test.go file, found here by parsing the
// sources.
func TestFuzzFindsEveryTarget(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			// What the go command ignores, and the build output.
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "build") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && isFuzzTarget(fn) {
				want = append(want, filepath.Dir(path)+" "+fn.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("no fuzz target in the sources")
	}

	cmd := exec.Command("bash", filepath.Join(root, ".ci", "fuzz"), "-list")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf(".ci/fuzz -list: %v", err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		mod, pkg, target, ok := cutLine(line)
		if !ok {
			t.Fatalf(".ci/fuzz -list printed %q; want \"module package target\"", line)
		}
		got = append(got, packageDir(t, filepath.Join(root, mod), pkg)+" "+target)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf(".ci/fuzz finds:\n  %s\nthe sources declare:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// isFuzzTarget reports whether fn is a fuzz target: FuzzXxx(*testing.F).
func isFuzzTarget(fn *ast.FuncDecl) bool {
	name := fn.Name.Name
	if !strings.HasPrefix(name, "Fuzz") || len(name) > 4 && name[4] >= 'a' && name[4] <= 'z' {
		return false
	}
	params := fn.Type.Params.List
	if len(params) != 1 || len(params[0].Names) > 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F" && isIdent(sel.X, "testing")
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func cutLine(line string) (mod, pkg, target string, ok bool) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return "", "", "", false
	}
	return f[0], f[1], f[2], true
}

// packageDir returns the directory of package pkg of the module in dir.
func packageDir(t *testing.T, dir, pkg string) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", pkg)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.TrimSpace(string(out))
}
