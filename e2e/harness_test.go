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
// imported here, in a _test.go file: the wasm module never links them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	extensionsv1alpha1 "istio.io/api/extensions/v1alpha1"
	"sigs.k8s.io/yaml"

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

// harnessConfigs are the end-to-end configurations (e2e/testdata/NAME.json)
// in the order of e2e/envoy.yaml's listeners, from port harnessFirstPort on.
var harnessConfigs = []string{"main", "forward", "reject", "keep", "any"}

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

// ---- Envoy bootstraps ----

// harnessPlugin is one CORS filter found in an Envoy bootstrap.
type harnessPlugin struct {
	listener string   // the listener's name
	port     uint32   // the listener's port
	name     string   // the plugin's name (PluginConfig.name)
	config   []byte   // the plugin configuration handed to the module
	warnings []string // policy.Load's warnings about config
}

// harnessEnvoy is what harnessCheckBootstrap found in a bootstrap.
type harnessEnvoy struct {
	plugins   []harnessPlugin   // in listener order
	clusters  map[string]string // static cluster name to its endpoints, "host:port" comma-separated
	adminPort uint32
}

// harnessCheckBootstrap checks an Envoy bootstrap in YAML: it must parse as
// envoy.config.bootstrap.v3.Bootstrap with no unknown field (in typed
// configs too), pass the validation rules of every message including those
// packed in Anys, and run the CORS filter in every HTTP connection manager,
// before the router, with runtime v8, the module at harnessModulePath, and a
// StringValue configuration that policy.Load accepts. Routes may only name
// static clusters.
func harnessCheckBootstrap(data []byte) (*harnessEnvoy, error) {
	js, err := harnessYAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	var bs bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(js, &bs); err != nil {
		return nil, fmt.Errorf("not a valid envoy.config.bootstrap.v3.Bootstrap: %w", err)
	}
	var errs harnessErrors
	if err := bs.ValidateAll(); err != nil {
		errs.addf("bootstrap fails validation: %w", err)
	}
	harnessValidateAnys(bs.ProtoReflect(), "bootstrap", &errs)

	env := &harnessEnvoy{
		clusters:  map[string]string{},
		adminPort: bs.GetAdmin().GetAddress().GetSocketAddress().GetPortValue(),
	}
	for _, c := range bs.GetStaticResources().GetClusters() {
		var endpoints []string
		for _, locality := range c.GetLoadAssignment().GetEndpoints() {
			for _, lb := range locality.GetLbEndpoints() {
				sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
				endpoints = append(endpoints, net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue()))))
			}
		}
		env.clusters[c.GetName()] = strings.Join(endpoints, ",")
	}
	for _, l := range bs.GetStaticResources().GetListeners() {
		env.checkListener(l, &errs)
	}
	if len(env.plugins) == 0 {
		errs.addf("no listener runs the CORS filter (%s)", harnessWasmFilterName)
	}
	return env, errs.err()
}

// checkListener checks every HTTP connection manager of a listener and
// records its CORS filters.
func (env *harnessEnvoy) checkListener(l *listenerv3.Listener, errs *harnessErrors) {
	port := l.GetAddress().GetSocketAddress().GetPortValue()
	where := fmt.Sprintf("listener %q (port %d)", l.GetName(), port)
	for _, chain := range l.GetFilterChains() {
		for _, f := range chain.GetFilters() {
			tc := f.GetTypedConfig()
			if !tc.MessageIs(&hcmv3.HttpConnectionManager{}) {
				continue
			}
			var hcm hcmv3.HttpConnectionManager
			if err := anypb.UnmarshalTo(tc, &hcm, proto.UnmarshalOptions{}); err != nil {
				errs.addf("%s: http connection manager: %w", where, err)
				continue
			}
			env.checkRoutes(where, &hcm, errs)
			filters := hcm.GetHttpFilters()
			if n := len(filters); n == 0 || !filters[n-1].GetTypedConfig().MessageIs(&routerv3.Router{}) {
				errs.addf("%s: the last http filter must be %s", where, harnessRouterFilterName)
			}
			cors := 0
			for i, hf := range filters {
				htc := hf.GetTypedConfig()
				switch {
				case htc == nil:
					errs.addf("%s: http filter %q has no typed_config", where, hf.GetName())
				case htc.MessageIs(&routerv3.Router{}):
					var router routerv3.Router
					if err := anypb.UnmarshalTo(htc, &router, proto.UnmarshalOptions{}); err != nil {
						errs.addf("%s: router: %w", where, err)
					}
					if hf.GetName() != harnessRouterFilterName {
						errs.addf("%s: router filter named %q; want %q", where, hf.GetName(), harnessRouterFilterName)
					}
				case htc.MessageIs(&wasmfilterv3.Wasm{}):
					cors++
					if hf.GetName() != harnessWasmFilterName {
						errs.addf("%s: wasm filter named %q; want %q", where, hf.GetName(), harnessWasmFilterName)
					}
					if i == len(filters)-1 {
						errs.addf("%s: the CORS filter must come before the router", where)
					}
					p, err := harnessCheckWasm(htc)
					if err != nil {
						errs.addf("%s: CORS filter: %w", where, err)
					}
					p.listener, p.port = l.GetName(), port
					env.plugins = append(env.plugins, p)
				}
			}
			if cors != 1 {
				errs.addf("%s: %d CORS filters (%s); want 1", where, cors, harnessWasmFilterName)
			}
		}
	}
}

