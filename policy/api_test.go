package policy_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/policy"
)

// maxExported is the most exported top-level identifiers policy may have: a
// Go program needs to load a configuration, check it, evaluate a request and
// read the answer; the filter's and the command's plumbing lives in
// internal/engine.
const maxExported = 25

// enumTypes are the types whose constants go doc lists under the type and
// the count leaves out: the problem codes and the verdict's enumerations.
var enumTypes = []string{"Code", "Kind", "Reason"}

// packageDoc is the go/doc view of the package in dir, tests left out.
func packageDoc(t *testing.T, dir, importPath string) *doc.Package {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// exported lists the exported top-level identifiers of p, but for the
// constants of enumTypes listed under their type; methods are not
// top-level.
func exported(p *doc.Package) []string {
	var names []string
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			names = append(names, v.Names...)
		}
	}
	values(p.Consts)
	values(p.Vars)
	for _, f := range p.Funcs {
		names = append(names, f.Name)
	}
	for _, typ := range p.Types {
		names = append(names, typ.Name)
		if !slices.Contains(enumTypes, typ.Name) {
			values(typ.Consts)
		}
		values(typ.Vars)
		for _, f := range typ.Funcs {
			names = append(names, f.Name)
		}
	}
	return names
}

func TestExportedIdentifiers(t *testing.T) {
	names := exported(packageDoc(t, ".", "github.com/corswasm/corswasm/policy"))
	if len(names) > maxExported {
		t.Errorf("policy exports %d top-level identifiers; want at most %d: %s", len(names), maxExported, strings.Join(names, ", "))
	}
}

// go doc -short, what an importer reads first, fits on a screen.
func TestGoDocShort(t *testing.T) {
	out, err := exec.Command("go", "doc", "-short", ".").Output()
	if err != nil {
		t.Fatalf("go doc -short: %v", err)
	}
	if lines := strings.Count(string(out), "\n"); lines > maxExported {
		t.Errorf("go doc -short prints %d lines; want at most %d:\n%s", lines, maxExported, out)
	}
}

// methods lists the exported methods of the type name in p.
func methods(p *doc.Package, name string) []string {
	var names []string
	for _, typ := range p.Types {
		if typ.Name == name {
			for _, m := range typ.Methods {
				names = append(names, m.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// Policy and Decision are the engine's types with only these methods: what
// the filter and the command call besides (response plans, the audit
// comparison, rule indexes) stays in the engine.
func TestMethods(t *testing.T) {
	p := packageDoc(t, ".", "github.com/corswasm/corswasm/policy")
	for typ, want := range map[string][]string{
		"Policy":   {"Evaluate", "Warnings"},
		"Decision": {"Audit", "Detail", "Disabled", "Headers", "Kind", "Reason", "Reply", "Reset", "Rule", "Status", "Vary", "VaryValue"},
	} {
		if got := methods(p, typ); !slices.Equal(got, want) {
			t.Errorf("%s's methods = %v; want %v", typ, got, want)
		}
	}
}

// The counting sees what it must: a constant group of no enumeration type
// counts, member by member.
func TestExportedIdentifiersCounted(t *testing.T) {
	names := exported(packageDoc(t, "../internal/engine", "github.com/corswasm/corswasm/internal/engine"))
	for _, want := range []string{"HeaderVary", "MaxMaxAge", "CompareUpstream", "ResponsePlan", "Disagreement", "PreflightVerdict", "Config"} {
		if !slices.Contains(names, want) {
			t.Errorf("the engine's exported identifiers lack %s: %s", want, strings.Join(names, ", "))
		}
	}
	if slices.Contains(names, "CodeDuplicate") || slices.Contains(names, "NotCORS") {
		t.Errorf("an enumeration's constant counted: %s", strings.Join(names, ", "))
	}
}

// enumConstants is the constants listed under typ in p, each as its name
// and, when it is given as a literal, "=" and the literal.
func enumConstants(p *doc.Package, typ string) []string {
	var names []string
	for _, ty := range p.Types {
		if ty.Name != typ {
			continue
		}
		for _, v := range ty.Consts {
			for _, spec := range v.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					c := name.Name
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
							c += "=" + lit.Value
						}
					}
					names = append(names, c)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// Every code, kind and reason of the engine has its constant in policy,
// a code with the engine's value: a code added to the engine without one
// here would reach an importer's FieldError with no name to compare it with.
func TestEnumerationsComplete(t *testing.T) {
	pub := packageDoc(t, ".", "github.com/corswasm/corswasm/policy")
	eng := packageDoc(t, "../internal/engine", "github.com/corswasm/corswasm/internal/engine")
	for _, typ := range enumTypes {
		got, want := enumConstants(pub, typ), enumConstants(eng, typ)
		if typ != "Code" {
			// Kinds and reasons are iota in the engine and the engine's
			// constants in policy: their names must match.
			got, want = names(got), names(want)
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("policy's %s constants = %v; want the engine's %v", typ, got, want)
		}
	}
	if got, want := len(policy.Codes()), len(engine.Codes()); got != want || len(enumConstants(pub, "Code")) != want {
		t.Errorf("policy.Codes() has %d codes, the package %d constants; want the engine's %d", got, len(enumConstants(pub, "Code")), want)
	}
}

// names is the names of enumConstants' constants.
func names(constants []string) []string {
	out := make([]string, len(constants))
	for i, c := range constants {
		out[i], _, _ = strings.Cut(c, "=")
	}
	return out
}

// Evaluating through policy costs what it costs in the engine: Policy and
// Decision are the engine's, converted, so nothing is allocated.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	p, err := policy.Load([]byte(`{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["content-type"]}`))
	if err != nil {
		t.Fatal(err)
	}
	requests := []policy.Request{
		{Method: "OPTIONS", Origins: []string{"https://app.example.com"}, RequestMethod: "PUT", RequestHeaders: []string{"content-type"}},
		{Method: "GET", Origins: []string{"https://app.example.com"}},
		{Method: "GET"},
	}
	var d policy.Decision
	for _, r := range requests {
		if n := testing.AllocsPerRun(100, func() {
			p.Evaluate(&r, &d)
			_ = d.Headers()
		}); n != 0 {
			t.Errorf("%s %q: %v allocations; want 0", r.Method, r.Origins, n)
		}
	}
	p.Evaluate(&requests[0], &d)
	if d.Kind() != policy.PreflightAllowed || !d.Reply() || d.Status() != 204 || len(d.Headers()) == 0 {
		t.Errorf("preflight: kind %v, reply %v, status %d, headers %v; want an allowed preflight's reply", d.Kind(), d.Reply(), d.Status(), d.Headers())
	}
}
