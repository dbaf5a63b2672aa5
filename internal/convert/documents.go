package convert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Input is one file to convert.
type Input struct {
	// Name names the file in errors ("" for none).
	Name string
	Data []byte
}

// document is one YAML or JSON document of an input, or one item of a
// Kubernetes list.
type document struct {
	// where names it in errors: the input, the document's place in it,
	// and the item's in a list.
	where string
	obj   map[string]any
}

// maxListDepth bounds the lists of lists read (kubectl writes one level).
const maxListDepth = 4

// readDocuments reads the documents of every input in order, as if the
// inputs were one file, unwrapping Kubernetes lists (`kind: List`, as
// `kubectl get -o yaml` writes, or a typed list such as
// VirtualServiceList) into their items.
func readDocuments(inputs []Input) ([]document, error) {
	var docs []document
	for _, in := range inputs {
		dec := yaml.NewDecoder(bytes.NewReader(in.Data))
		for i := 1; ; i++ {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			where := fmt.Sprintf("document %d", i)
			if in.Name != "" {
				where = in.Name + ": " + where
			}
			if err != nil {
				return nil, fmt.Errorf("%s: not valid YAML or JSON: %s", where, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			if obj, ok := v.(map[string]any); ok {
				docs = appendItems(docs, where, obj, 0)
			}
		}
	}
	return docs, nil
}

// appendItems appends obj, or the items of obj if it is a list.
func appendItems(docs []document, where string, obj map[string]any, depth int) []document {
	kind, _ := obj["kind"].(string)
	items, isList := obj["items"].([]any)
	if !isList || !strings.HasSuffix(kind, "List") || depth == maxListDepth {
		return append(docs, document{where: where, obj: obj})
	}
	for i, it := range items {
		item, ok := it.(map[string]any)
		if !ok {
			continue
		}
		// A typed list's items may leave out their kind and apiVersion.
		if _, ok := item["kind"]; !ok && kind != "List" {
			item["kind"] = strings.TrimSuffix(kind, "List")
		}
		if _, ok := item["apiVersion"]; !ok {
			item["apiVersion"] = obj["apiVersion"]
		}
		docs = appendItems(docs, fmt.Sprintf("%s items[%d]", where, i), item, depth+1)
	}
	return docs
}
