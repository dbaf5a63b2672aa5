// Package yamldocs reads a YAML (or JSON) stream the way Kubernetes tools
// write one: documents separated by "---", and lists (`kind: List`, what
// `kubectl get -o yaml` writes for more than one object) read as the
// objects they hold. The corswasm command's readers share it, so that a
// file kubectl wrote means the same to each of them.
package yamldocs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ListError is a Kubernetes list whose items are not a sequence of
// objects.
type ListError struct {
	Kind string // the list's kind: "List", "WasmPluginList", …
	Line int    // the line of its items
}

func (e *ListError) Error() string {
	return fmt.Sprintf("line %d: the items of a %s must be a sequence of objects", e.Line, e.Kind)
}

// SyntaxError is a stream that is not valid YAML.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// Documents returns the root node of each document of data, in order,
// with every Kubernetes list replaced by its items (recursively). Empty
// documents are left out. A stream that is not valid YAML gives a
// *SyntaxError; a list whose items are not a sequence, a *ListError.
func Documents(data []byte) ([]*yaml.Node, error) {
	var roots []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return roots, nil
		}
		if err != nil {
			return nil, &SyntaxError{Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		if len(doc.Content) == 0 || isNull(doc.Content[0]) {
			continue
		}
		if roots, err = appendObjects(roots, doc.Content[0]); err != nil {
			return nil, err
		}
	}
}

// appendObjects appends n, or the items of n if it is a list.
func appendObjects(roots []*yaml.Node, n *yaml.Node) ([]*yaml.Node, error) {
	kind, isList := listKind(n)
	if !isList {
		return append(roots, n), nil
	}
	items := Lookup(n, "items")
	if items == nil || isNull(items) {
		return roots, nil // an empty list: kubectl writes "items: []"
	}
	if items.Kind != yaml.SequenceNode {
		return nil, &ListError{Kind: kind, Line: items.Line}
	}
	for _, item := range items.Content {
		if item.Kind != yaml.MappingNode {
			return nil, &ListError{Kind: kind, Line: item.Line}
		}
		if kind != "List" {
			// A typed list's items, as the API server answers a
			// collection request, leave out their kind and apiVersion:
			// they are the list's.
			setDefault(item, "kind", strings.TrimSuffix(kind, "List"))
			setDefault(item, "apiVersion", Scalar(Lookup(n, "apiVersion")))
		}
		var err error
		if roots, err = appendObjects(roots, item); err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// listKind reports whether n is a Kubernetes list, and its kind. The API
// conventions (kubernetes/community,
// contributors/devel/sig-architecture/api-conventions.md, "Types (Kinds)")
// say: "The name of a list kind must end with "List"" and "All lists use
// the required "items" field". kubectl writes `apiVersion: v1`, `kind:
// List`; the API server answers a collection request with its own kind,
// such as `WasmPluginList`.
func listKind(n *yaml.Node) (string, bool) {
	kind := Scalar(Lookup(n, "kind"))
	if Scalar(Lookup(n, "apiVersion")) == "" || !strings.HasSuffix(kind, "List") {
		return "", false
	}
	return kind, true
}

// setDefault adds key: value to the mapping n when n lacks key.
func setDefault(n *yaml.Node, key, value string) {
	if Lookup(n, key) != nil {
		return
	}
	n.Content = append(n.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: n.Line, Column: n.Column},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: n.Line, Column: n.Column})
}

// isNull reports whether n is YAML's null: an empty document or value.
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// Lookup returns the value of key in the mapping n, or nil.
func Lookup(n *yaml.Node, key string) *yaml.Node {
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

// Scalar returns a scalar node's value, or "".
func Scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
