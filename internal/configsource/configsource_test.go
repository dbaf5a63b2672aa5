package configsource

import (
	"errors"
	"testing"
)

func TestFind(t *testing.T) {
	cases := []struct {
		desc string
		doc  string
		want []Config
	}{
		{"a corswasm configuration", `{"allow_origins": []}`, []Config{{Kind: JSON, Data: []byte(`{"allow_origins": []}`)}}},
		{"invalid JSON stays a corswasm configuration", `{"allow_origins": [}`, []Config{{Kind: JSON, Data: []byte(`{"allow_origins": [}`)}}},
		{"empty", "  \n", []Config{{Kind: JSON, Data: []byte("  \n")}}},
		{"a WasmPlugin among other objects", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n" +
			"apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: cors}\nspec:\n  pluginConfig:\n    max_age: 60\n",
			[]Config{{Kind: WasmPlugin, Where: "WasmPlugin cors", Name: "cors", Line: 10, Data: []byte(`{"max_age":60}`)}}},
		{"a WasmPlugin in JSON without pluginConfig", `{"apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin", "metadata": {"name": "c", "namespace": "n"}, "spec": {}}`,
			[]Config{{Kind: WasmPlugin, Where: "WasmPlugin n/c", Name: "c", Line: 1}}},
		{"Istio's TypedStruct form", "typed_config:\n  \"@type\": type.googleapis.com/udpa.type.v1.TypedStruct\n  type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm\n  value:\n    config:\n      name: cors\n      configuration:\n        \"@type\": type.googleapis.com/google.protobuf.StringValue\n        value: '{}'\n",
			[]Config{{Kind: Envoy, Where: "typed_config.value.config.configuration", Name: "cors", Line: 9, Data: []byte(`{}`)}}},
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
			if g.Kind != w.Kind || g.Where != w.Where || g.Name != w.Name || g.Line != w.Line || string(g.Data) != string(w.Data) || g.Problem != "" {
				t.Errorf("%s: got %+v (data %s); want %+v (data %s)", tc.desc, g, g.Data, w, w.Data)
			}
		}
	}
}

func TestFindErrors(t *testing.T) {
	var se *SyntaxError
	if _, err := Find([]byte("a: [b\n")); !errors.As(err, &se) {
		t.Errorf("bad YAML: %v; want a *SyntaxError", err)
	}
	for _, doc := range []string{"static_resources: {}\n", "apiVersion: v1\nkind: ConfigMap\n", "- 1\n"} {
		if _, err := Find([]byte(doc)); !errors.Is(err, ErrNoConfiguration) {
			t.Errorf("%q: %v; want ErrNoConfiguration", doc, err)
		}
	}
}
