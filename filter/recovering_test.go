package filter

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// vmContext declares that the filter's HTTP contexts recover their own
// panics, so the ABI binding adds no recover around proxy_on_request_headers,
// proxy_on_response_headers and proxy_on_log: a panic escaping there would
// kill the VM, and in Envoy fail every later request. This holds the source
// to that promise: the HTTP callbacks *httpContext declares are exactly the
// two header callbacks (proxy_on_log then reaches the SDK's empty
// OnHttpStreamDone), and each defers c.recoverPanic before anything but a
// plain assignment runs.
func TestHttpCallbacksRecoverTheirPanics(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	iface := reflect.TypeOf((*types.HttpContext)(nil)).Elem()
	isCallback := func(name string) bool { _, ok := iface.MethodByName(name); return ok }

	var declared []string
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !isCallback(fn.Name.Name) || receiverType(fn) != "httpContext" {
				continue
			}
			declared = append(declared, fn.Name.Name)
			checkDefersRecoverFirst(t, fset, fn)
		}
	}
	slices.Sort(declared)
	if want := []string{"OnHttpRequestHeaders", "OnHttpResponseHeaders"}; !slices.Equal(declared, want) {
		t.Errorf("*httpContext declares the HTTP callbacks %v; want %v: a new one must defer c.recoverPanic "+
			"first, and be listed here and in vmContext.HttpContextsRecoverPanics", declared, want)
	}
}

// receiverType is the name of fn's receiver type, without the pointer.
func receiverType(fn *ast.FuncDecl) string {
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// checkDefersRecoverFirst fails unless fn's first defer is
// <receiver>.recoverPanic(...) and every statement before it is an
// assignment that calls nothing.
func checkDefersRecoverFirst(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl) {
	t.Helper()
	recv := fn.Recv.List[0].Names[0].Name
	for _, st := range fn.Body.List {
		if d, ok := st.(*ast.DeferStmt); ok {
			sel, ok := d.Call.Fun.(*ast.SelectorExpr)
			if x, _ := sel.X.(*ast.Ident); !ok || x == nil || x.Name != recv || sel.Sel.Name != "recoverPanic" {
				t.Errorf("%s: %s's first defer is not %s.recoverPanic", fset.Position(d.Pos()), fn.Name.Name, recv)
			}
			return
		}
		if _, ok := st.(*ast.AssignStmt); !ok || containsCall(st) {
			t.Errorf("%s: %s runs this before deferring recoverPanic; only plain assignments may come first",
				fset.Position(st.Pos()), fn.Name.Name)
		}
	}
	t.Errorf("%s: %s never defers %s.recoverPanic", fset.Position(fn.Pos()), fn.Name.Name, recv)
}

func containsCall(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.CallExpr); ok {
			found = true
		}
		return !found
	})
	return found
}
