package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Other teams' Wasm plugins beside corswasm's are skipped with a note on
// standard error, never checked as corswasm configurations.
func TestCheckSkipsOtherPlugins(t *testing.T) {
	mixed, envoy := testdata("wasmplugins-mixed.yaml"), testdata("envoy-two-wasm.yaml")
	r := corswasm(t, "", "check", mixed, envoy)
	if r.code != exitOK {
		t.Errorf("exit %d; want %d\n%s%s", r.code, exitOK, r.stdout, r.stderr)
	}
	wantOut := mixed + ":37 (WasmPlugin istio-system/corswasm): ok\n" +
		envoy + ":53 (static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.config.configuration): ok\n"
	if r.stdout != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, wantOut)
	}
	wantErr := mixed + `:15 (WasmPlugin istio-system/coraza-waf): note: skipped: its module "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0" is not corswasm's; if it is corswasm, name it with --plugin [plugin_skipped]` + "\n" +
		envoy + `:36 (static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration): note: skipped: its module "/etc/envoy/coraza-proxy-wasm.wasm" is not corswasm's; if it is corswasm, name it with --plugin [plugin_skipped]` + "\n"
	if r.stderr != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, wantErr)
	}
}

// What `kubectl get wasmplugins -A -o yaml` writes, a List, is read item by
// item; an Istio EnvoyFilter's Wasm filter is found too.
func TestCheckKubectlListAndEnvoyFilter(t *testing.T) {
	list := testdata("wasmplugins-list.yaml")
	r := corswasm(t, "", "check", list, testdata("envoyfilter.yaml"))
	if r.code != exitProblems {
		t.Errorf("exit %d; want %d", r.code, exitProblems)
	}
	for _, want := range []string{
		list + ":38 (WasmPlugin istio-system/corswasm): ok\n",
		list + `:55 (WasmPlugin shop/orders-cors): error: allow_origins[0]: "http://shop.example.com": an http origin can be impersonated`,
		list + ":55 (WasmPlugin shop/orders-cors): 1 error, 1 warning\n",
		testdata("envoyfilter.yaml") + ":39 (EnvoyFilter istio-system/cors: spec.configPatches[0].patch.value.typed_config.value.config.configuration): ok\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if want := list + ":17 (WasmPlugin istio-system/coraza-waf): note: skipped"; !strings.Contains(r.stderr, want) || strings.Contains(r.stdout, "coraza") {
		t.Errorf("the List's Coraza plugin is not skipped with a note:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	// A List whose items are not objects is an error with its own code.
	r = corswasm(t, "apiVersion: v1\nkind: List\nitems: 3\n", "check", "-")
	if r.code != exitProblems || r.stdout != "-: error: line 3: the items of a List must be a sequence of objects [list_invalid]\n-: 1 error, 0 warnings\n" {
		t.Errorf("a List without items: exit %d:\n%s", r.code, r.stdout)
	}
}

// A file without corswasm's configuration is noted when another file has
// one; a run that finds none at all fails, whatever the files hold.
func TestCheckNoCorswasmConfiguration(t *testing.T) {
	coraza := testdata("wasmplugin-coraza.yaml")
	r := corswasm(t, "", "check", coraza, "envoy/cors.json")
	if r.code != exitOK || r.stdout != "envoy/cors.json: ok\n" {
		t.Errorf("with envoy/cors.json: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if want := coraza + ": note: found no corswasm configuration: every Wasm plugin in it is skipped [no_corswasm_configuration]\n"; !strings.HasSuffix(r.stderr, want) {
		t.Errorf("stderr lacks the file's note %q:\n%s", want, r.stderr)
	}
	for _, files := range [][]string{{coraza}, {coraza, testdata("virtualservice.yaml")}} {
		r := corswasm(t, "", append([]string{"check"}, files...)...)
		if r.code != exitProblems {
			t.Errorf("%v: exit %d; want %d", files, r.code, exitProblems)
		}
		for _, f := range files {
			if want := f + ": error: found no corswasm configuration"; !strings.Contains(r.stdout, want) {
				t.Errorf("%v: stdout lacks %q:\n%s", files, want, r.stdout)
			}
		}
		if !strings.HasSuffix(r.stdout, "[no_corswasm_configuration]\n"+files[len(files)-1]+": 1 error, 0 warnings\n") {
			t.Errorf("%v: stdout:\n%s", files, r.stdout)
		}
	}
}

// A plugin whose module has no name (inline code), but whose
// configuration's fields are corswasm's or near misses of them
// (allow_origin), is checked with a note rather than skipped unseen. A
// plugin whose module is named otherwise is skipped whatever its fields
// (a renamed image, or another team's CORS plugin: --plugin names it),
// and so is an inline plugin whose configuration names origins among
// other fields.
func TestCheckGuessedPlugin(t *testing.T) {
	inline := testdata("envoy-inline-wasm.yaml")
	r := corswasm(t, "", "check", inline)
	if r.code != exitProblems || !strings.Contains(r.stdout, inline+`:15 (http_filters[0].typed_config.config.configuration): error: unknown field "allow_origin"; did you mean "allow_origins"? [unknown_field]`) {
		t.Errorf("exit %d:\n%s", r.code, r.stdout)
	}
	want := inline + `:15 (http_filters[0].typed_config.config.configuration): note: taken for corswasm's: it names no module file, URL or image, but its configuration's fields are corswasm's or near misses of them, origins among them; name the plugins to check with --plugin [plugin_guessed]` + "\n"
	if r.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
	}
	renamed := testdata("wasmplugin-renamed.yaml")
	r = corswasm(t, "", "check", renamed)
	if r.code != exitProblems || r.stdout != renamed+": error: found no corswasm configuration: every Wasm plugin in it is skipped [no_corswasm_configuration]\n"+renamed+": 1 error, 0 warnings\n" ||
		r.stderr != renamed+`:10 (WasmPlugin shop/shop-cors): note: skipped: its module "oci://registry.example.com/platform/cors-filter:2" is not corswasm's; if it is corswasm, name it with --plugin [plugin_skipped]`+"\n" {
		t.Errorf("a module named otherwise: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	oauth := testdata("wasmplugin-oauth.yaml")
	r = corswasm(t, "", "check", oauth)
	if r.code != exitOK || !strings.Contains(r.stderr, oauth+`:9 (WasmPlugin identity/oauth): note: skipped: its module "oci://registry.example.com/identity/oauth-filter:3" is not corswasm's`) ||
		!strings.Contains(r.stdout, oauth+`:19 (WasmPlugin istio-system/corswasm): ok`) {
		t.Errorf("an OAuth plugin naming origins: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// --plugin (repeatable) names the plugins to check, overriding the
// recognition by module; a --plugin that names nothing fails the run.
func TestCheckPluginPatterns(t *testing.T) {
	mixed, renamed := testdata("wasmplugins-mixed.yaml"), testdata("wasmplugin-renamed.yaml")
	r := corswasm(t, "", "check", "--plugin", "coraza-waf", mixed)
	if r.code != exitProblems || !strings.Contains(r.stdout, mixed+`:15 (WasmPlugin istio-system/coraza-waf): error: unknown field "default_directives" [unknown_field]`) {
		t.Errorf("--plugin coraza-waf: exit %d:\n%s", r.code, r.stdout)
	}
	if want := mixed + ":37 (WasmPlugin istio-system/corswasm): note: skipped: no --plugin names it [plugin_skipped]\n"; r.stderr != want {
		t.Errorf("--plugin coraza-waf: stderr:\n%s\nwant:\n%s", r.stderr, want)
	}

	r = corswasm(t, "", "check", mixed, "--plugin", "oci://ghcr.io/corswasm/*", renamed, "--plugin", "shop/shop-cors")
	if r.code != exitProblems || strings.Contains(r.stdout, "coraza") || !strings.Contains(r.stdout, mixed+":37 (WasmPlugin istio-system/corswasm): ok\n") ||
		!strings.Contains(r.stdout, renamed+":10 (WasmPlugin shop/shop-cors): 1 error, 1 warning\n") || strings.Contains(r.stderr, "plugin_guessed") {
		t.Errorf("two patterns: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = corswasm(t, "", "check", "--plugin", "corswasm", "--plugin", "corswasm-mian", mixed)
	if r.code != exitProblems || r.stdout != mixed+":37 (WasmPlugin istio-system/corswasm): ok\n"+
		`corswasm check: error: --plugin: "corswasm-mian": names no Wasm plugin of the files checked [plugin_not_found]`+"\n" {
		t.Errorf("a misspelt pattern: exit %d:\n%s", r.code, r.stdout)
	}
}

// --json carries every note and error with its code.
func TestCheckJSONPlugins(t *testing.T) {
	r := corswasm(t, "", "check", "--json", testdata("wasmplugins-mixed.yaml"), testdata("wasmplugin-coraza.yaml"), testdata("wasmplugin-renamed.yaml"), "--plugin", "*", "--plugin", "nope")
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("--json writes on stderr:\n%s", r.stderr)
	}
	if rep.OK || len(rep.Errors) != 1 || rep.Errors[0].Code != "plugin_not_found" || rep.Errors[0].Value != `"nope"` {
		t.Errorf("errors: %+v", rep.Errors)
	}

	r = corswasm(t, "", "check", "--json", testdata("wasmplugins-mixed.yaml"), testdata("wasmplugin-coraza.yaml"), testdata("wasmplugin-renamed.yaml"))
	rep = checkReport{}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Files) != 3 {
		t.Fatalf("not JSON with 3 files (%v):\n%s", err, r.stdout)
	}
	mixed, coraza, renamed := rep.Files[0], rep.Files[1], rep.Files[2]
	if len(mixed.Configurations) != 1 || mixed.Configurations[0].Name != "corswasm" || mixed.Configurations[0].Module != "oci://ghcr.io/corswasm/corswasm:v0.1.0" {
		t.Errorf("mixed: configurations %+v", mixed.Configurations)
	}
	want := skippedReport{Kind: "wasmplugin", Where: "WasmPlugin istio-system/coraza-waf", Name: "coraza-waf", Module: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", Line: 15}
	if len(mixed.Skipped) != 1 || mixed.Skipped[0].Note.Code != "plugin_skipped" || !strings.Contains(mixed.Skipped[0].Note.Message, "is not corswasm's") {
		t.Fatalf("mixed: skipped %+v", mixed.Skipped)
	}
	if got := mixed.Skipped[0]; got.Kind != want.Kind || got.Where != want.Where || got.Name != want.Name || got.Module != want.Module || got.Line != want.Line {
		t.Errorf("mixed: skipped %+v; want %+v", got, want)
	}
	if len(coraza.Configurations) != 0 || len(coraza.Skipped) != 1 || len(coraza.Notes) != 1 || coraza.Notes[0].Code != "no_corswasm_configuration" {
		t.Errorf("coraza: %+v", coraza)
	}
	if len(renamed.Configurations) != 0 || len(renamed.Skipped) != 1 || renamed.Skipped[0].Note.Code != "plugin_skipped" || len(renamed.Notes) != 1 || renamed.Notes[0].Code != "no_corswasm_configuration" {
		t.Errorf("renamed: %+v", renamed)
	}
	r = corswasm(t, "", "check", "--json", testdata("envoy-inline-wasm.yaml"))
	rep = checkReport{}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Files) != 1 {
		t.Fatalf("not JSON with 1 file (%v):\n%s", err, r.stdout)
	}
	if c := rep.Files[0].Configurations; len(c) != 1 || c[0].OK || len(c[0].Notes) != 1 || c[0].Notes[0].Code != "plugin_guessed" || c[0].Errors[0].Code != "unknown_field" {
		t.Errorf("inline: %+v", rep.Files[0].Configurations)
	}
}

// explain takes corswasm's configuration from a file that holds other
// plugins too.
func TestExplainSkipsOtherPlugins(t *testing.T) {
	r := corswasm(t, "", "explain", testdata("envoy-two-wasm.yaml"), "--origin", "https://app.example.com", "--request-method", "PUT")
	if r.code != exitOK || !strings.Contains(r.stdout, "verdict:     preflight allowed") || !strings.Contains(r.stderr, "[plugin_skipped]") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = corswasm(t, "", "explain", testdata("wasmplugin-coraza.yaml"), "--origin", "https://app.example.com")
	if r.code != exitProblems || !strings.Contains(r.stderr, "found no corswasm configuration") {
		t.Errorf("no corswasm configuration: exit %d:\n%s", r.code, r.stderr)
	}
}

// The example of skipped plugins in docs/cli.md is what check prints, notes
// (standard error) and results (standard output) in the order they come.
func TestCheckDocExample(t *testing.T) {
	t.Chdir(repoRoot(t))
	doc, err := os.ReadFile("docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "$ corswasm check wasmplugins.yaml\n"
	_, block, ok := strings.Cut(string(doc), cmd)
	if !ok {
		t.Fatalf("docs/cli.md lacks %q", cmd)
	}
	block, _, _ = strings.Cut(block, "```")
	var out bytes.Buffer
	run([]string{"check", testdata("wasmplugins-mixed.yaml")}, strings.NewReader(""), &out, &out)
	if got := strings.ReplaceAll(out.String(), testdata("wasmplugins-mixed.yaml"), "wasmplugins.yaml"); got != block {
		t.Errorf("check prints:\n%s\ndocs/cli.md shows:\n%s", got, block)
	}
}
