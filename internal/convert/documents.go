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
				if docs, err = appendItems(docs, where, obj, 0); err != nil {
					return nil, err
				}
			}
		}
	}
	return docs, nil
}

// appendItems appends obj, or the items of obj if it is a list (its
// kind ends with "List" and it has an apiVersion, as the Kubernetes API
// conventions say: "Types (Kinds)" in api-conventions.md).
func appendItems(docs []document, where string, obj map[string]any, depth int) ([]document, error) {
	kind, _ := obj["kind"].(string)
	api, _ := obj["apiVersion"].(string)
	if !strings.HasSuffix(kind, "List") || api == "" || depth == maxListDepth {
		return append(docs, document{where: where, obj: obj}), nil
	}
	items, ok := obj["items"].([]any)
	if !ok && obj["items"] != nil {
		return nil, fmt.Errorf("%s: the items of a %s must be a sequence of objects", where, kind)
	}
	for i, it := range items {
		at := fmt.Sprintf("%s items[%d]", where, i)
		item, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: the items of a %s must be a sequence of objects", at, kind)
		}
		// A typed list's items, as the API server answers a collection
		// request, leave out their kind and apiVersion.
		if _, ok := item["kind"]; !ok && kind != "List" {
			item["kind"] = strings.TrimSuffix(kind, "List")
		}
		if _, ok := item["apiVersion"]; !ok {
			item["apiVersion"] = api
		}
		var err error
		if docs, err = appendItems(docs, at, item, depth+1); err != nil {
			return nil, err
		}
	}
	return docs, nil
}
