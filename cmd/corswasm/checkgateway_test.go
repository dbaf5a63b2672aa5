package main

import (
	"strings"
	"testing"
)

// corswasm's configurations in Envoy Gateway EnvoyExtensionPolicies are
// checked where they are (spec.wasm[I].config, its line); another team's
// Wasm extension beside it is skipped; --plugin names an extension by its
// policy's NAMESPACE/NAME.
func TestCheckEnvoyExtensionPolicy(t *testing.T) {
	f := testdata("envoyextensionpolicies.yaml")
	r := corswasm(t, "", "check", f)
	wantOut := f + ":21 (EnvoyExtensionPolicy gateway/edge: spec.wasm[1]): ok\n" +
		f + `:35 (EnvoyExtensionPolicy shop/orders-cors: spec.wasm[0]): error: max_age: "600": must be an integer number of seconds [wrong_type]` + "\n" +
		f + ":35 (EnvoyExtensionPolicy shop/orders-cors: spec.wasm[0]): 1 error, 0 warnings\n"
	wantErr := f + `:15 (EnvoyExtensionPolicy gateway/edge: spec.wasm[0]): note: skipped: its module "https://files.example.com/coraza-proxy-wasm.wasm" is not corswasm's; if it is corswasm, name it with --plugin [plugin_skipped]` + "\n"
	if r.code != exitProblems || r.stdout != wantOut || r.stderr != wantErr {
		t.Errorf("exit %d; want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", r.code, exitProblems, r.stdout, wantOut, r.stderr, wantErr)
	}
	r = corswasm(t, "", "check", "--plugin", "gateway/edge", f)
	if want := f + ":21 (EnvoyExtensionPolicy gateway/edge: spec.wasm[1]): ok\n"; r.code != exitProblems ||
		!strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, f+`:15 (EnvoyExtensionPolicy gateway/edge: spec.wasm[0]): error: unknown field "directives_map" [unknown_field]`) ||
		strings.Contains(r.stdout, "orders-cors") {
		t.Errorf("--plugin gateway/edge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = corswasm(t, "", "check", "--plugin", "gateway/cors", f)
	if want := f + ":21 (EnvoyExtensionPolicy gateway/edge: spec.wasm[1]): ok\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("--plugin gateway/cors (the extension's name): exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