// checkRoutes requires an inline route configuration whose routes name
// static clusters.
func (env *harnessEnvoy) checkRoutes(where string, hcm *hcmv3.HttpConnectionManager, errs *harnessErrors) {
	rc := hcm.GetRouteConfig()
	if rc == nil {
		errs.addf("%s: no inline route_config", where)
		return
	}
	for _, vh := range rc.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			if c := r.GetRoute().GetCluster(); c != "" {
				if _, ok := env.clusters[c]; !ok {
					errs.addf("%s: route to cluster %q, which is not defined", where, c)
				}
			}
		}
	}
}

// harnessCheckWasm checks the typed_config of one CORS filter.
func harnessCheckWasm(a *anypb.Any) (harnessPlugin, error) {
	var w wasmfilterv3.Wasm
	if err := anypb.UnmarshalTo(a, &w, proto.UnmarshalOptions{}); err != nil {
		return harnessPlugin{}, err
	}
	var errs harnessErrors
	cfg := w.GetConfig()
	vm := cfg.GetVmConfig()
	if vm == nil {
		errs.addf("no config.vm_config")
	}
	if got := vm.GetRuntime(); got != harnessRuntime {
		errs.addf("runtime %q; want %q", got, harnessRuntime)
	}
	if got := vm.GetCode().GetLocal().GetFilename(); got != harnessModulePath {
		errs.addf("code: local filename %q; want %q", got, harnessModulePath)
	}
	if cfg.GetFailOpen() {
		errs.addf("fail_open: true; want the filter to fail closed")
	}
	if fp := cfg.GetFailurePolicy(); fp != wasmv3.FailurePolicy_UNSPECIFIED && fp != wasmv3.FailurePolicy_FAIL_CLOSED {
		errs.addf("failure_policy %s; want the filter to fail closed", fp)
	}
	p := harnessPlugin{name: cfg.GetName()}
	c := cfg.GetConfiguration()
	var sv wrapperspb.StringValue
	switch {
	case c == nil:
		errs.addf("no config.configuration")
	case !c.MessageIs(&sv):
		errs.addf("configuration is a %s; want google.protobuf.StringValue holding the JSON policy", c.GetTypeUrl())
	default:
		if err := anypb.UnmarshalTo(c, &sv, proto.UnmarshalOptions{}); err != nil {
			errs.addf("configuration: %w", err)
			break
		}
		p.config = []byte(sv.GetValue())
		warnings, err := harnessLoadPolicy(p.config)
		if err != nil {
			errs.addf("configuration: %w", err)
		}
		p.warnings = warnings
	}
	return p, errs.err()
}

// harnessValidateAnys finds every google.protobuf.Any in m, at any depth
// (Anys inside Anys too), unpacks it and checks the unpacked message's
// validation rules (protoc-gen-validate's ValidateAll), which the
// enclosing message's ValidateAll does not reach.
func harnessValidateAnys(m protoreflect.Message, path string, errs *harnessErrors) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := path + "." + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					harnessVisit(mv.Message(), fmt.Sprintf("%s[%v]", name, k.Interface()), errs)
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				for i := 0; i < v.List().Len(); i++ {
					harnessVisit(v.List().Get(i).Message(), fmt.Sprintf("%s[%d]", name, i), errs)
				}
			}
		case fd.Message() != nil:
			harnessVisit(v.Message(), name, errs)
		}
		return true
	})
}

