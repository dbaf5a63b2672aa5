//go:build !wasip1

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// repoFile is the path of a file of the repository.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, filepath.FromSlash(name))
}

// wafAndCors holds the WAF team's WasmPlugin and corswasm's, as a
// kubectl List.
const wafAndCors = `apiVersion: v1
kind: List
items:
- apiVersion: extensions.istio.io/v1
  kind: WasmPlugin
  metadata: {name: coraza-waf, namespace: istio-system}
  spec:
    url: oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0
    pluginConfig: {directives_map: {default: [SecRuleEngine On]}, default_directives: default}
- apiVersion: extensions.istio.io/v1
  kind: WasmPlugin
  metadata: {name: corswasm, namespace: istio-system}
  spec:
    url: oci://ghcr.io/corswasm/corswasm:v0.1.0
    pluginConfig: {allow_origins: [https://app.example.com]}
`

// -config reads every file `corswasm check` reads, through the same code:
// the configuration of corswasm's plugin, named as check names it.
func TestReadPluginConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, file, doc, plugin string
		wantLabel, wantData     string // wantData: a part of the configuration
		wantNote                string
	}{
		{desc: "a JSON file", file: "envoy/cors.json", wantLabel: "envoy/cors.json", wantData: `"allow_origins"`},
		{desc: "a WasmPlugin", file: "envoy/wasmplugin.yaml", wantLabel: "envoy/wasmplugin.yaml:46 (WasmPlugin istio-system/corswasm)", wantData: `"max_age":600`},
		{desc: "a bootstrap", file: "envoy/envoy.yaml",
			wantLabel: "envoy/envoy.yaml:60 (static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration)", wantData: `"max_age": 600`},
		{desc: "an EnvoyExtensionPolicy's extension by NAMESPACE/NAME", file: "cmd/corswasm/testdata/envoyextensionpolicies.yaml", plugin: "gateway/cors",
			wantLabel: "cmd/corswasm/testdata/envoyextensionpolicies.yaml:21 (EnvoyExtensionPolicy gateway/edge: spec.wasm[1])", wantData: `{"allow_origins":["https://app.example.com"]}`},
		{desc: "one of seven, by name", file: "tools/e2e/envoy.yaml", plugin: "corswasm-forward", wantData: `"on_unmatched_preflight": "forward"`},
		{desc: "corswasm's of a List, the WAF's skipped", file: "list.yaml", doc: wafAndCors, wantLabel: "list.yaml:15 (WasmPlugin istio-system/corswasm)",
			wantData: `{"allow_origins":["https://app.example.com"]}`, wantNote: `list.yaml:9 (WasmPlugin istio-system/coraza-waf): note: skipped: its module "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0" is not corswasm's`},
	} {
		data := []byte(tc.doc)
		if tc.doc == "" {
			var err error
			if data, err = os.ReadFile(repoFile(t, tc.file)); err != nil {
				t.Fatal(err)
			}
		}
		pc, err := readPluginConfig(tc.file, data, tc.plugin)
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		if tc.wantLabel != "" && pc.label != tc.wantLabel {
			t.Errorf("%s: label %q; want %q", tc.desc, pc.label, tc.wantLabel)
		}
		if !strings.Contains(string(pc.data), tc.wantData) {
			t.Errorf("%s: configuration %s; want it to hold %s", tc.desc, pc.data, tc.wantData)
		}
		if notes := strings.Join(pc.notes, "\n"); tc.wantNote == "" && notes != "" || !strings.Contains(notes, tc.wantNote) {
			t.Errorf("%s: notes %q; want %q", tc.desc, notes, tc.wantNote)
		}
	}
}

// A file with several corswasm plugins is never run by a silent pick; a
// file with none, or a plugin whose configuration is no JSON text, is
// refused with the reason.
func TestReadPluginConfigRefusals(t *testing.T) {
	t.Parallel()
	e2e, err := os.ReadFile(repoFile(t, "tools/e2e/envoy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = readPluginConfig("envoy.yaml", e2e, "")
	var ce *choiceError
	if !errors.As(err, &ce) || len(ce.candidates) != 7 {
		t.Fatalf("seven plugins: %v; want a choiceError with 7 candidates", err)
	}
	for _, want := range []string{"envoy.yaml holds 7 corswasm configurations; choose one with -plugin PATTERN (make run PLUGIN=PATTERN)", `name "corswasm-main"`, `name "corswasm-edge"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	for _, tc := range []struct{ desc, doc, plugin, want string }{
		{"only the WAF's", wafAndCors[:strings.Index(wafAndCors, "- apiVersion: extensions.istio.io/v1\n  kind: WasmPlugin\n  metadata: {name: corswasm")], "",
			"f: found no corswasm configuration: every Wasm plugin in it is skipped:\n  f:9 (WasmPlugin istio-system/coraza-waf): note: skipped"},
		{"a pattern naming nothing", wafAndCors, "cors", `f: no Wasm plugin matches -plugin "cors"`},
		{"a Service", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n", "", "f: found no corswasm configuration: want"},
		{"a Struct", "http_filters:\n- typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n    config:\n      vm_config: {code: {local: {filename: cors.wasm}}}\n      configuration:\n        \"@type\": type.googleapis.com/google.protobuf.Struct\n        value: {allow_origins: []}\n",
			"", `f:7 (http_filters[0].typed_config.config.configuration): configuration is a "type.googleapis.com/google.protobuf.Struct"; want type.googleapis.com/google.protobuf.StringValue`},
		{"a List without items", "apiVersion: v1\nkind: List\nitems: 3\n", "", "f: line 3: the items of a List must be a sequence of objects"},
	} {
		_, err := readPluginConfig("f", []byte(tc.doc), tc.plugin)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error starting %q", tc.desc, err, tc.want)
		}
	}
}

// make run passes CONFIG and PLUGIN to corshost.
func TestMakeRunPassesPlugin(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "-n", "run", "CONFIG=tools/e2e/envoy.yaml", "PLUGIN=corswasm-forward")
	cmd.Dir = repoFile(t, ".")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n run: %v\n%s", err, out)
	}
	if want := `-config "tools/e2e/envoy.yaml" -plugin "corswasm-forward"`; !strings.Contains(string(out), want) {
		t.Errorf("make -n run lacks %q:\n%s", want, out)
	}
}
