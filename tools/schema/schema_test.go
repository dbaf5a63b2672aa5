package schema

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/policy"
)

// compiled is config.schema.json, compiled as draft 2020-12.
func compiled(t *testing.T, root string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "config.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("config.schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("config.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("config.schema.json")
	if err != nil {
		t.Fatalf("config.schema.json does not compile: %v", err)
	}
	return s
}

func validate(s *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// example is one configuration found in the repository.
type example struct {
	where string
	data  []byte
}

// examples collects every example configuration: the JSON files, the
// configurations inside the Envoy and Istio YAML files, and the JSON
// blocks of the README and docs/.
func examples(t *testing.T, root string) []example {
	t.Helper()
	var out []example
	for _, pattern := range []string{"envoy/*.json", "envoy/*.yaml", "tools/e2e/*.yaml", "tools/e2e/testdata/*.json"} {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no file matches %s", pattern)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, file)
			cs, err := configsource.Find(data)
			if errors.Is(err, configsource.ErrNoConfiguration) && strings.HasSuffix(file, "docker-compose.yaml") {
				continue // the harness's compose file holds no plugin configuration
			}
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			for _, c := range cs {
				out = append(out, example{rel + " " + c.Where, c.Data})
			}
		}
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(text, -1)
		if len(blocks) == 0 && rel == "README.md" {
			t.Fatal("the README has no JSON example: did the pattern stop matching?")
		}
		for i, b := range blocks {
			out = append(out, example{rel + " json block " + strconv.Itoa(i+1), b[1]})
		}
	}
	return out
}

// Every example configuration of the repository is valid for the filter,
// and for the schema.
func TestExamplesValidate(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := compiled(t, root)
	exs := examples(t, root)
	if len(exs) < 15 {
		t.Errorf("found %d example configurations; want the 15 or more the repository has", len(exs))
	}
	for _, ex := range exs {
		if _, err := policy.Load(ex.data); err != nil {
			t.Errorf("%s: the filter refuses it: %v", ex.where, err)
		}
		if err := validate(s, ex.data); err != nil {
			t.Errorf("%s: the schema refuses it: %v", ex.where, err)
		}
	}
}

// The schema refuses what Load refuses for types, names, enumerations and
// bounds, at every level.
func TestSchemaRefuses(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := compiled(t, root)
	for _, bad := range []string{
		`{"allow_origin": []}`,
		`{"allow_origins": "https://a.example"}`,
		`{"allow_origins": [1]}`,
		`{"allow_credentials": "true"}`,
		`{"max_age": 90000}`,
		`{"max_age": -1}`,
		`{"max_age": "600"}`,
		`{"preflight_status": 201}`,
		`{"mode": "watch"}`,
		`{"isolation": {"cross_origin_opener_policy": "same-site"}}`,
		`{"isolation": {"x": "y"}}`,
		`{"rules": [{"match": {"hosts": ["a.example"]}}]}`,
		`{"rules": [{"name": "a b", "match": {"hosts": ["a.example"]}}]}`,
		`{"rules": [{"name": "a", "match": {}}]}`,
		`{"rules": [{"name": "a", "match": {"host": ["a.example"]}}]}`,
		`{"rules": [{"name": "a", "match": {"hosts": ["a.example"]}, "rules": []}]}`,
		`{"rules": [{"name": "a", "match": {"hosts": ["a.example"]}, "mode": "watch"}]}`,
	} {
		if _, err := policy.Load([]byte(bad)); err == nil {
			t.Errorf("%s: Load accepts it; the case is wrong", bad)
		}
		if err := validate(s, []byte(bad)); err == nil {
			t.Errorf("%s: the schema accepts it", bad)
		}
	}
}