// harnessVisit validates m if it is an Any, then looks inside it.
func harnessVisit(m protoreflect.Message, path string, errs *harnessErrors) {
	a, ok := m.Interface().(*anypb.Any)
	if !ok {
		harnessValidateAnys(m, path, errs)
		return
	}
	inner, err := a.UnmarshalNew()
	if err != nil {
		errs.addf("%s: cannot unpack %s: %w", path, a.GetTypeUrl(), err)
		return
	}
	if v, ok := inner.(interface{ ValidateAll() error }); ok {
		if err := v.ValidateAll(); err != nil {
			errs.addf("%s (%s) fails validation: %w", path, a.GetTypeUrl(), err)
		}
	}
	harnessValidateAnys(inner.ProtoReflect(), path+"<"+string(inner.ProtoReflect().Descriptor().Name())+">", errs)
}

// harnessCheckExampleBootstrap checks envoy/envoy.yaml: a valid bootstrap
// with one listener on harnessFirstPort whose CORS filter carries the policy
// of envoy/cors.json (cors), a backend cluster, and the admin port.
func harnessCheckExampleBootstrap(data, cors []byte) error {
	env, err := harnessCheckBootstrap(data)
	if err != nil {
		return err
	}
	var errs harnessErrors
	if len(env.plugins) != 1 {
		errs.addf("%d CORS filters; want 1", len(env.plugins))
	}
	for _, p := range env.plugins {
		if p.port != harnessFirstPort {
			errs.addf("listener %q on port %d; want %d", p.listener, p.port, harnessFirstPort)
		}
		if p.name != "corswasm" {
			errs.addf("plugin name %q; want %q", p.name, "corswasm")
		}
		if same, err := harnessSameJSON(p.config, cors); err != nil || !same {
			errs.addf("listener %q: the plugin configuration differs from envoy/cors.json (%v):\n%s", p.listener, err, p.config)
		}
	}
	if got, want := env.clusters["backend"], "backend:8080"; got != want {
		errs.addf("cluster backend reaches %q; want %q", got, want)
	}
	if env.adminPort != harnessAdminPort {
		errs.addf("admin port %d; want %d", env.adminPort, harnessAdminPort)
	}
	return errs.err()
}

// harnessCheckE2EBootstrap checks e2e/envoy.yaml: a valid bootstrap whose
// listener i, named harnessConfigs[i], listens on harnessFirstPort+i and
// carries exactly configs[harnessConfigs[i]] (e2e/testdata); routes go to
// upstream ("host:port") through the echo cluster.
func harnessCheckE2EBootstrap(data []byte, configs map[string][]byte, upstream string) (*harnessEnvoy, error) {
	env, err := harnessCheckBootstrap(data)
	if err != nil {
		return nil, err
	}
	var errs harnessErrors
	if len(env.plugins) != len(harnessConfigs) {
		errs.addf("%d listeners run the CORS filter; want %d, one per configuration %v", len(env.plugins), len(harnessConfigs), harnessConfigs)
	}
	for i, p := range env.plugins {
		if i >= len(harnessConfigs) {
			break
		}
		name := harnessConfigs[i]
		if p.listener != name {
			errs.addf("listener %d is %q; want %q", i, p.listener, name)
		}
		if want := uint32(harnessFirstPort + i); p.port != want {
			errs.addf("listener %q on port %d; want %d", p.listener, p.port, want)
		}
		if same, err := harnessSameJSON(p.config, configs[name]); err != nil || !same {
			errs.addf("listener %q: the plugin configuration differs from e2e/testdata/%s.json (%v):\n%s", p.listener, name, err, p.config)
		}
	}
	if got := env.clusters["echo"]; got != upstream {
		errs.addf("cluster echo reaches %q; want %q", got, upstream)
	}
	if env.adminPort != harnessAdminPort {
		errs.addf("admin port %d; want %d", env.adminPort, harnessAdminPort)
	}
	return env, errs.err()
}

// ---- Istio WasmPlugin ----

// harnessNameRE is a Kubernetes object name (a DNS-1123 subdomain).
var harnessNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// harnessCheckWasmPlugin checks an Istio WasmPlugin manifest: the object's
// apiVersion, kind and name; a spec that parses as istio.io/api's
// extensions.v1alpha1.WasmPlugin with no unknown field; phase AUTHN, type
// HTTP and failStrategy FAIL_CLOSE, each written out; a workload selection; an
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
	if wp.GetFailStrategy() != extensionsv1alpha1.FailStrategy_FAIL_CLOSE {
		errs.addf("spec.failStrategy %s; want FAIL_CLOSE", wp.GetFailStrategy())
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

// ---- docker compose ----

// harnessComposeWant is what the harness's compose file must set up.
type harnessComposeWant struct {
	image    string   // the envoy service's image
	ports    []uint32 // published on 127.0.0.1, each to the same container port
	upstream string   // host:port of the echo upstream, as Envoy's cluster names it
}

// harnessLoadCompose loads a compose file the way `docker compose -f` does:
// dir is the file's directory (relative paths start there) and env the
// environment used for interpolation. Nothing it refers to needs to exist.
func harnessLoadCompose(data []byte, dir string, env map[string]string) (*composetypes.Project, error) {
	details := composetypes.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []composetypes.ConfigFile{{Filename: filepath.Join(dir, "docker-compose.yaml"), Content: data}},
		Environment: env,
	}
	return loader.LoadWithContext(context.Background(), details)
}

