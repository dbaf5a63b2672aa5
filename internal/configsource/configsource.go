// Package configsource finds corswasm plugin configurations in the documents
// operators keep them in: a corswasm JSON file, an Envoy configuration
// (YAML or JSON) whose envoy.filters.http.wasm filter carries the policy as
// a google.protobuf.StringValue, an Istio WasmPlugin whose
// spec.pluginConfig is the policy, or an Istio EnvoyFilter that inserts
// such a Wasm filter, or an Envoy Gateway EnvoyExtensionPolicy whose
// spec.wasm[].config is; Kubernetes objects may come as several documents or
// in a List. Find returns every Wasm plugin's configuration; Select tells
// corswasm's from other teams' plugins. The corswasm command, the local
// host (tools/cmd/corshost) and the tests that validate the repository's
// examples share it.
package configsource

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/corswasm/corswasm/internal/yamldocs"
)

// Kind names the kind of document a configuration was found in.
type Kind string

// The kinds of document.
const (
	// JSON is a corswasm configuration file.
	JSON Kind = "json"
	// Envoy is the configuration of an envoy.filters.http.wasm filter in an
	// Envoy configuration, or in an Istio EnvoyFilter: its
	// config.configuration StringValue.
	Envoy Kind = "envoy"
	// WasmPlugin is the spec.pluginConfig of an Istio WasmPlugin, which
	// Istio hands to the filter as JSON.
	WasmPlugin Kind = "wasmplugin"
	// EnvoyExtensionPolicy is the spec.wasm[].config of an Envoy Gateway
	// EnvoyExtensionPolicy, which Envoy Gateway hands to the filter as
	// JSON.
	EnvoyExtensionPolicy Kind = "envoyextensionpolicy"
)

// Config is one plugin configuration found in a document.
type Config struct {
	Kind Kind
	// Where names the configuration inside its document: "" for a JSON
	// file, the path of the Wasm filter's configuration in an Envoy
	// document (after "EnvoyFilter NAMESPACE/NAME: " in an EnvoyFilter),
	// "WasmPlugin NAMESPACE/NAME" for a WasmPlugin,
	// "EnvoyExtensionPolicy NAMESPACE/NAME: spec.wasm[I]" for an extension
	// of an EnvoyExtensionPolicy.
	Where string
	// Name is the Wasm filter's config.name, or the WasmPlugin's
	// metadata.name, or the EnvoyExtensionPolicy extension's name (its
	// policy's metadata.name when it has none); "" for a JSON file.
	// Namespace is the object's metadata.namespace.
	Name, Namespace string
	// Object is the EnvoyExtensionPolicy's NAMESPACE/NAME ("" otherwise).
	Object string
	// Module is the Wasm module the plugin runs, as the document names it:
	// the filter's vm_config.code.local.filename or
	// vm_config.code.remote.http_uri.uri, the WasmPlugin's spec.url, or the
	// EnvoyExtensionPolicy extension's code.image.url or code.http.url. ""
	// for a JSON file, or code given inline.
	Module string
	// VMID is the filter's vm_config.vm_id; RootID its config.root_id, or
	// the WasmPlugin's spec.pluginName (Istio's name for the root ID), or
	// the EnvoyExtensionPolicy extension's rootID.
	VMID, RootID string
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
	// corswasmLike is set when the configuration is an object whose
	// top-level fields resemble corswasm's (resemblesCorswasm): see
	// Select.
	corswasmLike bool
}

// Label names a configuration of file in messages: the file, and, inside
// an Envoy or Kubernetes document, the line and place of the
// configuration, as in "envoy/wasmplugin.yaml:46 (WasmPlugin
// istio-system/corswasm)".
func (c *Config) Label(file string) string {
	l := file
	if c.Line > 0 {
		l += ":" + strconv.Itoa(c.Line)
	}
	if c.Where != "" {
		l += " (" + c.Where + ")"
	}
	return l
}

// ErrNoConfiguration is returned (wrapped) by Find for a document that is
// none of the kinds it reads, or an Envoy or Kubernetes document without
// a Wasm plugin configuration in it.
var ErrNoConfiguration = errors.New("found no corswasm configuration: want a corswasm JSON object, an Envoy configuration with an envoy.filters.http.wasm filter, an Istio WasmPlugin or EnvoyFilter, or an Envoy Gateway EnvoyExtensionPolicy with a Wasm extension")

// SyntaxError is a document that is neither valid JSON nor valid YAML,
// and does not look like a corswasm JSON file.
type SyntaxError = yamldocs.SyntaxError

// ListError is a Kubernetes List whose items are not objects.
type ListError = yamldocs.ListError

// Find returns the plugin configurations in a document. A document that
// starts with "{" and is not an Envoy or Kubernetes document is a corswasm
// configuration, even when its JSON is invalid (policy.Load then reports
// where). Otherwise the document is read as YAML (JSON is YAML too), one
// or more documents separated by "---", Kubernetes Lists read as their
// items; Kubernetes objects other than WasmPlugins, EnvoyFilters and
// EnvoyExtensionPolicies are skipped, and so are the extensions of an
// EnvoyExtensionPolicy other than its Wasm ones.
// Every Wasm plugin is returned, corswasm's or not: Select tells
// them apart.
func Find(data []byte) ([]Config, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return []Config{{Kind: JSON, Data: data}}, nil
	}
	if trimmed[0] == '{' && !looksStructured(trimmed) {
		return []Config{{Kind: JSON, Data: data}}, nil
	}
	roots, err := yamldocs.Documents(data)
	if err != nil {
		return nil, err
	}
	var found []Config
	for _, root := range roots {
		if kind := scalar(lookup(root, "kind")); kind != "" && lookup(root, "apiVersion") != nil {
			switch kind {
			case "WasmPlugin":
				found = append(found, wasmPlugin(root))
			case "EnvoyFilter":
				found = append(found, envoyFilter(root)...)
			case "EnvoyExtensionPolicy":
				found = append(found, envoyExtensionPolicy(root)...)
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

// lookup returns the value of key in the mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node { return yamldocs.Lookup(n, key) }

// lookupEither returns the value of the first of keys in the mapping n:
// Envoy reads a proto field by its name or its JSON name (vm_config or
// vmConfig), as protobuf's JSON mapping does.
func lookupEither(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if v := lookup(n, k); v != nil {
			return v
		}
	}
	return nil
}

// scalar returns a scalar node's value, or "".
func scalar(n *yaml.Node) string { return yamldocs.Scalar(n) }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
