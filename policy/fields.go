package policy

import "github.com/tidwall/gjson"

// field is one JSON field of a configuration object: its name, how to read
// it, and, for a policy field, whether a Config sets it and how a rule
// inherits it from the top level. The tables below are the one list of
// fields: Parse, rule inheritance and the problems a rule reports all use
// them.
type field struct {
	name string
	read func(r *reader, v gjson.Result)
	// isSet reports whether c sets the field (a rule then overrides the
	// top-level value); inherit copies top's value into eff when eff does
	// not set it.
	isSet   func(c *Config) bool
	inherit func(eff, top *Config)
}

// stringsField is a field holding a list of strings (nil: not set).
func stringsField(name string, at func(*Config) *[]string) field {
	return field{
		name:    name,
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.strings(v, name) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// boolField is a field holding true or false (nil: not set).
func boolField(name string, at func(*Config) **bool) field {
	return field{
		name:    name,
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.bool(v, name) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// intField is a field holding an integer (nil: not set); want describes the
// expected value in messages.
func intField(name, want string, at func(*Config) **int) field {
	return field{
		name:    name,
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.int(v, name, want) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// enumField is a field holding one of a few strings ("": not set).
func enumField(name string, at func(*Config) *string, allowed ...string) field {
	return field{
		name:    name,
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.enum(v, name, allowed...) },
		isSet:   func(c *Config) bool { return *at(c) != "" },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == "") },
	}
}

// inheritValue sets *eff to *top when the rule left it unset.
func inheritValue[T any](eff, top *T, unset bool) {
	if unset {
		*eff = *top
	}
}

// policyFields are the fields of a policy, at the top level and in rules.
var policyFields = []field{
	stringsField("allow_origins", func(c *Config) *[]string { return &c.AllowOrigins }),
	stringsField("allow_origin_regexes", func(c *Config) *[]string { return &c.AllowOriginRegexes }),
	stringsField("allow_methods", func(c *Config) *[]string { return &c.AllowMethods }),
	stringsField("allow_headers", func(c *Config) *[]string { return &c.AllowHeaders }),
	stringsField("expose_headers", func(c *Config) *[]string { return &c.ExposeHeaders }),
	boolField("allow_credentials", func(c *Config) **bool { return &c.AllowCredentials }),
	intField("max_age", "an integer number of seconds", func(c *Config) **int { return &c.MaxAge }),
	boolField("allow_private_network", func(c *Config) **bool { return &c.AllowPrivateNetwork }),
	intField("preflight_status", "200 or 204", func(c *Config) **int { return &c.PreflightStatus }),
	enumField("on_unmatched_preflight", func(c *Config) *string { return &c.OnUnmatchedPreflight }, Reject, Forward),
	enumField("on_disallowed_origin", func(c *Config) *string { return &c.OnDisallowedOrigin }, Omit, Reject),
	enumField("upstream_cors_headers", func(c *Config) *string { return &c.UpstreamCORSHeaders }, Replace, Keep),
	boolField("dangerously_allow_insecure_origins", func(c *Config) **bool { return &c.DangerouslyAllowInsecureOrigins }),
	boolField("enabled", func(c *Config) **bool { return &c.Enabled }),
	enumField("mode", func(c *Config) *string { return &c.Mode }, Enforce, Audit),
	boolField("timing_allow_origin", func(c *Config) **bool { return &c.TimingAllowOrigin }),
	boolField("debug", func(c *Config) **bool { return &c.Debug }),
	isolationField,
}

// isolationFields are the fields of `isolation`. A rule inherits each one
// the rule does not set.
var isolationFields = []field{
	enumField("cross_origin_resource_policy", func(c *Config) *string { return &c.Isolation.CrossOriginResourcePolicy },
		"same-origin", "same-site", "cross-origin"),
	enumField("cross_origin_embedder_policy", func(c *Config) *string { return &c.Isolation.CrossOriginEmbedderPolicy },
		"require-corp", "credentialless", "unsafe-none"),
	enumField("cross_origin_opener_policy", func(c *Config) *string { return &c.Isolation.CrossOriginOpenerPolicy },
		"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"),
}

// isolationField is the `isolation` object, inherited header by header.
var isolationField = field{
	name: "isolation",
	read: func(r *reader, v gjson.Result) {
		if !v.IsObject() {
			r.wrongType("isolation", v, "must be an object")
			return
		}
		r.sub("isolation").object(v, isolationFields)
	},
	isSet: func(c *Config) bool { return c.Isolation != Isolation{} },
	inherit: func(eff, top *Config) {
		for _, f := range isolationFields {
			f.inherit(eff, top)
		}
	},
}

// topFields are the fields of the configuration object: a policy, and its
// rules.
var topFields = append([]field{{name: "rules", read: (*reader).rules}}, policyFields...)

// ruleFields are the fields of a rule: its name, its match and a policy.
var ruleFields = append([]field{
	{name: "name", read: func(r *reader, v gjson.Result) {
		if v.Type != gjson.String {
			r.wrongType("name", v, "must be a string")
			return
		}
		r.rule.Name = v.Str
	}},
	{name: "match", read: func(r *reader, v gjson.Result) {
		if !v.IsObject() {
			r.wrongType("match", v, "must be an object with hosts and/or path_prefixes")
			return
		}
		r.rule.Match = &Match{}
		r.sub("match").object(v, matchFields)
	}},
}, policyFields...)

// matchFields are the fields of a rule's `match`.
var matchFields = []field{
	{name: "hosts", read: func(r *reader, v gjson.Result) { r.rule.Match.Hosts = r.strings(v, "hosts") }},
	{name: "path_prefixes", read: func(r *reader, v gjson.Result) { r.rule.Match.PathPrefixes = r.strings(v, "path_prefixes") }},
}

// policyField returns the policy field named name.
func policyField(name string) (field, bool) {
	for _, f := range policyFields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// inherit returns a rule's effective configuration: each field the rule
// sets, and the top-level value of each it does not (isolation header by
// header).
func inherit(rule, top *Config) Config {
	eff := *rule
	eff.Rules = nil
	for _, f := range policyFields {
		f.inherit(&eff, top)
	}
	return eff
}
