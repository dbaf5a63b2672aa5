package engine

import "github.com/tidwall/gjson"

// field is one JSON field of a configuration object: its name, how to read
// it, and, for a policy field, whether a Config sets it and how a rule
// inherits it from the top level. The tables below are the one list of
// fields: Parse, rule inheritance and the problems a rule reports all use
// them.
type field struct {
	name string
	read func(r *reader, v gjson.Result)
	// schema describes the value for the JSON Schema (schema.go).
	schema valueSchema
	// isSet reports whether c sets the field (a rule then overrides the
	// top-level value); inherit copies top's value into eff when eff does
	// not set it.
	isSet   func(c *Config) bool
	inherit func(eff, top *Config)
}

// stringsField is a field holding a list of strings (nil: not set).
func stringsField(name, doc string, at func(*Config) *[]string) field {
	return field{
		name:    name,
		schema:  valueSchema{typ: typeStrings, doc: doc},
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.strings(v, name) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// boolField is a field holding true or false (nil: not set).
func boolField(name, doc string, at func(*Config) **bool) field {
	return field{
		name:    name,
		schema:  valueSchema{typ: typeBool, doc: doc},
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.bool(v, name) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// intField is a field holding an integer (nil: not set); want describes the
// expected value in messages, and allowed (bounds or values) the values
// Compile accepts, for the schema.
func intField(name, want, doc string, allowed valueSchema, at func(*Config) **int) field {
	allowed.typ, allowed.doc = typeInt, doc
	return field{
		name:    name,
		schema:  allowed,
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.int(v, name, want) },
		isSet:   func(c *Config) bool { return *at(c) != nil },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == nil) },
	}
}

// enumField is a field holding one of a few strings ("": not set).
func enumField(name, doc string, at func(*Config) *string, allowed ...string) field {
	values := make([]any, len(allowed))
	for i, a := range allowed {
		values[i] = a
	}
	return field{
		name:    name,
		schema:  valueSchema{typ: typeString, doc: doc, enum: values},
		read:    func(r *reader, v gjson.Result) { *at(r.c) = r.enum(v, name, allowed...) },
		isSet:   func(c *Config) bool { return *at(c) != "" },
		inherit: func(eff, top *Config) { inheritValue(at(eff), at(top), *at(eff) == "") },
	}
}

// originsField makes one of allow_origins and allow_origin_regexes part of
// the one setting they are, the set of allowed origins: a rule that sets
// either list replaces both, so that a rule narrowing its origins (perhaps
// to turn credentials on) never keeps the top level's other list. The
// origin-set cache (compile_origins.go) treats them as a unit too.
func originsField(f field) field {
	f.inherit = func(eff, top *Config) {
		if !setsOrigins(eff) {
			eff.AllowOrigins, eff.AllowOriginRegexes = top.AllowOrigins, top.AllowOriginRegexes
		}
	}
	return f
}

// setsOrigins reports whether c sets the allowed origins: either list.
func setsOrigins(c *Config) bool { return c.AllowOrigins != nil || c.AllowOriginRegexes != nil }

// inheritValue sets *eff to *top when the rule left it unset.
func inheritValue[T any](eff, top *T, unset bool) {
	if unset {
		*eff = *top
	}
}

// policyFields are the fields of a policy, at the top level and in rules.
// Their docs are the schema's descriptions (the README and Config say more).
var policyFields = []field{
	originsField(stringsField("allow_origins", `Origins allowed to read responses: exact origins (scheme://host[:port]), subdomain wildcards (https://*.example.com), port wildcards (http://localhost:*), "*" (any origin; not with credentials) or "null". With allow_origin_regexes, one setting: a rule that sets either replaces both.`,
		func(c *Config) *[]string { return &c.AllowOrigins })),
	originsField(stringsField("allow_origin_regexes", `RE2 patterns matched against the whole serialized origin (anchored as ^(?:...)$). With allow_origins, one setting: a rule that sets either replaces both.`,
		func(c *Config) *[]string { return &c.AllowOriginRegexes })),
	stringsField("allow_methods", `Methods allowed beyond the CORS-safelisted GET, HEAD and POST, compared case-sensitively; "*" allows any.`,
		func(c *Config) *[]string { return &c.AllowMethods }),
	stringsField("allow_headers", `Request headers allowed, compared case-insensitively; "*" allows any but authorization, which must be listed.`,
		func(c *Config) *[]string { return &c.AllowHeaders }),
	stringsField("expose_headers", `Response headers scripts may read; "*" exposes all (not with credentials).`,
		func(c *Config) *[]string { return &c.ExposeHeaders }),
	boolField("allow_credentials", `Send Access-Control-Allow-Credentials: true (cookies, HTTP authentication). Default false.`,
		func(c *Config) **bool { return &c.AllowCredentials }),
	intField("max_age", "an integer number of seconds", `Access-Control-Max-Age in seconds; absent: not sent. Chromium caps it at 7200.`,
		valueSchema{minimum: 0, maximum: MaxMaxAge, bounded: true}, func(c *Config) **int { return &c.MaxAge }),
	boolField("allow_private_network", `Answer Access-Control-Request-Private-Network: true with Access-Control-Allow-Private-Network: true. Default false.`,
		func(c *Config) **bool { return &c.AllowPrivateNetwork }),
	intField("preflight_status", "200 or 204", `Status of a successful preflight reply. Default 204.`,
		valueSchema{enum: []any{200, 204}}, func(c *Config) **int { return &c.PreflightStatus }),
	enumField("on_unmatched_preflight", `A failing preflight: "reject" answers 403 without Access-Control-* headers (default); "forward" passes it to the upstream untouched; "forward_disallowed_origin" passes it untouched when its origin is not allowed, and answers 403 when it fails for its method, headers or private network access.`,
		func(c *Config) *string { return &c.OnUnmatchedPreflight }, Reject, Forward, ForwardDisallowedOrigin),
	enumField("on_disallowed_origin", `An actual request from a disallowed origin: "omit" forwards it without Access-Control-* headers (default); "reject" answers 403, cross-site form posts included, except for a same-origin request.`,
		func(c *Config) *string { return &c.OnDisallowedOrigin }, Omit, Reject),
	enumField("upstream_cors_headers", `"replace" removes the upstream's CORS headers from responses to CORS requests first (default); "keep" leaves them alone when the upstream set Access-Control-Allow-Origin.`,
		func(c *Config) *string { return &c.UpstreamCORSHeaders }, Replace, Keep),
	boolField("dangerously_allow_insecure_origins", `Permit http:// origins other than loopback together with credentials. Default false.`,
		func(c *Config) **bool { return &c.DangerouslyAllowInsecureOrigins }),
	boolField("enabled", `false: the requests this policy decides pass through untouched. Default true.`,
		func(c *Config) **bool { return &c.Enabled }),
	enforcementField(enumField("mode", `"enforce" (default), or "audit": change nothing, compare with the upstream's answer, count and log disagreements. With enforce_percent, one setting: a rule that sets either replaces both.`,
		func(c *Config) *string { return &c.Mode }, Enforce, Audit)),
	enforcementField(intField("enforce_percent", "an integer percentage", `Enforce on this share (0-100) of the CORS requests the policy decides, chosen by a hash of Origin and :authority, and audit the rest. Default 100; 0 is audit mode. With mode, one setting: a rule that sets either replaces both.`,
		valueSchema{minimum: 0, maximum: 100, bounded: true}, func(c *Config) **int { return &c.EnforcePercent })),
	boolField("timing_allow_origin", `Responses to allowed origins also carry Timing-Allow-Origin. Default false.`,
		func(c *Config) **bool { return &c.TimingAllowOrigin }),
	boolField("debug", `Refusals carry x-cors-reason. Default false: it tells a prober what the policy is.`,
		func(c *Config) **bool { return &c.Debug }),
	isolationField,
}

// isolationFields are the fields of `isolation`. A rule inherits each one
// the rule does not set.
var isolationFields = []field{
	enumField("cross_origin_resource_policy", `Cross-Origin-Resource-Policy for responses that lack one.`,
		func(c *Config) *string { return &c.Isolation.CrossOriginResourcePolicy },
		"same-origin", "same-site", "cross-origin"),
	enumField("cross_origin_embedder_policy", `Cross-Origin-Embedder-Policy for responses that lack one.`,
		func(c *Config) *string { return &c.Isolation.CrossOriginEmbedderPolicy },
		"require-corp", "credentialless", "unsafe-none"),
	enumField("cross_origin_opener_policy", `Cross-Origin-Opener-Policy for responses that lack one.`,
		func(c *Config) *string { return &c.Isolation.CrossOriginOpenerPolicy },
		"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"),
}

// isolationField is the `isolation` object, inherited header by header.
var isolationField = field{
	name:   "isolation",
	schema: valueSchema{typ: typeObject, fields: isolationFields, doc: `Cross-origin isolation headers added to upstream responses that lack them, on requests an enforcing policy decides.`},
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
var topFields = append([]field{{
	name:   "rules",
	read:   (*reader).rules,
	schema: valueSchema{typ: typeObjects, fields: ruleFields, required: []string{"name", "match"}, doc: `Per host/path policies: the first rule whose match holds decides; a field a rule does not set takes the top-level value; a rule that sets allow_origins or allow_origin_regexes replaces both.`},
}}, append(policyFields, auditObservationsField, verdictFilterStateField)...)

// ruleFields are the fields of a rule: its name, its match and a policy.
var ruleFields = append([]field{
	{name: "name", schema: valueSchema{typ: typeString, pattern: ruleNamePattern, doc: `Identifies the rule in errors, logs and counters: unique; letters, digits, "-" and "_".`},
		read: func(r *reader, v gjson.Result) {
			if v.Type != gjson.String {
				r.wrongType("name", v, "must be a string")
				return
			}
			r.rule.Name = v.Str
		}},
	{name: "match", schema: valueSchema{typ: typeObject, fields: matchFields, minProperties: 1, doc: `The requests the rule decides: one of the hosts (if given), one of the path entries of any kind (if given), one of the routes (if given) and one of the virtual hosts (if given) must hold.`},
		read: func(r *reader, v gjson.Result) {
			if !v.IsObject() {
				r.wrongType("match", v, "must be an object with hosts, paths, path_prefixes, path_separated_prefixes, routes and/or virtual_hosts")
				return
			}
			r.rule.Match = &Match{}
			r.sub("match").object(v, matchFields)
		}},
}, policyFields...)

// matchFields are the fields of a rule's `match`.
var matchFields = []field{
	{name: "hosts", schema: valueSchema{typ: typeStrings, doc: `Host names or *.example.com wildcards, compared case-insensitively with :authority without its port.`},
		read: func(r *reader, v gjson.Result) { r.rule.Match.Hosts = r.strings(v, "hosts") }},
	{name: "paths", schema: valueSchema{typ: typeStrings, doc: `Exact paths, compared with :path up to "?".`},
		read: func(r *reader, v gjson.Result) { r.rule.Match.Paths = r.strings(v, "paths") }},
	{name: "path_prefixes", schema: valueSchema{typ: typeStrings, doc: `Prefixes compared byte for byte with :path up to "?": "/v1" also matches "/v1x".`},
		read: func(r *reader, v gjson.Result) { r.rule.Match.PathPrefixes = r.strings(v, "path_prefixes") }},
	{name: "path_separated_prefixes", schema: valueSchema{typ: typeStrings, doc: `Prefixes of whole path segments, compared with :path up to "?": "/v1" matches "/v1" and "/v1/…", not "/v1x" (Envoy's path_separated_prefix). No trailing "/".`},
		read: func(r *reader, v gjson.Result) {
			r.rule.Match.PathSeparatedPrefixes = r.strings(v, "path_separated_prefixes")
		}},
	{name: "routes", schema: valueSchema{typ: typeStrings, doc: `Names of the route Envoy chose (attribute xds.route_name), exact, or prefixes ending in "*" ("httproute/shop/checkout/*"). A request without a route name matches none.`},
		read: func(r *reader, v gjson.Result) { r.rule.Match.Routes = r.strings(v, "routes") }},
	{name: "virtual_hosts", schema: valueSchema{typ: typeStrings, doc: `Names of the virtual host Envoy chose (attribute xds.virtual_host_name), exact, or prefixes ending in "*". A request without a virtual host name matches none.`},
		read: func(r *reader, v gjson.Result) { r.rule.Match.VirtualHosts = r.strings(v, "virtual_hosts") }},
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
