package e2e

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"

	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs
	"sigs.k8s.io/yaml"
)

// The Envoy bootstraps of the repository, checked with the checks of
// harness_envoy_test.go, and mutations of them those checks must refuse.

// TestHarnessEnvoyBootstraps finds the Envoy bootstraps among the YAML files
// of envoy/ and tools/e2e/ and checks each one.
func TestHarnessEnvoyBootstraps(t *testing.T) {
	root := os.DirFS(harnessPath(t, "."))
	var files []string
	for _, pattern := range []string{"envoy/*.yaml", "envoy/*.yml", "tools/e2e/*.yaml", "tools/e2e/*.yml"} {
		m, err := fs.Glob(root, pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	var found []string
	for _, name := range files {
		data := harnessRead(t, name)
		var top map[string]any
		if err := yaml.Unmarshal(data, &top); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		_, static := top["static_resources"]
		_, dynamic := top["dynamic_resources"]
		if !static && !dynamic {
			t.Logf("%s: not an Envoy bootstrap, skipped", name)
			continue
		}
		found = append(found, name)
		t.Run(name, func(t *testing.T) {
			env, err := harnessCheckBootstrap(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range env.plugins {
				for _, w := range p.warnings {
					t.Logf("listener %q: policy warning: %s", p.listener, w)
				}
			}
		})
	}
	for _, want := range []string{"envoy/envoy.yaml", "tools/e2e/envoy.yaml"} {
		if !slices.Contains(found, want) {
			t.Errorf("bootstraps found: %v; want %s among them", found, want)
		}
	}
}

// TestHarnessExampleBootstrap checks envoy/envoy.yaml against envoy/cors.json.
func TestHarnessExampleBootstrap(t *testing.T) {
	if err := harnessCheckExampleBootstrap(harnessRead(t, "envoy/envoy.yaml"), harnessRead(t, "envoy/cors.json")); err != nil {
		t.Fatal(err)
	}
}

// TestHarnessE2EBootstrap checks that tools/e2e/envoy.yaml serves each
// configuration of tools/e2e/testdata on its port.
func TestHarnessE2EBootstrap(t *testing.T) {
	env, err := harnessCheckE2EBootstrap(harnessRead(t, "tools/e2e/envoy.yaml"), harnessTestdata(t), "echo:8080")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range env.plugins {
		t.Logf("port %d: listener %q, plugin %q, %d warnings", p.port, p.listener, p.name, len(p.warnings))
	}
}

// TestHarnessBootstrapMutations proves that the bootstrap checks fail: each
// case breaks one thing in a copy of envoy/envoy.yaml or tools/e2e/envoy.yaml.
func TestHarnessBootstrapMutations(t *testing.T) {
	example := harnessRead(t, "envoy/envoy.yaml")
	cors := harnessRead(t, "envoy/cors.json")
	harness := harnessRead(t, "tools/e2e/envoy.yaml")
	configs := harnessTestdata(t)
	checkExample := func(data []byte) error { return harnessCheckExampleBootstrap(data, cors) }
	checkHarness := func(data []byte) error {
		_, err := harnessCheckE2EBootstrap(data, configs, "echo:8080")
		return err
	}
	tests := []struct {
		name   string
		check  func([]byte) error
		mutate func(t *testing.T) []byte
		want   string
	}{
		{"unknown field", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "stat_prefix: ingress_http", "stat_prefx: ingress_http")
		}, `unknown field "stat_prefx"`},
		{"unknown field in the wasm typed_config", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "failure_policy: FAIL_RELOAD", "failure_polcy: FAIL_RELOAD")
		}, `unknown field "failure_polcy"`},
		{"unregistered typed_config", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "router.v3.Router", "router.v3.Routr")
		}, "envoy.extensions.filters.http.router.v3.Routr"},
		{"duplicate key", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "    type: STRICT_DNS\n", "    type: STRICT_DNS\n    type: LOGICAL_DNS\n")
		}, "already set"},
		{"bootstrap rule: port out of range", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "port_value: 10000", "port_value: 70000")
		}, "value must be less than or equal to 65535"},
		{"connection manager rule: empty stat_prefix", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "stat_prefix: ingress_http", `stat_prefix: ""`)
		}, "StatPrefix: value length must be at least 1"},
		{"router rule: bad strict_check_headers", checkExample, func(t *testing.T) []byte {
			return harnessEdit(t, example, func(root map[string]any) {
				filters := harnessHTTPFilters(t, root)
				router := harnessAt(t, filters[len(filters)-1], "typed_config")
				router["strict_check_headers"] = []any{"x-not-an-envoy-header"}
			})
		}, "StrictCheckHeaders"},
		{"wasm rule: empty module filename", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "filename: /etc/envoy/cors.wasm", `filename: ""`)
		}, "Filename: value length must be at least 1"},
		{"wrong runtime", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "runtime: envoy.wasm.runtime.v8", "runtime: envoy.wasm.runtime.wamr")
		}, `runtime "envoy.wasm.runtime.wamr"`},
		{"wrong module path", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "filename: /etc/envoy/cors.wasm", "filename: /etc/envoy/plugin.wasm")
		}, `local filename "/etc/envoy/plugin.wasm"`},
		{"fails open", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "failure_policy: FAIL_RELOAD", "fail_open: true")
		}, "fail_open: true"},
		{"fails open by failure_policy", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "failure_policy: FAIL_RELOAD", "failure_policy: FAIL_OPEN")
		}, "failure_policy FAIL_OPEN"},
		{"configuration not a StringValue", checkExample, func(t *testing.T) []byte {
			return harnessEdit(t, example, func(root map[string]any) {
				wasm := harnessAt(t, harnessHTTPFilters(t, root)[0], "typed_config", "config")
				var policyJSON any
				if err := json.Unmarshal(cors, &policyJSON); err != nil {
					t.Fatal(err)
				}
				wasm["configuration"] = map[string]any{"@type": "type.googleapis.com/google.protobuf.Struct", "value": policyJSON}
			})
		}, "want google.protobuf.StringValue"},
		{"configuration rejected by the policy", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, `"allow_origins":`, `"allow_origin":`)
		}, `unknown field "allow_origin"`},
		{"configuration differs from cors.json", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, `"max_age": 600`, `"max_age": 601`)
		}, "differs from envoy/cors.json"},
		{"router before the CORS filter", checkExample, func(t *testing.T) []byte {
			return harnessEdit(t, example, func(root map[string]any) {
				filters := harnessHTTPFilters(t, root)
				filters[0], filters[1] = filters[1], filters[0]
			})
		}, "the last http filter must be envoy.filters.http.router"},
		{"no CORS filter", checkExample, func(t *testing.T) []byte {
			return harnessEdit(t, example, func(root map[string]any) {
				hcm := harnessAt(t, root, harnessHCM...)
				hcm["http_filters"] = harnessHTTPFilters(t, root)[1:]
			})
		}, "0 CORS filters"},
		{"route to an undefined cluster", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "route: {cluster: backend}", "route: {cluster: backnd}")
		}, `cluster "backnd", which is not defined`},
		{"harness: configuration drifted from testdata", checkHarness, func(t *testing.T) []byte {
			return harnessReplace(t, harness, `"expose_headers": ["x-trace-id"]`, `"expose_headers": ["x-trace-id", "x-more"]`)
		}, "differs from tools/e2e/testdata/main.json"},
		{"harness: listener on the wrong port", checkHarness, func(t *testing.T) []byte {
			return harnessReplace(t, harness, "port_value: 10002", "port_value: 10005")
		}, `listener "reject" on port 10005; want 10002`},
		{"harness: listeners in another order", checkHarness, func(t *testing.T) []byte {
			return harnessEdit(t, harness, func(root map[string]any) {
				listeners := harnessAt(t, root, "static_resources")["listeners"].([]any)
				listeners[1], listeners[2] = listeners[2], listeners[1]
			})
		}, `listener 1 is "reject"; want "forward"`},
		{"harness: a listener missing", checkHarness, func(t *testing.T) []byte {
			return harnessEdit(t, harness, func(root map[string]any) {
				static := harnessAt(t, root, "static_resources")
				listeners := static["listeners"].([]any)
				static["listeners"] = listeners[:len(listeners)-1]
			})
		}, fmt.Sprintf("%d listeners run the CORS filter; want %d", len(harnessConfigs)-1, len(harnessConfigs))},
		{"harness: echo upstream moved", checkHarness, func(t *testing.T) []byte {
			return harnessReplace(t, harness, "{address: echo, port_value: 8080}", "{address: echo, port_value: 8081}")
		}, `cluster echo reaches "echo:8081"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			harnessWantErr(t, tt.check(tt.mutate(t)), tt.want)
		})
	}
}

// TestHarnessWasmPlugin checks envoy/wasmplugin.yaml against istio.io/api
// and envoy/cors.json.
