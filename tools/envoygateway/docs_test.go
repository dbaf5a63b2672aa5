package envoygateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/policy"
)

// section returns the text of the "## title" section of a document of
// the repository.
func section(t *testing.T, file, title string) string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", file, title)
	}
	body, _, _ := strings.Cut(after, "\n## ")
	return body
}

// yamlBlocks returns the ```yaml blocks of a Markdown text.
func yamlBlocks(text string) []string {
	var blocks []string
	for {
		_, after, ok := strings.Cut(text, "```yaml\n")
		if !ok {
			return blocks
		}
		block, rest, _ := strings.Cut(after, "```\n")
		blocks = append(blocks, block)
		text = rest
	}
}

// typeMeta is what tells the kind of a Kubernetes document.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// checkDocument decodes a document the documentation shows strictly (every
// field must be one of the type's) into Envoy Gateway's type for its kind,
// checks what the API server's validation would (the CRD's CEL rules for a
// Wasm code source, api/v1alpha1/wasm_types.go) and what the documentation
// promises (an image pinned by sha256), and validates each corswasm
// configuration with policy.Load, as the filter does; the configuration
// must be the one `corswasm check` reads from the same document. It
// returns the EnvoyExtensionPolicy's targets' kinds.
func checkDocument(doc string) (targets []string, err error) {
	var tm typeMeta
	if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
		return nil, err
	}
	if tm.APIVersion != egv1a1.GroupVersion.String() {
		return nil, fmt.Errorf("apiVersion %q; want %q", tm.APIVersion, egv1a1.GroupVersion.String())
	}
	switch tm.Kind {
	case egv1a1.KindEnvoyProxy:
		var ep egv1a1.EnvoyProxy
		if err := yaml.UnmarshalStrict([]byte(doc), &ep); err != nil {
			return nil, err
		}
		for _, f := range ep.Spec.FilterOrder {
			if (f.Before == nil) == (f.After == nil) {
				return nil, fmt.Errorf("filterOrder %s: want one of before and after", f.Name)
			}
		}
		return nil, nil
	case egv1a1.KindEnvoyExtensionPolicy:
	default:
		return nil, fmt.Errorf("kind %q", tm.Kind)
	}
	var p egv1a1.EnvoyExtensionPolicy
	if err := yaml.UnmarshalStrict([]byte(doc), &p); err != nil {
		return nil, err
	}
	for _, r := range p.Spec.TargetRefs {
		if r.Group != "gateway.networking.k8s.io" || (r.Kind != "Gateway" && r.Kind != "HTTPRoute") {
			return nil, fmt.Errorf("targetRef %s/%s; want a Gateway or an HTTPRoute of gateway.networking.k8s.io", r.Group, r.Kind)
		}
		targets = append(targets, string(r.Kind))
	}
	found, err := configsource.Find([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("corswasm check reads no configuration: %w", err)
	}
	if len(found) != len(p.Spec.Wasm) {
		return nil, fmt.Errorf("corswasm check reads %d configurations of %d Wasm extensions", len(found), len(p.Spec.Wasm))
	}
	var errs []error
	for i, w := range p.Spec.Wasm {
		where := fmt.Sprintf("spec.wasm[%d]", i)
		c := w.Code
		switch {
		case c.Type != egv1a1.ImageWasmCodeSourceType || c.Image == nil || c.HTTP != nil:
			errs = append(errs, fmt.Errorf("%s.code: want type Image with image set, alone", where))
			continue
		case !strings.HasPrefix(c.Image.URL, "oci://"):
			errs = append(errs, fmt.Errorf("%s.code.image.url %q: want oci://", where, c.Image.URL))
		case c.Image.SHA256 == nil || *c.Image.SHA256 == "":
			errs = append(errs, fmt.Errorf("%s.code.image: not pinned by sha256", where))
		case w.FailOpen != nil && *w.FailOpen:
			errs = append(errs, fmt.Errorf("%s.failOpen: true lets requests through without CORS checks", where))
		}
		if !configsource.CorswasmModule(configsource.EnvoyExtensionPolicy, c.Image.URL) {
			errs = append(errs, fmt.Errorf("%s: corswasm check does not take %q for corswasm's module", where, c.Image.URL))
		}
		if w.Config == nil {
			errs = append(errs, fmt.Errorf("%s: no config", where))
			continue
		}
		if _, err := policy.Load(w.Config.Raw); err != nil {
			errs = append(errs, fmt.Errorf("%s.config: %w", where, err))
		}
		if same, err := sameJSON(found[i].Data, w.Config.Raw); err != nil || !same {
			errs = append(errs, fmt.Errorf("%s.config: corswasm check reads %s; Envoy Gateway hands the filter %s (%v)", where, found[i].Data, w.Config.Raw, err))
		}
	}
	return targets, errors.Join(errs...)
}

func sameJSON(a, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys), nil
}

// The documents of docs/deploying.md's "Envoy Gateway" section are valid
// Envoy Gateway objects: a policy for a whole Gateway, one for an
// HTTPRoute, and an EnvoyProxy.
func TestDeployingDocuments(t *testing.T) {
	blocks := yamlBlocks(section(t, "docs/deploying.md", "Envoy Gateway"))
	kinds := map[string]bool{}
	for i, b := range blocks {
		targets, err := checkDocument(b)
		if err != nil {
			t.Errorf("block %d:\n%s\n%v", i, b, err)
		}
		for _, k := range targets {
			kinds[k] = true
		}
	}
	if len(blocks) != 3 || !kinds["Gateway"] || !kinds["HTTPRoute"] {
		t.Errorf("%d yaml blocks, targets %v; want 3, an EnvoyExtensionPolicy for a Gateway and one for an HTTPRoute", len(blocks), kinds)
	}
}

// checkDocument fails on what Envoy Gateway's API or corswasm refuses.
func TestCheckDocumentFails(t *testing.T) {
	good := `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: c, namespace: n}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  wasm:
  - code: {type: Image, image: {url: "oci://r.example/corswasm:1", sha256: "ab"}}
    config: {allow_origins: ["https://a.example.com"]}
`
	if _, err := checkDocument(good); err != nil {
		t.Fatalf("the good document: %v", err)
	}
	for _, tc := range []struct{ desc, from, to, want string }{
		{"an unknown field (Istio's name for failOpen)", "    config:", "    failStrategy: FAIL_OPEN\n    config:", "unknown field"},
		{"a field in the wrong place", "  targetRefs:", "  sha256: ab\n  targetRefs:", "unknown field"},
		{"an invalid policy", `{allow_origins:`, `{max_age: "600", allow_origins:`, "max_age"},
		{"no sha256", `, sha256: "ab"`, "", "not pinned"},
		{"an HTTP source beside the image", `code: {`, `code: {http: {url: "https://x/cors.wasm"}, `, "alone"},
		{"fail open", "    config:", "    failOpen: true\n    config:", "without CORS checks"},
		{"another module", "corswasm:1", "cors-filter:1", "not take"},
		{"a target of another kind", "kind: HTTPRoute", "kind: Service", "targetRef"},
	} {
		doc := strings.Replace(good, tc.from, tc.to, 1)
		if doc == good {
			t.Fatalf("%s: the mutation changes nothing", tc.desc)
		}
		if _, err := checkDocument(doc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error with %q", tc.desc, err, tc.want)
		}
	}
}