// harnessCheckCompose loads the harness's compose file and checks its envoy
// service (image, forced envoy entrypoint, bootstrap, read-only mounts of the
// module and the bootstrap, ports on 127.0.0.1) and its echo upstream (name,
// address, read-only mount of the binary).
func harnessCheckCompose(data []byte, dir string, env map[string]string, want harnessComposeWant) error {
	project, err := harnessLoadCompose(data, dir, env)
	if err != nil {
		return fmt.Errorf("compose-go cannot load it: %w", err)
	}
	var errs harnessErrors
	envoy, err := project.GetService("envoy")
	if err != nil {
		errs.addf("no envoy service: %w", err)
	} else {
		if envoy.Image != want.image {
			errs.addf("envoy image %q; want %q", envoy.Image, want.image)
		}
		if got := []string(envoy.Entrypoint); !slices.Equal(got, []string{"envoy"}) {
			errs.addf("envoy entrypoint %q; want [envoy], so that images whose entrypoint is not envoy (istio/proxyv2) work", got)
		}
		if !harnessHasArgs(envoy.Command, "-c", harnessBootstrapPath) {
			errs.addf("envoy command %q does not pass -c %s", []string(envoy.Command), harnessBootstrapPath)
		}
		harnessCheckMounts(&errs, "envoy", envoy.Volumes, map[string]string{
			harnessModulePath:    filepath.Join(dir, "..", "build", "cors.wasm"),
			harnessBootstrapPath: filepath.Join(dir, "envoy.yaml"),
		})
		var got, wantPorts []string
		for _, p := range envoy.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = "tcp"
			}
			got = append(got, fmt.Sprintf("%s:%s->%d/%s", p.HostIP, p.Published, p.Target, proto))
		}
		for _, p := range want.ports {
			wantPorts = append(wantPorts, fmt.Sprintf("127.0.0.1:%d->%d/tcp", p, p))
		}
		sort.Strings(got)
		sort.Strings(wantPorts)
		if !slices.Equal(got, wantPorts) {
			errs.addf("envoy publishes %v; want %v", got, wantPorts)
		}
	}
	host, port, err := net.SplitHostPort(want.upstream)
	if err != nil {
		errs.addf("upstream %q: %w", want.upstream, err)
		return errs.err()
	}
	echo, err := project.GetService(host)
	if err != nil {
		errs.addf("no %s service, which Envoy's echo cluster reaches: %w", host, err)
		return errs.err()
	}
	if got, wantCmd := []string(echo.Command), []string{"/echo", "-addr", ":" + port}; !slices.Equal(got, wantCmd) {
		errs.addf("%s command %q; want %q", host, got, wantCmd)
	}
	harnessCheckMounts(&errs, host, echo.Volumes, map[string]string{
		"/echo": filepath.Join(dir, "..", "build", "echo"),
	})
	return errs.err()
}

