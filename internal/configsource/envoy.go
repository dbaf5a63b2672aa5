package configsource

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Type URLs of the Envoy messages that carry the plugin configuration.
const (
	wasmFilterType  = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"
	stringValueType = "type.googleapis.com/google.protobuf.StringValue"
)

// typedStructTypes wrap a message as {type_url, value}, as Istio's
// EnvoyFilter examples do.
var typedStructTypes = []string{
	"type.googleapis.com/udpa.type.v1.TypedStruct",
	"type.googleapis.com/xds.type.v3.TypedStruct",
}

// walkEnvoy collects the configurations of the Wasm filters under n, whose
// document path is path.
func walkEnvoy(n *yaml.Node, path string, found *[]Config) {
	switch n.Kind {
	case yaml.MappingNode:
		typ := scalar(lookup(n, "@type"))
		if typ == wasmFilterType {
			*found = append(*found, wasmFilter(n, path))
			return
		}
		for _, t := range typedStructTypes {
			if typ == t && (scalar(lookup(n, "type_url")) == wasmFilterType || scalar(lookup(n, "typeUrl")) == wasmFilterType) {
				if v := lookup(n, "value"); v != nil {
					*found = append(*found, wasmFilter(v, join(path, "value")))
				}
				return
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkEnvoy(n.Content[i+1], join(path, n.Content[i].Value), found)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			walkEnvoy(e, fmt.Sprintf("%s[%d]", path, i), found)
		}
	}
}

// wasmFilter takes the plugin of a Wasm filter's typed config
// (envoy.extensions.filters.http.wasm.v3.Wasm, whose config is an
// envoy.extensions.wasm.v3.PluginConfig: api/envoy/extensions/wasm/v3/wasm.proto)
// and its config.configuration.
func wasmFilter(n *yaml.Node, path string) Config {
	config := lookup(n, "config")
	vm := lookupEither(config, "vm_config", "vmConfig")
	c := Config{Kind: Envoy, Name: scalar(lookup(config, "name")), Line: n.Line,
		Module: moduleOf(lookup(vm, "code")), VMID: scalar(lookupEither(vm, "vm_id", "vmId")),
		RootID: scalar(lookupEither(config, "root_id", "rootId"))}
	cfg := lookup(config, "configuration")
	c.Where = join(path, "config.configuration")
	if cfg == nil {
		return c
	}
	c.Line = cfg.Line
	v := lookup(cfg, "value")
	if typ := scalar(lookup(cfg, "@type")); typ != stringValueType {
		// A Struct (or any other message) holding corswasm's fields still
		// tells what the plugin is meant to be.
		c.corswasmLike = resemblesCorswasm(keys(v))
		c.Problem = fmt.Sprintf("configuration is a %q; want %s holding the JSON policy", typ, stringValueType)
		return c
	}
	if v == nil {
		return c
	}
	if v.Kind != yaml.ScalarNode {
		c.corswasmLike = resemblesCorswasm(keys(v))
		c.Problem = "configuration's value must be a string: the JSON policy"
		return c
	}
	c.Line = v.Line
	c.Data = []byte(v.Value)
	var top map[string]json.RawMessage
	if json.Unmarshal(c.Data, &top) == nil {
		names := make([]string, 0, len(top))
		for k := range top {
			names = append(names, k)
		}
		c.corswasmLike = resemblesCorswasm(names)
	}
	return c
}

// moduleOf names the module of a VmConfig's code, an AsyncDataSource
// (api/envoy/config/core/v3/base.proto): its local filename, or its remote
// http_uri's uri. Inline code has no name.
func moduleOf(code *yaml.Node) string {
	if f := scalar(lookup(lookup(code, "local"), "filename")); f != "" {
		return f
	}
	return scalar(lookup(lookupEither(lookup(code, "remote"), "http_uri", "httpUri"), "uri"))
}

// keys returns the keys of the mapping n (none if n is not a mapping).
func keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}
