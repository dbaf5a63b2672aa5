package configsource

import (
	"strings"
	"testing"
)

// mixedPlugins are corswasm's WasmPlugin (as envoy/wasmplugin.yaml), a WAF
// team's, another image (a renamed corswasm, or another team's CORS
// plugin) whose configuration has a typo of allow_origins, and an
// identity team's OAuth plugin whose configuration names origins among
// fields that are not corswasm's.
const mixedPlugins = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: corswasm, namespace: istio-system}
spec:
  url: oci://ghcr.io/corswasm/corswasm:v0.1.0
  pluginConfig: {allow_origins: ["https://app.example.com"]}
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: coraza-waf, namespace: istio-system}
spec:
  url: oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0
  pluginConfig:
    directives_map: {default: ["SecRuleEngine On"]}
    default_directives: default
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: shop-cors, namespace: shop}
spec:
  url: oci://registry.example.com/platform/cors-filter:2
  pluginName: cors
  pluginConfig: {allow_origin: ["https://shop.example.com"]}
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: oauth, namespace: identity}
spec:
  url: oci://registry.example.com/identity/oauth-filter:3
  pluginConfig:
    allowed_origins: ["https://app.example.com"]
    redirect_uri: https://app.example.com/callback
    client_id: app
`

func TestSelect(t *testing.T) {
	t.Parallel()
	cs, err := Find([]byte(mixedPlugins))
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, Config{Kind: JSON, Data: []byte(`{}`)})
	for _, tc := range []struct {
		desc     string
		patterns []string
		want     []Verdict // corswasm, coraza-waf, shop-cors, oauth, the JSON file
		note     []string  // in each note, in order
	}{
		// A module named otherwise is another plugin's, whatever its
		// configuration's fields.
		{"by module", nil, []Verdict{Corswasm, Skipped, Skipped, Skipped, Corswasm},
			[]string{"", `skipped: its module "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0" is not corswasm's; if it is corswasm, name it with --plugin`,
				`skipped: its module "oci://registry.example.com/platform/cors-filter:2" is not corswasm's; if it is corswasm, name it with --plugin`,
				`skipped: its module "oci://registry.example.com/identity/oauth-filter:3" is not corswasm's`, ""}},
		{"by name", []string{"shop-cors"}, []Verdict{Skipped, Skipped, Corswasm, Skipped, Corswasm}, []string{"no --plugin names it", "no --plugin names it", "", "no --plugin names it", ""}},
		{"by NAMESPACE/NAME and root ID", []string{"istio-system/corswasm", "cors"}, []Verdict{Corswasm, Skipped, Corswasm, Skipped, Corswasm}, nil},
		{"by module, with a wildcard", []string{"oci://registry.example.com/platform/*"}, []Verdict{Skipped, Skipped, Corswasm, Skipped, Corswasm}, nil},
		{"a pattern naming the WAF checks it", []string{"*coraza*"}, []Verdict{Skipped, Corswasm, Skipped, Skipped, Corswasm}, nil},
		{"a part of a name is no match", []string{"cors-filter"}, []Verdict{Skipped, Skipped, Skipped, Skipped, Corswasm}, nil},
	} {
		got := Select(cs, tc.patterns)
		for i, ch := range got {
			if ch.Verdict != tc.want[i] {
				t.Errorf("%s: %s: verdict %d; want %d (%s)", tc.desc, ch.Label("f"), ch.Verdict, tc.want[i], ch.Note)
			}
			if wantCode := map[Verdict]string{Corswasm: "", Guessed: "plugin_guessed", Skipped: "plugin_skipped"}[ch.Verdict]; string(ch.Code) != wantCode {
				t.Errorf("%s: %s: code %q; want %q", tc.desc, ch.Label("f"), ch.Code, wantCode)
			}
			if tc.note != nil && !strings.Contains(ch.Note, tc.note[i]) || (tc.note != nil && tc.note[i] == "" && ch.Note != "") {
				t.Errorf("%s: %s: note %q; want it to contain %q", tc.desc, ch.Label("f"), ch.Note, tc.note[i])
			}
		}
	}
}

func TestSelectByVMIDAndNoModule(t *testing.T) {
	t.Parallel()
	cs, err := Find([]byte(wasmFilterYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got := Select(cs, []string{"waf-vm"}); got[0].Verdict != Corswasm || got[1].Verdict != Skipped {
		t.Errorf("--plugin waf-vm: %+v", got)
	}
	// Inline code names no module; a configuration without origins is
	// another plugin's.
	inline := Config{Kind: Envoy, Name: "x", Data: []byte(`{"a": 1}`)}
	if got := Select([]Config{inline}, nil)[0]; got.Verdict != Skipped || !strings.Contains(got.Note, "it names no module file, URL or image") {
		t.Errorf("inline code: %+v", got)
	}
	// One whose configuration resembles corswasm's is guessed; the same
	// configuration beside a module named otherwise is skipped (another
	// team's CORS plugin: Higress-style fields).
	inline.corswasmLike = true
	if got := Select([]Config{inline}, nil)[0]; got.Verdict != Guessed || got.Code != CodePluginGuessed ||
		got.Note != "taken for corswasm's: it names no module file, URL or image, but its configuration's fields are corswasm's or near misses of them, origins among them; name the plugins to check with --plugin" {
		t.Errorf("inline code like corswasm's: %+v", got)
	}
	higress := `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: cors2, namespace: istio-system}
spec:
  url: oci://ghcr.io/other-team/cors-filter:2
  pluginConfig: {allow_origins: ["*"], allow_origin_patterns: ["http://*.example.com"], allow_methods: ["*"], allow_credentials: true, max_age: 7200}
`
	cs, err = Find([]byte(higress))
	if err != nil {
		t.Fatal(err)
	}
	if got := Select(cs, nil)[0]; got.Verdict != Skipped || !cs[0].corswasmLike {
		t.Errorf("another team's CORS plugin: %+v", got)
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"corswasm", "corswasm", true},
		{"corswasm", "corswasm-main", false},
		{"corswasm-*", "corswasm-main", true},
		{"*", "anything/at:all", true},
		{"*cors*", "oci://r/corswasm:1", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbYcZ", false},
		{"a**", "a", true},
		{"?", "a", false}, // only "*" is special
		{"", "a", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// A configuration resembles corswasm's when one of its fields names
// origins and most are corswasm's fields or near misses of them (the
// "did you mean" of an unknown field).
func TestResemblesCorswasm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names []string
		want  bool
	}{
		{[]string{"allow_origin"}, true},
		{[]string{"allow_origins", "allow_methods", "max_age"}, true},
		{[]string{"allowedOrigins", "allowCredentials", "x_team"}, true},
		{[]string{"allowed_origins", "redirect_uri", "client_id"}, false},
		{[]string{"allowed_origins", "redirect_uri"}, false},
		{[]string{"enabled", "mode"}, false},
		{[]string{"trusted_origin_header"}, false},
		{nil, false},
	} {
		if got := resemblesCorswasm(tc.names); got != tc.want {
			t.Errorf("resemblesCorswasm(%q) = %v; want %v", tc.names, got, tc.want)
		}
	}
}