// harnessHasArgs reports whether args holds want as consecutive elements.
func harnessHasArgs(args []string, want ...string) bool {
	for i := 0; i+len(want) <= len(args); i++ {
		if slices.Equal(args[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// harnessCheckMounts requires, for each target in want, a read-only bind
// mount of the source want[target] that does not create a missing source.
func harnessCheckMounts(errs *harnessErrors, service string, volumes []composetypes.ServiceVolumeConfig, want map[string]string) {
	targets := make([]string, 0, len(want))
	for target := range want {
		targets = append(targets, target)
	}
	sort.Strings(targets)
	for _, target := range targets {
		i := slices.IndexFunc(volumes, func(v composetypes.ServiceVolumeConfig) bool { return v.Target == target })
		if i < 0 {
			errs.addf("%s: nothing mounted on %s", service, target)
			continue
		}
		v := volumes[i]
		if v.Type != composetypes.VolumeTypeBind || filepath.Clean(v.Source) != filepath.Clean(want[target]) {
			errs.addf("%s: %s is a %s mount of %q; want a bind mount of %q", service, target, v.Type, v.Source, want[target])
		}
		if !v.ReadOnly {
			errs.addf("%s: %s is mounted read-write; want read-only", service, target)
		}
		if v.Bind == nil || bool(v.Bind.CreateHostPath) {
			errs.addf("%s: %s: want bind.create_host_path: false, so that a missing file fails instead of becoming a directory", service, target)
		}
	}
}

// ---- the harness script ----

// harnessScriptVarRE matches the script's `readonly NAME=value` lines.
var harnessScriptVarRE = regexp.MustCompile(`(?m)^readonly ([A-Z_]+)=(.*)$`)

// harnessCheckScript checks that envoy-harness.sh probes the ports and the
// sentinel preflight that the other files define, and runs the suite against
// the first listener.
func harnessCheckScript(script []byte) error {
	vars := map[string]string{}
	for _, m := range harnessScriptVarRE.FindAllStringSubmatch(string(script), -1) {
		vars[m[1]] = m[2]
	}
	want := map[string]string{
		"COMPOSE_FILE":    "e2e/docker-compose.yaml",
		"ADMIN":           fmt.Sprintf("http://127.0.0.1:%d", harnessAdminPort),
		"TARGET":          fmt.Sprintf("http://127.0.0.1:%d", harnessFirstPort),
		"SENTINEL_ORIGIN": harnessSentinelOrigin,
		"SENTINEL_METHOD": harnessSentinelMethod,
	}
	var errs harnessErrors
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if vars[name] != want[name] {
			errs.addf("envoy-harness.sh: readonly %s=%q; want %q", name, vars[name], want[name])
		}
	}
	for _, line := range []string{
		"set -euo pipefail",
		"trap teardown EXIT",
		`compose down -v`,
		`E2E_TARGET=$TARGET go test -count=1 ./e2e/...`,
	} {
		if !strings.Contains(string(script), line) {
			errs.addf("envoy-harness.sh does not contain %q", line)
		}
	}
	return errs.err()
}

// harnessSentinelAllowed evaluates the harness's sentinel preflight against
// a configuration and reports what differs from the 204 reply that allows
// the sentinel origin.
func harnessSentinelAllowed(config []byte) error {
	p, err := policy.Load(config)
	if err != nil {
		return err
	}
	var d policy.Decision
	p.Evaluate(&policy.Request{
		Method:        "OPTIONS",
		Origin:        harnessSentinelOrigin,
		OriginCount:   1,
		RequestMethod: harnessSentinelMethod,
		Scheme:        "http",
		Authority:     fmt.Sprintf("127.0.0.1:%d", harnessFirstPort),
	}, &d)
	if d.Kind != policy.PreflightAllowed || !d.Reply || d.Status != 204 {
		return fmt.Errorf("sentinel preflight: %s (%s), reply %t, status %d; want preflight allowed, reply 204", d.Kind, d.Reason, d.Reply, d.Status)
	}
	for _, h := range d.Headers() {
		if h.Name == policy.HeaderAllowOrigin {
			if h.Value != harnessSentinelOrigin {
				return fmt.Errorf("sentinel preflight: access-control-allow-origin %q; want %q", h.Value, harnessSentinelOrigin)
			}
			return nil
		}
	}
	return errors.New("sentinel preflight: no access-control-allow-origin")
}

// ---- test helpers ----

// harnessRead reads a file of the repository; paths are relative to the
// repository's root (tests run in e2e/).
func harnessRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
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
		configs[name] = harnessRead(t, "e2e/testdata/"+name+".json")
	}
	return configs
}

// harnessE2EDir is the absolute path of e2e/, the compose project directory.
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

// ---- tests ----

// TestHarnessEnvoyBootstraps finds the Envoy bootstraps among the YAML files
// of envoy/ and e2e/ and checks each one.
func TestHarnessEnvoyBootstraps(t *testing.T) {
	var files []string
	for _, pattern := range []string{"envoy/*.yaml", "envoy/*.yml", "e2e/*.yaml", "e2e/*.yml"} {
		m, err := filepath.Glob(filepath.Join("..", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	var found []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]any
		if err := yaml.Unmarshal(data, &top); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		_, static := top["static_resources"]
		_, dynamic := top["dynamic_resources"]
		if !static && !dynamic {
			t.Logf("%s: not an Envoy bootstrap, skipped", file)
			continue
		}
		name := filepath.ToSlash(strings.TrimPrefix(file, ".."+string(filepath.Separator)))
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
	for _, want := range []string{"envoy/envoy.yaml", "e2e/envoy.yaml"} {
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

// TestHarnessE2EBootstrap checks that e2e/envoy.yaml serves each
// configuration of e2e/testdata on its port.
func TestHarnessE2EBootstrap(t *testing.T) {
	env, err := harnessCheckE2EBootstrap(harnessRead(t, "e2e/envoy.yaml"), harnessTestdata(t), "echo:8080")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range env.plugins {
		t.Logf("port %d: listener %q, plugin %q, %d warnings", p.port, p.listener, p.name, len(p.warnings))
	}
}

// TestHarnessBootstrapMutations proves that the bootstrap checks fail: each
// case breaks one thing in a copy of envoy/envoy.yaml or e2e/envoy.yaml.
func TestHarnessBootstrapMutations(t *testing.T) {
	example := harnessRead(t, "envoy/envoy.yaml")
	cors := harnessRead(t, "envoy/cors.json")
	harness := harnessRead(t, "e2e/envoy.yaml")
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
			return harnessReplace(t, example, "fail_open: false", "fail_opn: false")
		}, `unknown field "fail_opn"`},
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
			return harnessReplace(t, example, "fail_open: false", "fail_open: true")
		}, "fail_open: true"},
		{"fails open by failure_policy", checkExample, func(t *testing.T) []byte {
			return harnessReplace(t, example, "fail_open: false", "failure_policy: FAIL_OPEN")
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
		}, "differs from e2e/testdata/main.json"},
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
				static["listeners"] = static["listeners"].([]any)[:4]
			})
		}, "4 listeners run the CORS filter; want 5"},
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
		{"fails open", "failStrategy: FAIL_CLOSE", "failStrategy: FAIL_OPEN", "spec.failStrategy FAIL_OPEN; want FAIL_CLOSE"},
		{"failStrategy left to its default", "  failStrategy: FAIL_CLOSE\n", "", "spec.failStrategy is not set"},
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
// e2e/envoy.yaml: its listener and admin ports, and its echo cluster.
func harnessComposeWantFor(t *testing.T, image string) harnessComposeWant {
	t.Helper()
	env, err := harnessCheckE2EBootstrap(harnessRead(t, "e2e/envoy.yaml"), harnessTestdata(t), "echo:8080")
	if err != nil {
		t.Fatalf("e2e/envoy.yaml: %v", err)
	}
	want := harnessComposeWant{image: image, upstream: env.clusters["echo"]}
	for _, p := range env.plugins {
		want.ports = append(want.ports, p.port)
	}
	want.ports = append(want.ports, env.adminPort)
	return want
}

