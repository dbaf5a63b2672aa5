package engine

import (
	"go/ast"
	"go/parser"
	"go/types"
	"strings"
	"testing"
)

// The policy API leaves an importer no way to corrupt what the policy
// shares between requests, nor to build a request that contradicts itself:
// each snippet below is code an importer might write, and must not
// compile, for the reason given. The control snippet, the intended use,
// must compile, so that a snippet fails for its own reason and not because
// the package could not be loaded.

// importerSnippet is the body of a function of a package importing policy.
const importerSnippet = `package importer

import "github.com/corswasm/corswasm/internal/engine"

var _, _, _ = engine.Codes, engine.UpstreamCORSHeaders, engine.IsolationHeaders

func use(p *engine.Policy, r *engine.Request, d *engine.Decision) {
	%s
}
`

// typeCheck type-checks an importer's function body and returns the
// errors.
func typeCheck(t *testing.T, body string) []string {
	t.Helper()
	fset, imp := sourceImporter()
	src := strings.Replace(importerSnippet, "%s", body, 1)
	f, err := parser.ParseFile(fset, "importer.go", src, 0)
	if err != nil {
		t.Fatalf("the snippet does not parse: %v\n%s", err, src)
	}
	var errs []string
	conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.Error()) }}
	conf.Check("importer", fset, []*ast.File{f}, nil)
	return errs
}

func TestImporterMisuseDoesNotCompile(t *testing.T) {
	t.Parallel()
	sourceImporterMu.Lock()
	defer sourceImporterMu.Unlock()
	if errs := typeCheck(t, `
	var own engine.Decision
	p.Evaluate(&engine.Request{Method: "POST", Origins: []string{"https://a.example"}}, &own)
	_, _, _ = own.Kind(), own.Reason().String(), own.Status()
	own.Headers()[0].Value = "changes this decision alone"
	_ = append(engine.Codes(), engine.CodeDuplicate)
	_ = append(engine.UpstreamCORSHeaders(), engine.IsolationHeaders()...)
	r.Reset()`); len(errs) > 0 {
		t.Fatalf("the intended use does not compile: %q", errs)
	}
	cases := []struct {
		desc, body string
		// want is in the type checker's error.
		want string
	}{
		{"an Origin set without counting it, which made the request not CORS",
			`_ = engine.Request{Method: "POST", Origin: "https://evil.example"}`, "unknown field Origin"},
		{"the Origin line count set apart from the lines",
			`r.OriginCount = 2`, "r.OriginCount undefined"},
		{"a verdict's kind written over", `d.Kind = engine.NotCORS`, "cannot assign"},
		{"a verdict's status written over", `d.Status = 500`, "cannot assign"},
		{"a verdict's reply written over", `d.Reply = true`, "cannot assign"},
		{"a verdict's reason written over", `d.Reason = engine.NoReason`, "cannot assign"},
		{"a verdict's rule written over", `d.Rule, d.RuleIndex = "", 0`, "cannot assign"},
		{"a verdict's mode written over", `d.Audit, d.Disabled = false, false`, "cannot assign"},
		{"the isolation headers every decision of a policy shares",
			`d.Isolation[0].Value = "same-origin"`, "d.Isolation undefined"},
		{"the header names of the response phase", `engine.UpstreamCORSHeaders[0] = "x-other"`, "cannot index"},
		{"the isolation header names", `engine.IsolationHeaders[0] = "x-other"`, "cannot index"},
		{"the problem codes", `engine.Codes[0] = "other"`, "cannot index"},
	}
	for _, c := range cases {
		errs := typeCheck(t, c.body)
		switch {
		case len(errs) == 0:
			t.Errorf("%s: compiles: %s", c.desc, c.body)
		case !strings.Contains(strings.Join(errs, "\n"), c.want):
			t.Errorf("%s: %s: errors %q; want one with %q", c.desc, c.body, errs, c.want)
		}
	}
}
