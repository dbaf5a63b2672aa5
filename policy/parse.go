package policy

import (
	"bytes"
	"encoding/json"
	"strconv"

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
	if len(bytes.TrimSpace(data)) == 0 {
		p.errorf("", "", "configuration is required: give a JSON object such as {\"allow_origins\": [\"https://app.example.com\"]}")
		return c
	}
	if !gjson.ValidBytes(data) {
		p.errorf("", "", "configuration is not valid JSON: "+syntaxError(data))
		return c
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		p.errorf("", "", "configuration must be a JSON object, not "+jsonKind(root))
		return c
	}
	r := &reader{c: c, p: p}
	r.object(root, topFields)
	return c
}

// field describes one JSON field of an object: its name and how to read it
// into a Config.
type field struct {
	name string
	read func(r *reader, v gjson.Result, name string)
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

// policyFields are the fields of a policy, valid at the top level.
var policyFields = []field{
	{"allow_origins", func(r *reader, v gjson.Result, name string) {
		r.c.AllowOrigins = r.strings(v, name)
	}},
	{"allow_origin_regexes", func(r *reader, v gjson.Result, name string) {
		r.c.AllowOriginRegexes = r.strings(v, name)
	}},
	{"allow_methods", func(r *reader, v gjson.Result, name string) {
		r.c.AllowMethods = r.strings(v, name)
	}},
	{"allow_headers", func(r *reader, v gjson.Result, name string) {
		r.c.AllowHeaders = r.strings(v, name)
	}},
	{"expose_headers", func(r *reader, v gjson.Result, name string) {
		r.c.ExposeHeaders = r.strings(v, name)
	}},
	{"allow_credentials", func(r *reader, v gjson.Result, name string) {
		r.c.AllowCredentials = r.bool(v, name)
	}},
	{"max_age", func(r *reader, v gjson.Result, name string) {
		r.c.MaxAge = r.int(v, name, "an integer number of seconds")
	}},
	{"allow_private_network", func(r *reader, v gjson.Result, name string) {
		r.c.AllowPrivateNetwork = r.bool(v, name)
	}},
	{"preflight_status", func(r *reader, v gjson.Result, name string) {
		r.c.PreflightStatus = r.int(v, name, "200 or 204")
	}},
	{"on_unmatched_preflight", func(r *reader, v gjson.Result, name string) {
		r.c.OnUnmatchedPreflight = r.enum(v, name, Reject, Forward)
	}},
	{"on_disallowed_origin", func(r *reader, v gjson.Result, name string) {
		r.c.OnDisallowedOrigin = r.enum(v, name, Omit, Reject)
	}},
	{"upstream_cors_headers", func(r *reader, v gjson.Result, name string) {
		r.c.UpstreamCORSHeaders = r.enum(v, name, Replace, Keep)
	}},
	{"dangerously_allow_insecure_origins", func(r *reader, v gjson.Result, name string) {
		r.c.DangerouslyAllowInsecureOrigins = r.bool(v, name)
	}},
	{"enabled", func(r *reader, v gjson.Result, name string) {
		r.c.Enabled = r.bool(v, name)
	}},
	{"mode", func(r *reader, v gjson.Result, name string) {
		r.c.Mode = r.enum(v, name, Enforce, Audit)
	}},
	{"timing_allow_origin", func(r *reader, v gjson.Result, name string) {
		r.c.TimingAllowOrigin = r.bool(v, name)
	}},
	{"debug", func(r *reader, v gjson.Result, name string) {
		r.c.Debug = r.bool(v, name)
	}},
	{"isolation", func(r *reader, v gjson.Result, name string) {
		if !v.IsObject() {
			r.p.errorf(r.prefix+name, v.Raw, "must be an object")
			return
		}
		r.sub(name).object(v, isolationFields)
	}},
}

// isolationFields are the fields of `isolation`.
var isolationFields = []field{
	{"cross_origin_resource_policy", func(r *reader, v gjson.Result, name string) {
		r.c.Isolation.CrossOriginResourcePolicy = r.enum(v, name, "same-origin", "same-site", "cross-origin")
	}},
	{"cross_origin_embedder_policy", func(r *reader, v gjson.Result, name string) {
		r.c.Isolation.CrossOriginEmbedderPolicy = r.enum(v, name, "require-corp", "credentialless", "unsafe-none")
	}},
	{"cross_origin_opener_policy", func(r *reader, v gjson.Result, name string) {
		r.c.Isolation.CrossOriginOpenerPolicy = r.enum(v, name, "same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none")
	}},
}

// topFields are the fields of the configuration object: a policy, and its
// rules.
var topFields = append([]field{
	{"rules", func(r *reader, v gjson.Result, name string) {
		r.rules(v, name)
	}},
}, policyFields...)

// ruleFields are the fields of a rule: a policy, its name and its match.
var ruleFields = append([]field{
	{"name", func(r *reader, v gjson.Result, name string) {
		if v.Type != gjson.String {
			r.p.errorf(r.prefix+name, v.Raw, "must be a string")
			r.rule.badName = true
			return
		}
		r.rule.Name = v.Str
	}},
	{"match", func(r *reader, v gjson.Result, name string) {
		if !v.IsObject() {
			r.p.errorf(r.prefix+name, v.Raw, "must be an object with hosts and/or path_prefixes")
			r.rule.badMatch = true
			return
		}
		r.rule.Match = Match{}
		before := len(r.p.errs)
		r.sub(name).object(v, matchFields)
		r.rule.badMatch = len(r.p.errs) > before
		if r.rule.Match.Hosts == nil && r.rule.Match.PathPrefixes == nil {
			r.rule.Match.Hosts = []string{} // present but empty: Compile reports it
		}
	}},
}, policyFields...)

// matchFields are the fields of a rule's `match`.
var matchFields = []field{
	{"hosts", func(r *reader, v gjson.Result, name string) {
		r.rule.Match.Hosts = r.strings(v, name)
	}},
	{"path_prefixes", func(r *reader, v gjson.Result, name string) {
		r.rule.Match.PathPrefixes = r.strings(v, name)
	}},
}

// rules reads the `rules` array. Each rule's messages are prefixed with its
// index and, when it has one, its name: `rules[1] "partner-api": …`.
func (r *reader) rules(v gjson.Result, name string) {
	if !v.IsArray() {
		r.p.errorf(r.prefix+name, v.Raw, "must be an array of rule objects")
		return
	}
	r.c.Rules = []Rule{}
	v.ForEach(func(_, e gjson.Result) bool {
		i := len(r.c.Rules)
		r.c.Rules = append(r.c.Rules, Rule{})
		rule := &r.c.Rules[i]
		if !e.IsObject() {
			r.p.errorf(indexPath(name, i), e.Raw, "must be an object with a name, a match and policy fields")
			rule.unreadable = true
			return true
		}
		ruleName := ""
		if n := e.Get("name"); n.Type == gjson.String {
			ruleName = n.Str
		}
		prefix := rulePrefix(i, ruleName)
		(&reader{c: &rule.Config, rule: rule, p: r.p, prefix: prefix}).object(e, ruleFields)
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

// parseObject reads every key of obj with the matching field, reporting
// unknown and repeated keys.
func (r *reader) object(obj gjson.Result, fields []field) {
	seen := make(map[string]bool)
	obj.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if seen[name] {
			r.p.errorf(r.prefix+name, "", "field appears more than once; keep one")
			return true
		}
		seen[name] = true
		for _, f := range fields {
			if f.name == name {
				f.read(r, v, name)
				return true
			}
		}
		r.p.errorf(trimSeparator(r.prefix), "", unknownField(name, fields))
		return true
	})
}

func (r *reader) strings(v gjson.Result, name string) []string {
	if !v.IsArray() {
		r.p.errorf(r.prefix+name, v.Raw, "must be an array of strings")
		return nil
	}
	out := []string{}
	v.ForEach(func(_, e gjson.Result) bool {
		if e.Type != gjson.String {
			elem := indexPath(name, len(out))
			r.p.errorf(r.prefix+elem, e.Raw, "must be a string")
			r.c.markUnreadable(elem)
		}
		out = append(out, e.Str)
		return true
	})
	return out
}

func (r *reader) bool(v gjson.Result, name string) *bool {
	if v.Type != gjson.True && v.Type != gjson.False {
		r.p.errorf(r.prefix+name, v.Raw, "must be true or false")
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
		r.p.errorf(r.prefix+name, v.Raw, "must be "+want)
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
	r.p.errorf(r.prefix+name, v.Raw, "must be "+want)
	return ""
}

// markUnreadable records that the element at path (relative to the Config,
// e.g. "allow_origins[1]") had the wrong JSON type and was already reported,
// so Compile does not report it a second time.
func (c *Config) markUnreadable(path string) {
	if c.unreadable == nil {
		c.unreadable = make(map[string]bool)
	}
	c.unreadable[path] = true
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
// that it is invalid.
func syntaxError(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	if se, ok := err.(*json.SyntaxError); ok {
		return se.Error() + " (at byte " + strconv.FormatInt(se.Offset, 10) + ")"
	}
	if err != nil {
		return err.Error()
	}
	return "unexpected content"
}
