package engine

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Parse reads a JSON configuration strictly: every value must have the
// documented JSON type and every field must be known. It reports every
// problem at once as a *ConfigError; the returned Config holds whatever could
// be read, so that Compile can still report the value errors of the rest.
//
// gjson converts types silently (the .Int() of "600" is 600, the .Array() of a
// string is a one-element array), so each value's Type is checked before it
// is read, and objects are walked key by key (a key with a dot would be read
// as a path by Get).
func Parse(data []byte) (*Config, error) {
	var p problems
	c := parseConfig(data, &p)
	return c, p.err()
}

func parseConfig(data []byte, p *problems) *Config {
	c := &Config{}
	whole := func(code Code, reason string) { p.error(&FieldError{Code: code, Reason: reason}) }
	if len(bytes.TrimSpace(data)) == 0 {
		whole(CodeConfigMissing, "configuration is required: give a JSON object such as {\"allow_origins\": [\"https://app.example.com\"]}")
		return c
	}
	if !gjson.ValidBytes(data) {
		whole(CodeConfigSyntax, "configuration is not valid JSON: "+syntaxError(data))
		return c
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		whole(CodeConfigNotObject, "configuration must be a JSON object, not "+jsonKind(root))
		return c
	}
	r := &reader{c: c, p: p}
	r.object(root, topFields)
	return c
}

// reader reads the fields of one JSON object into a Config (and, for a
// rule, its Rule). prefix is the object's path with its separator, so
// messages name the full path.
type reader struct {
	c      *Config
	rule   *Rule
	p      *problems
	prefix string
}

// sub returns a reader for a nested object of the same Config.
func (r *reader) sub(name string) *reader {
	return &reader{c: r.c, rule: r.rule, p: r.p, prefix: r.prefix + name + "."}
}

// wrongType reports a value of the wrong JSON type at r.prefix+name.
func (r *reader) wrongType(name string, v gjson.Result, reason string) {
	r.p.error(&FieldError{Path: r.prefix + name, Value: v.Raw, Reason: reason, Code: CodeWrongType})
}

// rules reads the `rules` array. Each rule's messages are prefixed with its
// index and, when it has one, its name: `rules[1] "partner-api": …`.
func (r *reader) rules(v gjson.Result) {
	if !v.IsArray() {
		r.wrongType("rules", v, "must be an array of rule objects")
		return
	}
	r.c.Rules = []Rule{}
	v.ForEach(func(_, e gjson.Result) bool {
		i := len(r.c.Rules)
		r.c.Rules = append(r.c.Rules, Rule{})
		rule := &r.c.Rules[i]
		if !e.IsObject() {
			r.wrongType(indexPath("rules", i), e, "must be an object with a name, a match and policy fields")
			return true
		}
		name := ""
		if n := e.Get("name"); n.Type == gjson.String {
			name = n.Str
		}
		(&reader{c: &rule.Config, rule: rule, p: r.p, prefix: rulePrefix(i, name)}).object(e, ruleFields)
		return true
	})
}

// rulePrefix is the path prefix of rule i's messages.
func rulePrefix(i int, name string) string {
	if name == "" {
		return indexPath("rules", i) + ": "
	}
	return indexPath("rules", i) + " " + quote(name) + ": "
}

// object reads every key of obj with the matching field, reporting unknown
// and repeated keys.
func (r *reader) object(obj gjson.Result, fields []field) {
	seen := make(map[string]bool)
	obj.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if seen[name] {
			r.p.error(&FieldError{Path: r.prefix + name, Reason: "field appears more than once; keep one", Code: CodeDuplicateField})
			return true
		}
		seen[name] = true
		for _, f := range fields {
			if f.name == name {
				f.read(r, v)
				return true
			}
		}
		reason := unknownField(name, fields)
		if r.rule != nil && isTopLevelOnly(name) {
			reason = "unknown field " + quote(name) + " in a rule: it is set at the top level only"
		}
		r.p.error(&FieldError{Path: trimSeparator(r.prefix), Reason: reason, Code: CodeUnknownField})
		return true
	})
}

