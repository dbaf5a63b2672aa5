package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// schemaObject is the generated schema, decoded.
func schemaObject(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(JSONSchema(), &s); err != nil {
		t.Fatalf("JSONSchema() is not JSON: %v", err)
	}
	return s
}

// Every field the parser reads, at every level, is in the schema with a
// type and a description, and the schema has no other property: a field
// added to a table without its schema entry fails here, and one added with
// it changes config.schema.json (TestCommittedSchemaIsGenerated).
func TestSchemaDescribesEveryField(t *testing.T) {
	t.Parallel()
	root := schemaObject(t)
	if root["$schema"] != SchemaDraft {
		t.Errorf("$schema = %v; want %s", root["$schema"], SchemaDraft)
	}
	checkSchemaObject(t, "the configuration", root, topFields)

	// The walk reached every table: spot-check one field of each.
	for _, path := range [][]string{
		{"allow_origins"},
		{"isolation", "cross_origin_opener_policy"},
		{"rules", "[]", "name"},
		{"rules", "[]", "allow_credentials"},
		{"rules", "[]", "match", "path_prefixes"},
		{"rules", "[]", "isolation", "cross_origin_embedder_policy"},
	} {
		if schemaAt(root, path) == nil {
			t.Errorf("the schema has no property %s", strings.Join(path, "."))
		}
	}
	if schemaAt(root, []string{"rules", "[]", "rules"}) != nil {
		t.Error("the schema allows rules inside a rule; Parse does not")
	}
}

// checkSchemaObject checks that the object schema s has exactly the
// properties fields, each described, recursing into objects.
func checkSchemaObject(t *testing.T, where string, s map[string]any, fields []field) {
	t.Helper()
	if s["additionalProperties"] != false {
		t.Errorf("%s: additionalProperties = %v; want false, as Parse refuses unknown fields", where, s["additionalProperties"])
	}
	props, _ := s["properties"].(map[string]any)
	if len(props) != len(fields) {
		t.Errorf("%s: the schema has %d properties; the parser reads %d fields", where, len(props), len(fields))
	}
	for _, f := range fields {
		p, ok := props[f.name].(map[string]any)
		if !ok {
			t.Errorf("%s: field %q is missing from the schema", where, f.name)
			continue
		}
		if p["type"] == nil || p["description"] == nil || p["description"] == "" {
			t.Errorf("%s: field %q has no type or no description in the schema: give it a valueSchema in fields.go", where, f.name)
		}
		switch f.schema.typ {
		case typeObject:
			checkSchemaObject(t, where+" > "+f.name, p, f.schema.fields)
		case typeObjects:
			items, _ := p["items"].(map[string]any)
			checkSchemaObject(t, where+" > "+f.name+"[]", items, f.schema.fields)
		}
	}
}

// schemaAt follows property names ("[]" for an array's items) from s.
func schemaAt(s map[string]any, path []string) map[string]any {
	for _, name := range path {
		var next any
		if name == "[]" {
			next = s["items"]
		} else {
			props, _ := s["properties"].(map[string]any)
			next = props[name]
		}
		m, ok := next.(map[string]any)
		if !ok {
			return nil
		}
		s = m
	}
	return s
}

// The committed config.schema.json is the generated one.
func TestCommittedSchemaIsGenerated(t *testing.T) {
	t.Parallel()
	committed, err := os.ReadFile("../../config.schema.json")
	if err != nil {
		t.Fatalf("%v (write it with `make schema`)", err)
	}
	if !bytes.Equal(committed, JSONSchema()) {
		t.Error("config.schema.json differs from policy.JSONSchema(): run `make schema` and commit the result")
	}
}

// The enumerations and bounds the schema states are those Load enforces:
// each value at a bound or in an enumeration loads, each just outside does
// not.
func TestSchemaValuesAgreeWithLoad(t *testing.T) {
	t.Parallel()
	for _, f := range append(append(slices.Clone(policyFields), isolationFields...), observationFields...) {
		prefix, suffix, path := `{"`+f.name+`": `, `}`, f.name
		for _, obj := range []struct {
			name   string
			fields []field
		}{{"isolation", isolationFields}, {"audit_observations", observationFields}} {
			if slices.ContainsFunc(obj.fields, func(g field) bool { return g.name == f.name }) {
				prefix, suffix, path = `{"`+obj.name+`": {"`+f.name+`": `, `}}`, obj.name+"."+f.name
			}
		}
		check := func(value string, ok bool) {
			t.Helper()
			err := loadProblemAt(prefix+value+suffix, path)
			switch {
			case ok && err != nil:
				t.Errorf("%s = %s is in the schema, but Load refuses it: %v", path, value, err)
			case !ok && err == nil:
				t.Errorf("%s = %s is outside the schema, but Load accepts it", path, value)
			}
		}
		s := f.schema
		switch {
		case s.bounded:
			check(fmt.Sprint(s.minimum), true)
			check(fmt.Sprint(s.maximum), true)
			check(fmt.Sprint(s.minimum-1), false)
			check(fmt.Sprint(s.maximum+1), false)
		case s.typ == typeInt && s.enum != nil:
			for _, v := range s.enum {
				check(fmt.Sprint(v), true)
				check(fmt.Sprint(v.(int)+1), slices.Contains(s.enum, any(v.(int)+1)))
			}
		case s.typ == typeString && s.enum != nil:
			for _, v := range s.enum {
				check(`"`+v.(string)+`"`, true)
			}
			check(`"not-one-of-them"`, false)
		}
	}

	// The rule name pattern accepts exactly the names checkRuleName does.
	re := regexp.MustCompile(ruleNamePattern)
	for _, name := range []string{"a", "partner-api", "x_1", strings.Repeat("n", maxRuleNameLength),
		"", "a.b", "a b", "é", strings.Repeat("n", maxRuleNameLength+1)} {
		cfg := fmt.Sprintf(`{"rules": [{"name": %q, "match": {"hosts": ["a.example"]}}]}`, name)
		loads := loadProblemAt(cfg, `rules[0]: name`) == nil && loadProblemAt(cfg, `rules[0] "`+name+`": name`) == nil
		if re.MatchString(name) != loads {
			t.Errorf("rule name %q: the schema's pattern says %v, Load says %v", name, re.MatchString(name), loads)
		}
	}
}

// loadProblemAt loads cfg and returns its first error at path, or nil.
func loadProblemAt(cfg, path string) error {
	_, err := Load([]byte(cfg))
	var ce *ConfigError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			if p.Path == path {
				return p
			}
		}
	}
	return nil
}
