// Package configsource finds corswasm plugin configurations in the documents
// operators keep them in: a corswasm JSON file, an Envoy configuration
// (YAML or JSON) whose envoy.filters.http.wasm filter carries the policy as
// a google.protobuf.StringValue, or an Istio WasmPlugin whose
// spec.pluginConfig is the policy. The corswasm command and the tests that
// validate the repository's examples share it.
package configsource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind names the kind of document a configuration was found in.
type Kind string

// The kinds of document.
const (
	// JSON is a corswasm configuration file.
	JSON Kind = "json"
	// Envoy is the configuration of an envoy.filters.http.wasm filter in an
	// Envoy configuration: its config.configuration StringValue.
	Envoy Kind = "envoy"
	// WasmPlugin is the spec.pluginConfig of an Istio WasmPlugin, which
	// Istio hands to the filter as JSON.
	WasmPlugin Kind = "wasmplugin"
)

// Config is one plugin configuration found in a document.
type Config struct {
	Kind Kind
	// Where names the configuration inside its document: "" for a JSON
	// file, the path of the Wasm filter's configuration in an Envoy
	// document, "WasmPlugin NAMESPACE/NAME" for a WasmPlugin.
	Where string
	// Name is the Wasm filter's config.name, or the WasmPlugin's
	// metadata.name ("" for a JSON file).
	Name string
	// Line is the line of the document where the configuration starts (0
	// for a JSON file: it is the whole document).
	Line int
	// Data is the configuration as the filter receives it. Nil when the
	// document has no configuration there (policy.Load reports it).
	Data []byte
	// Problem, when not empty, says why the configuration could not be
	// taken from the document (Data is then nil); ProblemPath is the
	// document path it concerns when Where does not say it.
	Problem, ProblemPath string
}

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

// ErrNoConfiguration is returned (wrapped) by Find for a document that is
// none of the three kinds, or an Envoy or Kubernetes document without a
// corswasm configuration in it.
var ErrNoConfiguration = errors.New("found no corswasm configuration: want a corswasm JSON object, an Envoy configuration with an envoy.filters.http.wasm filter, or an Istio WasmPlugin")

// SyntaxError is a document that is neither valid JSON nor valid YAML,
// and does not look like a corswasm JSON file.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// Find returns the plugin configurations in a document. A document that
// starts with "{" and is not an Envoy or Kubernetes document is a corswasm
// configuration, even when its JSON is invalid (policy.Load then reports
// where). Otherwise the document is read as YAML (JSON is YAML too), one
// or more documents separated by "---"; Kubernetes objects other than
// WasmPlugins are skipped.
func Find(data []byte) ([]Config, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return []Config{{Kind: JSON, Data: data}}, nil
	}
	if trimmed[0] == '{' && !looksStructured(trimmed) {
		return []Config{{Kind: JSON, Data: data}}, nil
	}
	var found []Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &SyntaxError{Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if kind := scalar(lookup(root, "kind")); kind != "" && lookup(root, "apiVersion") != nil {
			if kind == "WasmPlugin" {
				found = append(found, wasmPlugin(root))
			}
			continue
		}
		walkEnvoy(root, "", &found)
	}
	if len(found) == 0 {
		return nil, ErrNoConfiguration
	}
	return found, nil
}

// looksStructured reports whether a JSON document is a Kubernetes object
// or an Envoy configuration with a Wasm filter rather than a corswasm
// configuration (which has neither "apiVersion" nor "@type").
func looksStructured(doc []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(doc, &top) != nil {
		return false
	}
	if _, ok := top["apiVersion"]; ok {
		return true
	}
	return bytes.Contains(doc, []byte(wasmFilterType))
}

// wasmPlugin takes spec.pluginConfig of an Istio WasmPlugin.
func wasmPlugin(root *yaml.Node) Config {
	name := scalar(lookup(lookup(root, "metadata"), "name"))
	where := "WasmPlugin " + name
	if ns := scalar(lookup(lookup(root, "metadata"), "namespace")); ns != "" {
		where = "WasmPlugin " + ns + "/" + name
	}
	c := Config{Kind: WasmPlugin, Where: where, Name: name, Line: root.Line}
	pc := lookup(lookup(root, "spec"), "pluginConfig")
	if pc == nil {
		return c
	}
	c.Line = pc.Line
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

// wasmFilter takes config.configuration of a Wasm filter's typed config.
func wasmFilter(n *yaml.Node, path string) Config {
	config := lookup(n, "config")
	c := Config{Kind: Envoy, Name: scalar(lookup(config, "name")), Line: n.Line}
	cfg := lookup(config, "configuration")
	c.Where = join(path, "config.configuration")
	if cfg == nil {
		return c
	}
	c.Line = cfg.Line
	if typ := scalar(lookup(cfg, "@type")); typ != stringValueType {
		c.Problem = fmt.Sprintf("configuration is a %q; want %s holding the JSON policy", typ, stringValueType)
		return c
	}
	v := lookup(cfg, "value")
	if v == nil {
		return c
	}
	if v.Kind != yaml.ScalarNode {
		c.Problem = "configuration's value must be a string: the JSON policy"
		return c
	}
	c.Line = v.Line
	c.Data = []byte(v.Value)
	return c
}

// lookup returns the value of key in the mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar returns a scalar node's value, or "".
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
