package e2e

import (
	"fmt"
	"net"
	"strconv"
	"strings"

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
)

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
	// A failed VM is re-created (FAIL_RELOAD) or fails its requests
	// (FAIL_CLOSED, the default); requests never pass without the filter.
	if cfg.GetFailOpen() {
		errs.addf("fail_open: true; want the filter never to fail open (failure_policy: FAIL_RELOAD)")
	}
	if fp := cfg.GetFailurePolicy(); fp == wasmv3.FailurePolicy_FAIL_OPEN {
		errs.addf("failure_policy %s; want the filter never to fail open (FAIL_RELOAD)", fp)
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

// harnessCheckE2EBootstrap checks tools/e2e/envoy.yaml: a valid bootstrap
// whose listener i, named harnessConfigs[i], listens on harnessFirstPort+i
// and carries exactly configs[harnessConfigs[i]] (tools/e2e/testdata);
// routes go to upstream ("host:port") through the echo cluster.
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
			errs.addf("listener %q: the plugin configuration differs from tools/e2e/testdata/%s.json (%v):\n%s", p.listener, name, err, p.config)
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

// ---- tests ----