// TestHarnessCompose loads e2e/docker-compose.yaml with compose-go, with and
// without ENVOY_IMAGE, and checks it against e2e/envoy.yaml. Nothing it
// mounts needs to exist.
func TestHarnessCompose(t *testing.T) {
	data := harnessRead(t, "e2e/docker-compose.yaml")
	dir := harnessE2EDir(t)
	tests := []struct {
		name  string
		env   map[string]string
		image string
	}{
		{"default image", map[string]string{}, harnessDefaultImage},
		{"ENVOY_IMAGE", map[string]string{"ENVOY_IMAGE": "istio/proxyv2:1.31.1"}, "istio/proxyv2:1.31.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := harnessCheckCompose(data, dir, tt.env, harnessComposeWantFor(t, tt.image)); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("loads in an empty directory", func(t *testing.T) {
		if _, err := harnessLoadCompose(data, t.TempDir(), map[string]string{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHarnessComposeMutations proves that the compose checks fail: each
// case applies its edits (old, new pairs) to a copy of the compose file.
func TestHarnessComposeMutations(t *testing.T) {
	data := harnessRead(t, "e2e/docker-compose.yaml")
	dir := harnessE2EDir(t)
	istio := map[string]string{"ENVOY_IMAGE": "istio/proxyv2:1.31.1"}
	tests := []struct {
		name  string
		edits [][2]string
		env   map[string]string // nil: no ENVOY_IMAGE, the default image expected
		image string            // the image expected with env
		want  string
	}{
		{"schema: unknown key", [][2]string{{"    entrypoint:", "    entrypont:"}}, nil, "", "entrypont"},
		{"another default image", [][2]string{{"envoyproxy/envoy:v1.40-latest}", "envoyproxy/envoy:v1.30-latest}"}}, nil, "",
			`envoy image "envoyproxy/envoy:v1.30-latest"`},
		{"ENVOY_IMAGE ignored", [][2]string{{"${ENVOY_IMAGE:-envoyproxy/envoy:v1.40-latest}", "envoyproxy/envoy:v1.40-latest"}}, istio, "istio/proxyv2:1.31.1",
			`want "istio/proxyv2:1.31.1"`},
		{"image's own entrypoint", [][2]string{{`entrypoint: ["envoy"]`, `entrypoint: ["/docker-entrypoint.sh", "envoy"]`}}, nil, "", "envoy entrypoint"},
		{"another bootstrap path", [][2]string{{"- /etc/envoy/envoy.yaml", "- /etc/envoy/other.yaml"}}, nil, "", "does not pass -c /etc/envoy/envoy.yaml"},
		{"another module", [][2]string{{"source: ../build/cors.wasm", "source: ../build/cors-panictest.wasm"}}, nil, "", "want a bind mount of"},
		{"module mounted read-write", [][2]string{{"target: /etc/envoy/cors.wasm\n        read_only: true", "target: /etc/envoy/cors.wasm\n        read_only: false"}}, nil, "",
			"/etc/envoy/cors.wasm is mounted read-write"},
		{"bootstrap not mounted", [][2]string{{"target: /etc/envoy/envoy.yaml", "target: /etc/envoy/bootstrap.yaml"}}, nil, "", "nothing mounted on /etc/envoy/envoy.yaml"},
		{"missing file becomes a directory", [][2]string{{"bind: {create_host_path: false}", "bind: {create_host_path: true}"}}, nil, "", "create_host_path"},
		{"admin on every interface", [][2]string{{`"127.0.0.1:9901:9901"`, `"9901:9901"`}}, nil, "", "envoy publishes"},
		{"a listener not published", [][2]string{{"10000-10004:10000-10004", "10000-10003:10000-10003"}}, nil, "", "127.0.0.1:10004->10004/tcp"},
		{"echo on another port", [][2]string{{`":8080"`, `":9090"`}}, nil, "", "echo command"},
		{"echo binary not mounted", [][2]string{{"target: /echo\n", "target: /bin/echo\n"}}, nil, "", "echo: nothing mounted on /echo"},
		{"echo service renamed", [][2]string{{"\n  echo:\n", "\n  upstream:\n"}, {"      - echo\n", "      - upstream\n"}}, nil, "", "no echo service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, image := tt.env, tt.image
			if env == nil {
				env, image = map[string]string{}, harnessDefaultImage
			}
			mutated := data
			for _, e := range tt.edits {
				mutated = harnessReplace(t, mutated, e[0], e[1])
			}
			harnessWantErr(t, harnessCheckCompose(mutated, dir, env, harnessComposeWantFor(t, image)), tt.want)
		})
	}
}

// TestHarnessSentinel checks the preflight the script waits for: the
// configuration on the first listener (main) answers it with 204 and the
// sentinel origin, and the example's configuration refuses it, so a 204
// proves that Envoy runs the module with the harness's configuration.
func TestHarnessSentinel(t *testing.T) {
	mainJSON := harnessRead(t, "e2e/testdata/main.json")
	if err := harnessSentinelAllowed(mainJSON); err != nil {
		t.Errorf("e2e/testdata/main.json: %v", err)
	}
	if err := harnessSentinelAllowed(harnessRead(t, "envoy/cors.json")); err == nil {
		t.Error("envoy/cors.json allows the sentinel preflight; want it refused, so the sentinel tells the configurations apart")
	}
	without := harnessReplace(t, mainJSON, `, "`+harnessSentinelOrigin+`"`, "")
	harnessWantErr(t, harnessSentinelAllowed(without), "preflight refused")
	if err := harnessCheckScript(harnessRead(t, "e2e/envoy-harness.sh")); err != nil {
		t.Error(err)
	}
	script := harnessRead(t, "e2e/envoy-harness.sh")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "SENTINEL_ORIGIN=https://corswasm-harness.invalid", "SENTINEL_ORIGIN=https://app.example.com")), "SENTINEL_ORIGIN")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "TARGET=http://127.0.0.1:10000", "TARGET=http://127.0.0.1:10004")), "TARGET")
	harnessWantErr(t, harnessCheckScript(harnessReplace(t, script, "trap teardown EXIT", "")), "trap teardown EXIT")
}

