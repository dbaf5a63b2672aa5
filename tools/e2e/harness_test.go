package e2e

// Static checks of the Envoy harness and of the user-facing examples, for
// machines without Docker or Envoy: every Envoy bootstrap parses as
// envoy.config.bootstrap.v3.Bootstrap (unknown fields rejected) and passes
// its validation rules, down to each typed_config; the CORS filters carry
// the configurations they should, and policy.Load accepts them; the Istio
// WasmPlugin parses as istio.io/api's WasmPlugin; the compose file loads with
// compose-go; the harness script agrees with all of them and behaves (run on
// stub tools). Each checker works on bytes, so the tests also run it on
// broken copies and require it to complain.
//
// The heavy modules (go-control-plane, istio.io/api, compose-go) are only
// imported here, in _test.go files of the tools module: the product module
// does not require them, and the wasm module never links them.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs
	"sigs.k8s.io/yaml"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/policy"
)

// What the Envoy configurations must say.
const (
	harnessWasmFilterName   = "envoy.filters.http.wasm"
	harnessRouterFilterName = "envoy.filters.http.router"
	harnessRuntime          = "envoy.wasm.runtime.v8"
	harnessModulePath       = "/etc/envoy/cors.wasm"
	harnessBootstrapPath    = "/etc/envoy/envoy.yaml"
	harnessFirstPort        = 10000
	harnessAdminPort        = 9901
)

// What the harness (compose file and script) must say.
const (
	harnessDefaultImage   = "envoyproxy/envoy:v1.40-latest"
	harnessSentinelOrigin = "https://corswasm-harness.invalid"
	harnessSentinelMethod = "PUT"
)

// harnessConfigs are the end-to-end configurations
// (tools/e2e/testdata/NAME.json) in the order of tools/e2e/envoy.yaml's
// listeners, from port harnessFirstPort on.
var harnessConfigs = []string{"main", "forward", "reject", "keep", "any", "wild", "edge"}

// harnessErrors collects problems, so that a checker reports all of them at
// once.
type harnessErrors []error

func (e *harnessErrors) addf(format string, args ...any) {
	*e = append(*e, fmt.Errorf(format, args...))
}

func (e harnessErrors) err() error { return errors.Join(e...) }

// harnessYAMLToJSON converts YAML to JSON, refusing duplicate keys (which a
// YAML parser would otherwise resolve silently, the last one winning).
func harnessYAMLToJSON(data []byte) ([]byte, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("invalid yaml: %w", err)
	}
	return js, nil
}

// harnessSameJSON reports whether two JSON texts hold the same value,
// whatever their layout and key order.
func harnessSameJSON(a, b []byte) (bool, error) {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return false, fmt.Errorf("first value: %w", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return false, fmt.Errorf("second value: %w", err)
	}
	return reflect.DeepEqual(va, vb), nil
}

// harnessLoadPolicy runs policy.Load on a plugin configuration and returns
// its warnings as text.
func harnessLoadPolicy(config []byte) ([]string, error) {
	p, err := policy.Load(config)
	if err != nil {
		return nil, fmt.Errorf("policy.Load rejects the plugin configuration:\n%w", err)
	}
	var warnings []string
	for _, w := range p.Warnings() {
		warnings = append(warnings, w.Error())
	}
	return warnings, nil
}

// ---- test helpers ----

// harnessRoot returns the repository's root (tests run in tools/e2e/).
var harnessRoot = sync.OnceValues(testmodule.RepoRoot)

// harnessPath returns the path of a file of the repository, given relative
// to the repository's root with slashes.
func harnessPath(t *testing.T, path string) string {
	t.Helper()
	root, err := harnessRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, filepath.FromSlash(path))
}

// harnessRead reads a file of the repository; paths are relative to the
// repository's root.
func harnessRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(harnessPath(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// harnessTestdata reads the end-to-end configurations.
func harnessTestdata(t *testing.T) map[string][]byte {
	t.Helper()
	configs := map[string][]byte{}
	for _, name := range harnessConfigs {
		configs[name] = harnessRead(t, "tools/e2e/testdata/"+name+".json")
	}
	return configs
}

// harnessE2EDir is the absolute path of tools/e2e/, the compose project
// directory.
func harnessE2EDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// harnessReplace returns s with the first old replaced by new, failing the
// test when s has no old (a mutation that changes nothing proves nothing).
func harnessReplace(t *testing.T, s []byte, old, new string) []byte {
	t.Helper()
	if !strings.Contains(string(s), old) {
		t.Fatalf("mutation: %q not found", old)
	}
	return []byte(strings.Replace(string(s), old, new, 1))
}

// harnessEdit returns YAML data converted to JSON (still valid YAML) after
// edit changed its tree.
func harnessEdit(t *testing.T, data []byte, edit func(root map[string]any)) []byte {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(js, &root); err != nil {
		t.Fatal(err)
	}
	edit(root)
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// harnessAt walks a JSON tree by object keys (string) and array indexes
// (int) and returns the object found there.
func harnessAt(t *testing.T, v any, path ...any) map[string]any {
	t.Helper()
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("mutation: %v: not an object at %q", path, s)
			}
			v = m[s]
		case int:
			a, ok := v.([]any)
			if !ok || s >= len(a) {
				t.Fatalf("mutation: %v: no element %d", path, s)
			}
			v = a[s]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("mutation: %v: not an object", path)
	}
	return m
}

// harnessHCM is the path of the first listener's HTTP connection manager.
var harnessHCM = []any{"static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config"}

// harnessHTTPFilters returns the first listener's http_filters.
func harnessHTTPFilters(t *testing.T, root map[string]any) []any {
	t.Helper()
	filters, ok := harnessAt(t, root, harnessHCM...)["http_filters"].([]any)
	if !ok || len(filters) < 2 {
		t.Fatalf("mutation: http_filters: %v", filters)
	}
	return filters
}

// harnessWantErr fails unless err mentions want.
func harnessWantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error; want one mentioning %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("got error:\n%v\nwant one mentioning %q", err, want)
	}
}
