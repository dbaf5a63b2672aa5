package engine

import (
	"encoding/json"
	"strconv"
)

// jsonType is the JSON shape of a field's value, as the parser reads it.
type jsonType uint8

const (
	typeNone    jsonType = iota // not described: the schema test fails on it
	typeStrings                 // an array of strings
	typeBool                    // true or false
	typeInt                     // an integer literal
	typeString                  // a string
	typeObject                  // an object with fields
	typeObjects                 // an array of objects with fields
)

// valueSchema is what the JSON Schema says of one field: its JSON type,
// the values Compile accepts where a schema can say it (an enumeration,
// bounds, a pattern), the fields of an object, and a one-line description.
// It lives in the field tables (fields.go), so that a field the parser
// reads is a field the schema describes.
type valueSchema struct {
	typ jsonType
	doc string
	// enum lists the accepted values; nil accepts any of the type.
	enum []any
	// minimum and maximum bound an integer when bounded is set.
	minimum, maximum int
	bounded          bool
	// pattern is an ECMA-262 regular expression a string must match.
	pattern string
	// fields are the fields of an object, or of each object of an array;
	// required names those that must be present; minProperties is the
	// least number of fields an object needs.
	fields        []field
	required      []string
	minProperties int
}

// ruleNamePattern is what checkRuleName accepts: letters, digits, "-" and
// "_", at most maxRuleNameLength of them.
var ruleNamePattern = "^[A-Za-z0-9_-]{1," + strconv.Itoa(maxRuleNameLength) + "}$"

// SchemaDraft is the JSON Schema dialect of JSONSchema.
const SchemaDraft = "https://json-schema.org/draft/2020-12/schema"

// JSONSchema returns the JSON Schema (draft 2020-12) of a configuration,
// for editors and CI. It is generated from the parser's field tables, so it
// names exactly the fields Parse reads, with their JSON types, enumerations
// and bounds. It checks less than Load: origins, regular expressions,
// methods and header names, and the combinations with allow_credentials,
// are checked by Load alone. config.schema.json at the repository's root is
// this output (`make schema` writes it; a test compares them).
func JSONSchema() []byte {
	root := objectSchema(topFields, nil, 0)
	root["$schema"] = SchemaDraft
	root["title"] = "corswasm configuration"
	root["description"] = "The plugin configuration of the corswasm CORS filter for Envoy and Istio. " +
		"Every field is optional. `corswasm check` runs the full validation."
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic("policy: the schema does not marshal: " + err.Error())
	}
	return append(out, '\n')
}

// objectSchema describes an object whose fields are fields: any other key
// is an error, as it is to Parse.
func objectSchema(fields []field, required []string, minProperties int) map[string]any {
	props := make(map[string]any, len(fields))
	for _, f := range fields {
		props[f.name] = f.schema.json()
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	if minProperties > 0 {
		s["minProperties"] = minProperties
	}
	return s
}

// json renders one field's schema. A field without a type renders as an
// empty schema, which accepts anything; TestSchemaDescribesEveryField
// refuses it.
func (v valueSchema) json() map[string]any {
	var s map[string]any
	switch v.typ {
	case typeStrings:
		s = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case typeBool:
		s = map[string]any{"type": "boolean"}
	case typeInt:
		s = map[string]any{"type": "integer"}
	case typeString:
		s = map[string]any{"type": "string"}
	case typeObject:
		s = objectSchema(v.fields, v.required, v.minProperties)
	case typeObjects:
		s = map[string]any{"type": "array", "items": objectSchema(v.fields, v.required, v.minProperties)}
	default:
		return map[string]any{}
	}
	if v.doc != "" {
		s["description"] = v.doc
	}
	if v.enum != nil {
		s["enum"] = v.enum
	}
	if v.bounded {
		s["minimum"], s["maximum"] = v.minimum, v.maximum
	}
	if v.pattern != "" {
		s["pattern"] = v.pattern
	}
	return s
}
