package configsource

import (
	"errors"
	"testing"
)

// wasmFilterYAML is an Envoy HTTP filter list with two Wasm filters: a WAF
// and corswasm, the second in protobuf's JSON names (vmConfig, rootId).
const wasmFilterYAML = `http_filters:
- name: envoy.filters.http.wasm
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      name: waf
      root_id: coraza
      vm_config:
        vm_id: waf-vm
        runtime: envoy.wasm.runtime.v8
        code: {local: {filename: /etc/envoy/coraza-proxy-wasm.wasm}}
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: '{"directives_map": {"default": ["SecRuleEngine On"]}, "default_directives": "default"}'
- name: envoy.filters.http.wasm
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      name: cors
      rootId: cors-root
      vmConfig:
        vmId: cors-vm
        code: {remote: {httpUri: {uri: "https://files.example/cors.wasm", cluster: files, timeout: 5s}, sha256: abc}}
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: '{"allow_origins": ["https://a.example"]}'
`

// envoyFilterYAML is an Istio EnvoyFilter inserting corswasm as a
// TypedStruct, in a kubectl List with a Service.
const envoyFilterYAML = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web}
- apiVersion: networking.istio.io/v1alpha3
  kind: EnvoyFilter
  metadata: {name: cors, namespace: istio-system}
  spec:
    configPatches:
    - applyTo: HTTP_FILTER
      patch:
        operation: INSERT_BEFORE
        value:
          name: envoy.filters.http.wasm
          typed_config:
            "@type": type.googleapis.com/udpa.type.v1.TypedStruct
            type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
            value:
              config:
                name: corswasm
                vm_config: {code: {local: {filename: /var/local/lib/wasm-filters/cors.wasm}}}
                configuration:
                  "@type": type.googleapis.com/google.protobuf.StringValue
                  value: '{}'
