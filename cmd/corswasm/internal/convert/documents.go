package convert

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

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
			where := fmt.Sprintf("%s: line %d", name, root.Line)
			if root.Kind != yaml.MappingNode {
				continue // not an object: nothing to convert
			}
			// An object that does not decode (a key given twice, which
			// the source system refuses, or that keeps one of) is an
			// error: skipping it could leave its hosts to another
			// document's CORS handling.
			var obj map[string]any
			if err := root.Decode(&obj); err != nil {
				return nil, decodeError(name, where, err)
			}
			docs = append(docs, document{where: where, obj: obj})
		}
	}
	return docs, nil
}

// decodeError names the input and the line of what did not decode: yaml's
// own messages start with their line ("line 8: mapping key "route"
// already defined at line 7").
func decodeError(name, where string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return fmt.Errorf("%s: %s", name, strings.Join(te.Errors, "; "))
	}
	return fmt.Errorf("%s: %s", where, strings.TrimPrefix(err.Error(), "yaml: "))
}