// topLevelOnly names the fields of the configuration object that rules do
// not have (TestTopLevelOnlyFields keeps the list whole).
var topLevelOnly = []string{"rules", "audit_observations", "verdict_filter_state"}

// isTopLevelOnly reports whether name is one of topLevelOnly.
func isTopLevelOnly(name string) bool {
	for _, n := range topLevelOnly {
		if n == name {
			return true
		}
	}
	return false
}

// strings reads an array of strings. An element of another type is reported
// here, and kept as "" so that the indexes of the others stay those of the
// JSON; Compile skips the elements reported here.
func (r *reader) strings(v gjson.Result, name string) []string {
	if !v.IsArray() {
		r.wrongType(name, v, "must be an array of strings")
		return nil
	}
	out := []string{}
	v.ForEach(func(_, e gjson.Result) bool {
		if e.Type != gjson.String {
			r.wrongType(indexPath(name, len(out)), e, "must be a string")
		}
		out = append(out, e.Str)
		return true
	})
	return out
}

func (r *reader) bool(v gjson.Result, name string) *bool {
	if v.Type != gjson.True && v.Type != gjson.False {
		r.wrongType(name, v, "must be true or false")
		return nil
	}
	b := v.Type == gjson.True
	return &b
}

// int accepts only a JSON integer literal: 600.0, 6e2 and "600" are refused
// rather than converted.
func (r *reader) int(v gjson.Result, name, want string) *int {
	n, err := strconv.Atoi(v.Raw)
	if v.Type != gjson.Number || err != nil {
		r.wrongType(name, v, "must be "+want)
		return nil
	}
	return &n
}

func (r *reader) enum(v gjson.Result, name string, allowed ...string) string {
	if v.Type == gjson.String {
		for _, a := range allowed {
			if v.Str == a {
				return a
			}
		}
	}
	want := ""
	for i, a := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			want += " or "
		default:
			want += ", "
		}
		want += quote(a)
	}
	code := CodeInvalidValue
	if v.Type != gjson.String {
		code = CodeWrongType
	}
	r.p.error(&FieldError{Path: r.prefix + name, Value: v.Raw, Reason: "must be " + want, Code: code})
	return ""
}

// trimSeparator turns an object prefix such as `rules[0] "api": ` or
// `isolation.` back into the object's own path.
func trimSeparator(prefix string) string {
	switch {
	case len(prefix) >= 2 && prefix[len(prefix)-2:] == ": ":
		return prefix[:len(prefix)-2]
	case len(prefix) >= 1 && prefix[len(prefix)-1] == '.':
		return prefix[:len(prefix)-1]
	}
	return prefix
}

func jsonKind(v gjson.Result) string {
	switch {
	case v.IsArray():
		return "an array"
	case v.Type == gjson.String:
		return "a string"
	case v.Type == gjson.Number:
		return "a number"
	case v.Type == gjson.True, v.Type == gjson.False:
		return "a boolean"
	default:
		return "null"
	}
}

// syntaxError describes where JSON text stops being valid; gjson only says
// that it is invalid. The place is given as line:column, as editors count
// them (both from 1, the column in bytes), and as a byte offset.
func syntaxError(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	if se, ok := err.(*json.SyntaxError); ok {
		line, col := lineColumn(data, se.Offset, strings.HasPrefix(se.Error(), "unexpected end"))
		return se.Error() + " (at line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) +
			"; byte " + strconv.FormatInt(se.Offset, 10) + ")"
	}
	if err != nil {
		return err.Error()
	}
	return "unexpected content"
}

// lineColumn turns the offset encoding/json reports (the number of bytes
// read when it stopped: the offending byte is the one before it) into the
// line and column of that byte, counted from 1; atEnd places the error just
// after the last byte instead (the input ended too soon).
func lineColumn(data []byte, offset int64, atEnd bool) (line, col int) {
	at := min(max(int(offset)-1, 0), len(data))
	if atEnd {
		at = len(data)
	}
	before := data[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	col = at - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
