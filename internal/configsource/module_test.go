package configsource

import "testing"

// The module names the README and envoy/ give users are corswasm's; other
// teams' modules, and corswasm's name inside a registry's path only, are
// not.
func TestCorswasmModule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   Kind
		module string
		want   bool
	}{
		{Envoy, "/etc/envoy/cors.wasm", true}, // envoy/envoy.yaml
		{Envoy, "/opt/filters/corswasm-v0.1.0.wasm", true},
		{Envoy, "https://files.example/wasm/cors.wasm?sig=1", true},
		{Envoy, "https://files.example/wasm/coraza-proxy-wasm.wasm", false},
		{Envoy, "/etc/envoy/filter.wasm", false},
		{Envoy, "", false},
		{WasmPlugin, "oci://ghcr.io/corswasm/corswasm:v0.1.0", true}, // envoy/wasmplugin.yaml
		{WasmPlugin, "oci://registry.example.com/corswasm:v0.1.0", true},
		{WasmPlugin, "registry.example.com:5000/corswasm@sha256:0123abcd", true}, // no scheme: oci://
		{WasmPlugin, "OCI://registry.example.com/platform/corswasm-filter:1", true},
		{WasmPlugin, "file:///opt/filters/cors.wasm", true},
		{WasmPlugin, "https://files.example/cors.wasm", true},
		{WasmPlugin, "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", false},
		{WasmPlugin, "oci://ghcr.io/corswasm/waf:1", false}, // corswasm's organisation, another module
		{WasmPlugin, "oci://registry.example.com/cors:1", false},
		{WasmPlugin, "registry.example.com:5000/corswasm-x/acl:1", false},
	} {
		if got := CorswasmModule(tc.kind, tc.module); got != tc.want {
			t.Errorf("CorswasmModule(%s, %q) = %v; want %v", tc.kind, tc.module, got, tc.want)
		}
	}
}
