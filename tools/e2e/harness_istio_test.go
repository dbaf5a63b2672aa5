package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	extensionsv1alpha1 "istio.io/api/extensions/v1alpha1"
)

// ---- Istio WasmPlugin ----

// harnessNameRE is a Kubernetes object name (a DNS-1123 subdomain).
var harnessNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// harnessCheckWasmPlugin checks an Istio WasmPlugin manifest: the object's
// apiVersion, kind and name; a spec that parses as istio.io/api's
// extensions.v1alpha1.WasmPlugin with no unknown field; phase AUTHN, type
// HTTP and a failStrategy other than FAIL_OPEN, each written out; a workload selection; an
// oci://, https:// or file:// url; and a pluginConfig that policy.Load
// accepts, which it returns as JSON.
func harnessCheckWasmPlugin(data []byte) ([]byte, error) {
	js, err := harnessYAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	var obj struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name        string            `json:"name"`
			Namespace   string            `json:"namespace"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec json.RawMessage `json:"spec"`
	}
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	var errs harnessErrors
	if want := "extensions.istio.io/v1alpha1"; obj.APIVersion != want {
		errs.addf("apiVersion %q; want %q", obj.APIVersion, want)
	}
	if obj.Kind != "WasmPlugin" {
		errs.addf("kind %q; want %q", obj.Kind, "WasmPlugin")
	}
	if n := obj.Metadata.Name; len(n) > 253 || !harnessNameRE.MatchString(n) {
		errs.addf("metadata.name %q is not a valid object name", n)
	}
	if len(obj.Spec) == 0 {
		errs.addf("no spec")
		return nil, errs.err()
	}
	var wp extensionsv1alpha1.WasmPlugin
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(obj.Spec, &wp); err != nil {
		errs.addf("spec is not a valid istio.extensions.v1alpha1.WasmPlugin: %w", err)
		return nil, errs.err()
	}
	// FAIL_CLOSE is the zero value: require the fields to be written, so the
	// example states its choices.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(obj.Spec, &raw); err != nil {
		errs.addf("spec: %w", err)
	}
	fields := wp.ProtoReflect().Descriptor().Fields()
	for _, name := range []protoreflect.Name{"phase", "type", "fail_strategy"} {
		fd := fields.ByName(name)
		if _, ok := raw[fd.JSONName()]; !ok {
			if _, ok := raw[string(fd.Name())]; !ok {
				errs.addf("spec.%s is not set; write it out", fd.JSONName())
			}
		}
	}
	if wp.GetPhase() != extensionsv1alpha1.PluginPhase_AUTHN {
		errs.addf("spec.phase %s; want AUTHN, so that preflights are answered before authentication and authorization reject them", wp.GetPhase())
	}
	if wp.GetType() != extensionsv1alpha1.PluginType_HTTP {
		errs.addf("spec.type %s; want HTTP", wp.GetType())
	}
	// A failed VM is re-created or fails its requests; requests never pass
	// without the filter.
	if wp.GetFailStrategy() == extensionsv1alpha1.FailStrategy_FAIL_OPEN {
		errs.addf("spec.failStrategy %s; want FAIL_RELOAD (or FAIL_CLOSE), never traffic without CORS checks", wp.GetFailStrategy())
	}
	if len(wp.GetSelector().GetMatchLabels()) == 0 && wp.GetTargetRef() == nil && len(wp.GetTargetRefs()) == 0 {
		errs.addf("spec has no selector.matchLabels nor targetRefs: the plugin would apply to every workload")
	}
	if u := wp.GetUrl(); !strings.HasPrefix(u, "oci://") && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "file://") {
		errs.addf("spec.url %q; want an oci://, https:// or file:// url", u)
	}
	if wp.GetPluginConfig() == nil {
		errs.addf("no spec.pluginConfig")
		return nil, errs.err()
	}
	config, err := protojson.Marshal(wp.GetPluginConfig())
	if err != nil {
		errs.addf("spec.pluginConfig: %w", err)
		return nil, errs.err()
	}
	if _, err := harnessLoadPolicy(config); err != nil {
		errs.addf("spec.pluginConfig: %w", err)
	}
	return config, errs.err()
}

// harnessCheckExampleWasmPlugin checks envoy/wasmplugin.yaml: a valid
// WasmPlugin whose pluginConfig is the policy of envoy/cors.json (cors).
func harnessCheckExampleWasmPlugin(data, cors []byte) error {
	config, err := harnessCheckWasmPlugin(data)
	if err != nil {
		return err
	}
	if same, err := harnessSameJSON(config, cors); err != nil || !same {
		return fmt.Errorf("spec.pluginConfig differs from envoy/cors.json (%v):\n%s", err, config)
	}
	return nil
}

func TestHarnessWasmPlugin(t *testing.T) {
	if err := harnessCheckExampleWasmPlugin(harnessRead(t, "envoy/wasmplugin.yaml"), harnessRead(t, "envoy/cors.json")); err != nil {
		t.Fatal(err)
	}
}

// TestHarnessWasmPluginMutations proves that the WasmPlugin checks fail.
func TestHarnessWasmPluginMutations(t *testing.T) {
	manifest := harnessRead(t, "envoy/wasmplugin.yaml")
	cors := harnessRead(t, "envoy/cors.json")
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"unknown spec field", "imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent", `unknown field "imagePullPolicyy"`},
		{"unknown top-level field", "\nspec:\n", "\nspecs:\n", `unknown field "specs"`},
		{"invalid enum value", "phase: AUTHN", "phase: AUTHX", "AUTHX"},
		{"wrong phase", "phase: AUTHN", "phase: STATS", "spec.phase STATS; want AUTHN"},
		{"phase left to its default", "  phase: AUTHN\n", "", "spec.phase is not set"},
		{"fails open", "failStrategy: FAIL_RELOAD", "failStrategy: FAIL_OPEN", "spec.failStrategy FAIL_OPEN; want FAIL_RELOAD"},
		{"failStrategy left to its default", "  failStrategy: FAIL_RELOAD\n", "", "spec.failStrategy is not set"},
		{"network plugin", "type: HTTP", "type: NETWORK", "spec.type NETWORK; want HTTP"},
		{"wrong apiVersion", "apiVersion: extensions.istio.io/v1alpha1", "apiVersion: networking.istio.io/v1", `apiVersion "networking.istio.io/v1"`},
		{"wrong kind", "kind: WasmPlugin", "kind: EnvoyFilter", `kind "EnvoyFilter"`},
		{"invalid name", "name: corswasm", "name: CORS_wasm", `metadata.name "CORS_wasm"`},
		{"no selector", "  selector:\n    matchLabels:\n      istio: ingressgateway\n", "", "no selector.matchLabels nor targetRefs"},
		{"unsupported url", "url: oci://", "url: docker://", `spec.url "docker://`},
		{"plugin configuration rejected", "allow_origins:", "allow_origin:", `unknown field "allow_origin"`},
		{"plugin configuration differs from cors.json", "max_age: 600", "max_age: 60", "differs from envoy/cors.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			harnessWantErr(t, harnessCheckExampleWasmPlugin(harnessReplace(t, manifest, tt.old, tt.new), cors), tt.want)
		})
	}
}

// harnessComposeWantFor derives what the compose file must set up from
// tools/e2e/envoy.yaml: its listener and admin ports, and its echo cluster.
