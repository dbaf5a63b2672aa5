package convert

import (
	"fmt"

	"github.com/corswasm/corswasm/internal/yamldocs"
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
	// where names it in errors: the input and the line it starts on.
	where string
	obj   map[string]any
}

// readDocuments reads the documents of every input in order, as if the
// inputs were one file, Kubernetes lists (`kind: List`, as `kubectl get -o
// yaml` writes, or a typed list such as VirtualServiceList) read as their
// items, as corswasm check reads them (internal/yamldocs).
func readDocuments(inputs []Input) ([]document, error) {
	var docs []document
	for _, in := range inputs {
		name := in.Name
		if name == "" {
			name = "input"
		}
		roots, err := yamldocs.Documents(in.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, root := range roots {
			var obj map[string]any
			if root.Decode(&obj) != nil || obj == nil {
				continue // not an object: nothing to convert
			}
			docs = append(docs, document{where: fmt.Sprintf("%s: line %d", name, root.Line), obj: obj})
		}
	}
	return docs, nil
}
