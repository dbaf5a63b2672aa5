package configsource

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// objectName is a Kubernetes object's "NAMESPACE/NAME", or "NAME" without
// a namespace.
func objectName(root *yaml.Node) (name, namespace, full string) {
	meta := lookup(root, "metadata")
	name, namespace = scalar(lookup(meta, "name")), scalar(lookup(meta, "namespace"))
	if namespace == "" {
		return name, "", name
	}
	return name, namespace, namespace + "/" + name
}

// wasmPlugin takes spec.pluginConfig of an Istio WasmPlugin, with the
// module it runs (spec.url) and its spec.pluginName
// (extensions/v1alpha1/wasm.proto in istio/api).
func wasmPlugin(root *yaml.Node) Config {
	name, ns, full := objectName(root)
	spec := lookup(root, "spec")
	c := Config{Kind: WasmPlugin, Where: "WasmPlugin " + full, Name: name, Namespace: ns, Line: root.Line,
		Module: scalar(lookup(spec, "url")), RootID: scalar(lookupEither(spec, "pluginName", "plugin_name"))}
	pc := lookup(spec, "pluginConfig")
	if pc == nil {
		return c
	}
	c.Line = pc.Line
	c.corswasmLike = resemblesCorswasm(keys(pc))
	if pc.Kind != yaml.MappingNode {
		c.Problem, c.ProblemPath = "must be an object: Istio hands it to the filter as JSON", "spec.pluginConfig"
		return c
	}
	var v any
	if err := pc.Decode(&v); err != nil {
		c.Problem, c.ProblemPath = err.Error(), "spec.pluginConfig"
		return c
	}
	data, err := json.Marshal(v)
	if err != nil {
		c.Problem, c.ProblemPath = fmt.Sprintf("cannot be written as JSON: %v", err), "spec.pluginConfig"
		return c
	}
	c.Data = data
	return c
}

// envoyFilter takes the Wasm filters an Istio EnvoyFilter patches in: its
// spec.configPatches[].patch.value is Envoy configuration (an HTTP filter,
// or an extension configuration for ECDS), often as a TypedStruct
// (networking/v1alpha3/envoy_filter.proto in istio/api).
func envoyFilter(root *yaml.Node) []Config {
	_, _, full := objectName(root)
	spec := lookup(root, "spec")
	if spec == nil {
		return nil
	}
	var found []Config
	walkEnvoy(spec, "spec", &found)
	for i := range found {
		found[i].Where = "EnvoyFilter " + full + ": " + found[i].Where
	}
	return found
}