// harnessStubs are stand-ins for the tools the harness script runs. Each
// appends its arguments to $STUB_LOG; STUB_* variables choose its answers.
var harnessStubs = map[string]string{
	"docker": `#!/bin/sh
echo "docker $*" >>"$STUB_LOG"
case "$*" in
"version --format"*) echo arm64 ;;
*" up -d"*) exit "${STUB_UP_RC:-0}" ;;
esac
exit 0
`,
	"curl": `#!/bin/sh
echo "curl $*" >>"$STUB_LOG"
case "$*" in
*/ready*) printf '%s' "${STUB_READY:-200}" ;;
*OPTIONS*) printf 'HTTP/1.1 %s No Content\r\naccess-control-allow-origin: %s\r\nvary: origin\r\n\r\n' "${STUB_PREFLIGHT_STATUS:-204}" "${STUB_ALLOW_ORIGIN:-https://corswasm-harness.invalid}" ;;
*) exit 7 ;;
esac
`,
	"go": `#!/bin/sh
echo "go $* [E2E_TARGET=${E2E_TARGET:-} GOOS=${GOOS:-} GOARCH=${GOARCH:-} CGO_ENABLED=${CGO_ENABLED:-}]" >>"$STUB_LOG"
case "$1" in
test) exit "${STUB_TEST_RC:-0}" ;;
env) echo amd64 ;;
esac
exit 0
`,
	"make": `#!/bin/sh
echo "make $*" >>"$STUB_LOG"
`,
}

