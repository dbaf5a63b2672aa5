package configsource

import (
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// envoyExtensionPolicy takes the Wasm extensions of an Envoy Gateway
// EnvoyExtensionPolicy (gateway.envoyproxy.io/v1alpha1): each
// spec.wasm[i] names its module in code.image.url (an OCI image, "oci://"
// optional) or code.http.url, and its configuration is config, any JSON
// value, which Envoy Gateway hands to the filter as a JSON string
// (api/v1alpha1/wasm_types.go in envoyproxy/gateway: "This configuration
// will be passed as a JSON string to the Wasm extension").
func envoyExtensionPolicy(root *yaml.Node) []Config {
	name, ns, full := objectName(root)
	wasm := lookup(lookup(root, "spec"), "wasm")
	if wasm == nil || wasm.Kind != yaml.SequenceNode {
		return nil
	}
	found := make([]Config, 0, len(wasm.Content))
	for i, w := range wasm.Content {
		path := "spec.wasm[" + strconv.Itoa(i) + "]"
		c := Config{Kind: EnvoyExtensionPolicy, Where: "EnvoyExtensionPolicy " + full + ": " + path,
			Name: scalar(lookup(w, "name")), Namespace: ns, Object: full, Line: w.Line,
			RootID: scalar(lookup(w, "rootID"))}
		if c.Name == "" {
			// Envoy Gateway names an unnamed extension itself; the policy's
			// name is what the user wrote.
			c.Name = name
		}
		code := lookup(w, "code")
		switch scalar(lookup(code, "type")) {
		case "Image":
			c.Module = scalar(lookup(lookup(code, "image"), "url"))
		case "HTTP":
			c.Module = scalar(lookup(lookup(code, "http"), "url"))
		}
		cfg := lookup(w, "config")
		if cfg == nil {
			found = append(found, c)
			continue
		}
		c.Line = cfg.Line
		c.corswasmLike = resemblesCorswasm(keys(cfg))
		var v any
		if err := cfg.Decode(&v); err != nil {
			c.Problem, c.ProblemPath = err.Error(), path+".config"
		} else if data, err := json.Marshal(v); err != nil {
			c.Problem, c.ProblemPath = fmt.Sprintf("cannot be written as JSON: %v", err), path+".config"
		} else {
			c.Data = data
		}
		found = append(found, c)
	}
	return found
}