`

func TestFind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		doc  string
		want []Config
	}{
		{"a corswasm configuration", `{"allow_origins": []}`, []Config{{Kind: JSON, Data: []byte(`{"allow_origins": []}`)}}},
		{"invalid JSON stays a corswasm configuration", `{"allow_origins": [}`, []Config{{Kind: JSON, Data: []byte(`{"allow_origins": [}`)}}},
		{"empty", "  \n", []Config{{Kind: JSON, Data: []byte("  \n")}}},
		{"a WasmPlugin among other objects", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n" +
			"apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: cors}\nspec:\n  url: oci://r.example/corswasm:1\n  pluginName: cors-root\n  pluginConfig:\n    max_age: 60\n",
			[]Config{{Kind: WasmPlugin, Where: "WasmPlugin cors", Name: "cors", Module: "oci://r.example/corswasm:1", RootID: "cors-root", Line: 12, Data: []byte(`{"max_age":60}`)}}},
		{"a WasmPlugin in JSON without pluginConfig", `{"apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin", "metadata": {"name": "c", "namespace": "n"}, "spec": {}}`,
			[]Config{{Kind: WasmPlugin, Where: "WasmPlugin n/c", Name: "c", Namespace: "n", Line: 1}}},
		{"Istio's TypedStruct form", "typed_config:\n  \"@type\": type.googleapis.com/udpa.type.v1.TypedStruct\n  type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n  value:\n    config:\n      name: cors\n      configuration:\n        \"@type\": type.googleapis.com/google.protobuf.StringValue\n        value: '{}'\n",
			[]Config{{Kind: Envoy, Where: "typed_config.value.config.configuration", Name: "cors", Line: 9, Data: []byte(`{}`)}}},
		{"two Wasm filters, each with its module, vm_id and root_id", wasmFilterYAML, []Config{
			{Kind: Envoy, Where: "http_filters[0].typed_config.config.configuration", Name: "waf", Module: "/etc/envoy/coraza-proxy-wasm.wasm", VMID: "waf-vm", RootID: "coraza", Line: 14,
				Data: []byte(`{"directives_map": {"default": ["SecRuleEngine On"]}, "default_directives": "default"}`)},
			{Kind: Envoy, Where: "http_filters[1].typed_config.config.configuration", Name: "cors", Module: "https://files.example/cors.wasm", VMID: "cors-vm", RootID: "cors-root", Line: 26,
				Data: []byte(`{"allow_origins": ["https://a.example"]}`)},
		}},
		{"an EnvoyFilter in a List", envoyFilterYAML, []Config{
			{Kind: Envoy, Where: "EnvoyFilter istio-system/cors: spec.configPatches[0].patch.value.typed_config.value.config.configuration", Name: "corswasm",
				Module: "/var/local/lib/wasm-filters/cors.wasm", Line: 26, Data: []byte(`{}`)},
		}},
	}
	for _, tc := range cases {
		got, err := Find([]byte(tc.doc))
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d configurations; want %d: %+v", tc.desc, len(got), len(tc.want), got)
			continue
		}
		for i, g := range got {
			w := tc.want[i]
			if g.Kind != w.Kind || g.Where != w.Where || g.Name != w.Name || g.Namespace != w.Namespace || g.Module != w.Module ||
				g.VMID != w.VMID || g.RootID != w.RootID || g.Line != w.Line || string(g.Data) != string(w.Data) || g.Problem != "" {
				t.Errorf("%s: got %+v (data %s); want %+v (data %s)", tc.desc, g, g.Data, w, w.Data)
			}
		}
	}
}

func TestFindErrors(t *testing.T) {
	t.Parallel()
	var se *SyntaxError
	if _, err := Find([]byte("a: [b\n")); !errors.As(err, &se) {
		t.Errorf("bad YAML: %v; want a *SyntaxError", err)
	}
	var le *ListError
	if _, err := Find([]byte("apiVersion: v1\nkind: List\nitems: {}\n")); !errors.As(err, &le) {
		t.Errorf("a List without a sequence of items: %v; want a *ListError", err)
	}
	for _, doc := range []string{"static_resources: {}\n", "apiVersion: v1\nkind: ConfigMap\n", "- 1\n",
		"apiVersion: v1\nkind: List\nitems: []\n", "apiVersion: networking.istio.io/v1\nkind: EnvoyFilter\nmetadata: {name: x}\n"} {
		if _, err := Find([]byte(doc)); !errors.Is(err, ErrNoConfiguration) {
			t.Errorf("%q: %v; want ErrNoConfiguration", doc, err)
		}
	}
}

// Find and Select never panic, and Select keeps every configuration.
func FuzzFind(f *testing.F) {
	eep := "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyExtensionPolicy\nmetadata: {name: c}\nspec:\n  wasm: [{code: {type: Image, image: {url: corswasm}}, config: {max_age: 1}}, {config: [1]}, 3]\n"
	for _, doc := range []string{eep, wasmFilterYAML, envoyFilterYAML, mixedPlugins, `{"allow_origins": []}`, "apiVersion: v1\nkind: List\nitems: [3]\n"} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		cs, err := Find([]byte(doc))
		if err != nil {
			return
		}
		if got := Select(cs, nil); len(got) != len(cs) {
			t.Errorf("Select returned %d of %d configurations", len(got), len(cs))
		}
		for _, c := range cs {
			c.Matches("*a*")
		}
	})
}

// An Envoy Gateway EnvoyExtensionPolicy: each Wasm extension with its
// module (an image without "oci://" is one), name (the policy's when it has
// none), rootID and config; an extension without config has no data.
func TestFindEnvoyExtensionPolicy(t *testing.T) {
	t.Parallel()
	doc := `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: cors, namespace: shop}
spec:
  wasm:
  - name: corswasm
    rootID: cors-root
    code: {type: Image, image: {url: ghcr.io/corswasm/corswasm:v0.1.0}}
    config: {max_age: 60}
  - code: {type: HTTP, http: {url: "https://files.example/cors.wasm"}}
  - code: {type: HTTP, http: {url: "https://files.example/x.wasm"}}
    config: {1: a}
`
	got, err := Find([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Config{
		{Kind: EnvoyExtensionPolicy, Where: "EnvoyExtensionPolicy shop/cors: spec.wasm[0]", Name: "corswasm", Namespace: "shop", Object: "shop/cors",
			Module: "ghcr.io/corswasm/corswasm:v0.1.0", RootID: "cors-root", Line: 9, Data: []byte(`{"max_age":60}`)},
		{Kind: EnvoyExtensionPolicy, Where: "EnvoyExtensionPolicy shop/cors: spec.wasm[1]", Name: "cors", Namespace: "shop", Object: "shop/cors",
			Module: "https://files.example/cors.wasm", Line: 10},
		{Kind: EnvoyExtensionPolicy, Where: "EnvoyExtensionPolicy shop/cors: spec.wasm[2]", Name: "cors", Namespace: "shop", Object: "shop/cors",
			Module: "https://files.example/x.wasm", Line: 12, ProblemPath: "spec.wasm[2].config"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d configurations; want %d: %+v", len(got), len(want), got)
	}
	for i, g := range got {
		w := want[i]
		if g.Kind != w.Kind || g.Where != w.Where || g.Name != w.Name || g.Namespace != w.Namespace || g.Object != w.Object || g.Module != w.Module ||
			g.RootID != w.RootID || g.Line != w.Line || string(g.Data) != string(w.Data) || g.ProblemPath != w.ProblemPath || (g.ProblemPath != "") != (g.Problem != "") {
			t.Errorf("[%d]: got %+v (data %s); want %+v (data %s)", i, g, g.Data, w, w.Data)
		}
	}
	if !CorswasmModule(got[0].Kind, got[0].Module) || !CorswasmModule(got[1].Kind, got[1].Module) || CorswasmModule(got[2].Kind, got[2].Module) {
		t.Error("CorswasmModule: want the image corswasm and cors.wasm, not x.wasm")
	}
	if !got[0].Matches("shop/cors") || !got[0].Matches("shop/corswasm") || got[2].Matches("other/cors") {
		t.Error("Matches: want the policy's and the extension's NAMESPACE/NAME")
	}
	if _, err := Find([]byte("apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyExtensionPolicy\nmetadata: {name: x}\nspec: {extProc: []}\n")); !errors.Is(err, ErrNoConfiguration) {
		t.Errorf("a policy without Wasm extensions: %v; want ErrNoConfiguration", err)
	}
}