// TestHarnessScript runs e2e/envoy-harness.sh on stub tools: the order of
// its steps, the suite's target, and the teardown (with logs on failure)
// whatever fails.
func TestHarnessScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	script, err := filepath.Abs(filepath.Join("..", "e2e", "envoy-harness.sh"))
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for name, body := range harnessStubs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const (
		build     = "make build"
		echoBuild = "go build -trimpath -o build/echo ./internal/cmd/echo [E2E_TARGET= GOOS=linux GOARCH=arm64 CGO_ENABLED=0]"
		up        = "docker compose -f e2e/docker-compose.yaml up -d"
		suite     = "go test -count=1 ./e2e/... [E2E_TARGET=http://127.0.0.1:10000"
		logs      = "docker compose -f e2e/docker-compose.yaml logs"
		down      = "docker compose -f e2e/docker-compose.yaml down -v"
		ready     = "curl -s -o /dev/null -w %{http_code} --max-time 2 http://127.0.0.1:9901/ready"
		preflight = "curl -s -o /dev/null -D - --max-time 2 -X OPTIONS -H Origin: https://corswasm-harness.invalid -H Access-Control-Request-Method: PUT http://127.0.0.1:10000/"
	)
	tests := []struct {
		name    string
		env     []string
		ok      bool
		steps   []string // in this order
		missing []string // never run
	}{
		{"passes", nil, true,
			[]string{build, echoBuild, up, ready, preflight, suite, down}, []string{logs}},
		{"suite fails", []string{"STUB_TEST_RC=1"}, false,
			[]string{up, suite, logs, down}, nil},
		{"envoy never ready", []string{"STUB_READY=503"}, false,
			[]string{up, ready, logs, down}, []string{preflight, suite}},
		{"plugin configuration not loaded", []string{"STUB_PREFLIGHT_STATUS=403"}, false,
			[]string{up, ready, preflight, logs, down}, []string{suite}},
		{"sentinel origin not allowed", []string{"STUB_ALLOW_ORIGIN=https://app.example.com"}, false,
			[]string{preflight, logs, down}, []string{suite}},
		{"compose up fails", []string{"STUB_UP_RC=1"}, false,
			[]string{up, logs, down}, []string{ready, suite}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "log")
			cmd := exec.Command(bash, script)
			cmd.Env = append([]string{
				"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
				"HOME=" + t.TempDir(),
				"STUB_LOG=" + log,
				"HARNESS_TIMEOUT=0",
			}, tt.env...)
			out, err := cmd.CombinedOutput()
			if ok := err == nil; ok != tt.ok {
				t.Fatalf("script succeeded: %t; want %t (%v)\n%s", ok, tt.ok, err, out)
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			at := 0
			for _, step := range tt.steps {
				i := slices.IndexFunc(lines[at:], func(l string) bool { return strings.HasPrefix(l, step) })
				if i < 0 {
					t.Fatalf("step %q not run (in order) by the script; it ran:\n%s\noutput:\n%s", step, data, out)
				}
				at += i + 1
			}
			for _, step := range tt.missing {
				if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, step) }) {
					t.Errorf("step %q run; want it skipped. The script ran:\n%s", step, data)
				}
			}
			if n := len(lines); !strings.HasPrefix(lines[n-1], down) {
				t.Errorf("last step %q; want %q", lines[n-1], down)
			}
		})
	}
}
