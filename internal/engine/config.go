package engine

// Config is a CORS configuration as written by an operator: plain data, not
// yet validated. Parse builds one from JSON; Compile validates it and turns it
// into a Policy. A nil pointer or nil slice means "not set", so that a value
// can be inherited or defaulted; the defaults are documented on each field.
type Config struct {
	// AllowOrigins lists the origins allowed to read responses (JSON
	// `allow_origins`, default none). An entry is an exact origin
	// `scheme://host[:port]`, a subdomain wildcard `https://*.example.com`
	// (one or more labels under example.com, never example.com itself), a
	// port wildcard `http://localhost:*`, `"*"` for any origin, or `"null"`
	// for the opaque origin.
	AllowOrigins []string `json:"allow_origins,omitempty"`
	// AllowOriginRegexes lists RE2 patterns matched against the whole
	// serialized origin (JSON `allow_origin_regexes`, default none); each is
	// anchored as `^(?:…)$`.
	AllowOriginRegexes []string `json:"allow_origin_regexes,omitempty"`
	// AllowMethods lists the methods allowed beyond the CORS-safelisted GET,
	// HEAD and POST (JSON `allow_methods`); `"*"` allows any method. Methods
	// are compared case-sensitively, as browsers do.
	AllowMethods []string `json:"allow_methods,omitempty"`
	// AllowHeaders lists the request headers allowed beyond the
	// CORS-safelisted ones (JSON `allow_headers`), case-insensitively; `"*"`
	// allows any header except `authorization`, which must be listed.
	AllowHeaders []string `json:"allow_headers,omitempty"`
	// ExposeHeaders lists the response headers scripts may read (JSON
	// `expose_headers`); `"*"` exposes all of them to requests without
	// credentials.
	ExposeHeaders []string `json:"expose_headers,omitempty"`
	// AllowCredentials sends `Access-Control-Allow-Credentials: true` (JSON
	// `allow_credentials`, default false).
	AllowCredentials *bool `json:"allow_credentials,omitempty"`
	// MaxAge is the `Access-Control-Max-Age` in seconds, 0–86400 (JSON
	// `max_age`); unset, the header is not sent.
	MaxAge *int `json:"max_age,omitempty"`
	// AllowPrivateNetwork answers `Access-Control-Request-Private-Network:
	// true` with `Access-Control-Allow-Private-Network: true` (JSON
	// `allow_private_network`, default false).
	AllowPrivateNetwork *bool `json:"allow_private_network,omitempty"`
	// PreflightStatus is the status of a successful preflight reply, 200 or
	// 204 (JSON `preflight_status`, default 204).
	PreflightStatus *int `json:"preflight_status,omitempty"`
	// OnUnmatchedPreflight is "reject" (default: answer 403 without
	// Access-Control-* headers), "forward" (let the preflight continue to
	// the upstream untouched) or "forward_disallowed_origin" (forward the
	// preflights refused for their origin, reject the others: what Envoy's
	// forward_not_matching_preflights does) for a preflight that fails the
	// policy (JSON `on_unmatched_preflight`).
	OnUnmatchedPreflight string `json:"on_unmatched_preflight,omitempty"`
	// OnDisallowedOrigin is "omit" (default: forward the request, add no
	// Access-Control-* headers) or "reject" (answer 403 locally, except for a
	// same-origin request) for an actual request from a disallowed origin,
	// a cross-site form post included: any request but a preflight that
	// carries Origin (JSON `on_disallowed_origin`).
	OnDisallowedOrigin string `json:"on_disallowed_origin,omitempty"`
	// UpstreamCORSHeaders is "replace" (default: remove the upstream's own
	// Access-Control-Allow-* / -Max-Age / -Expose-Headers on responses to CORS
	// requests before adding the policy's) or "keep" (if the upstream response
	// already carries Access-Control-Allow-Origin, leave its CORS headers as
	// they are) (JSON `upstream_cors_headers`).
	UpstreamCORSHeaders string `json:"upstream_cors_headers,omitempty"`
	// DangerouslyAllowInsecureOrigins permits `http://` origins other than
	// loopback and localhost together with credentials (JSON
	// `dangerously_allow_insecure_origins`, default false). Anyone on the
	// network path can impersonate such an origin.
	DangerouslyAllowInsecureOrigins *bool `json:"dangerously_allow_insecure_origins,omitempty"`

	// Enabled, when false, makes the requests this policy decides pass
	// through untouched: no CORS handling, no Vary (JSON `enabled`, default
	// true). For health checks, or services that keep their own CORS.
	Enabled *bool `json:"enabled,omitempty"`
	// Mode is "enforce" (default) or "audit" (JSON `mode`): in audit mode the
	// filter changes nothing, but compares what the policy would have done
	// with what the upstream answered, and counts and logs disagreements.
	Mode string `json:"mode,omitempty"`
	// EnforcePercent, 0–100, enforces the policy on that share of the
	// CORS requests it decides and audits the rest (JSON `enforce_percent`,
	// default 100). The share is chosen by a hash of the request's Origin
	// and :authority, so one page calling one host always sees the same
	// behaviour. With Mode it is one setting: a rule that sets either
	// takes neither from the top level. 0 is audit mode.
	EnforcePercent *int `json:"enforce_percent,omitempty"`
	// Isolation sets cross-origin isolation headers on responses that do not
	// already carry them (JSON `isolation`).
	Isolation Isolation `json:"isolation,omitzero"`
	// TimingAllowOrigin adds `Timing-Allow-Origin` to responses to allowed
	// origins (JSON `timing_allow_origin`, default false).
	TimingAllowOrigin *bool `json:"timing_allow_origin,omitempty"`
	// Debug adds an `x-cors-reason` header to refused preflights and
	// rejected requests (JSON `debug`, default false). It tells a prober
	// what the policy is: keep it off in production.
	Debug *bool `json:"debug,omitempty"`

	// Rules are the per-host/path policies (JSON `rules`, top level only):
	// the first rule whose match holds decides a request; a request no rule
	// matches uses the top-level policy. A field a rule does not set takes
	// the top-level value; allow_origins and allow_origin_regexes are one
	// setting, which a rule setting either list replaces whole.
	Rules []Rule `json:"rules,omitempty"`
	// AuditObservations configures the observations audit mode records
	// (JSON `audit_observations`, top level only; nil: the defaults).
	AuditObservations *AuditObservations `json:"audit_observations,omitempty"`
	// VerdictFilterState publishes each CORS request's verdict as the
	// filter state property wasm.corswasm.verdict, for access logs and
	// later filters (JSON `verdict_filter_state`, top level only, default
	// false: it costs a host call per CORS request).
	VerdictFilterState *bool `json:"verdict_filter_state,omitempty"`
}

// Isolation holds the cross-origin isolation headers to add; "" leaves one
// unset (and inherited, in a rule).
type Isolation struct {
	// CrossOriginResourcePolicy: "same-origin", "same-site" or "cross-origin"
	// (JSON `cross_origin_resource_policy`).
	CrossOriginResourcePolicy string `json:"cross_origin_resource_policy,omitempty"`
	// CrossOriginEmbedderPolicy: "require-corp", "credentialless" or
	// "unsafe-none" (JSON `cross_origin_embedder_policy`).
	CrossOriginEmbedderPolicy string `json:"cross_origin_embedder_policy,omitempty"`
	// CrossOriginOpenerPolicy: "same-origin", "same-origin-allow-popups",
	// "noopener-allow-popups" or "unsafe-none" (JSON
	// `cross_origin_opener_policy`).
	CrossOriginOpenerPolicy string `json:"cross_origin_opener_policy,omitempty"`
}

// Rule is one entry of `rules`: a match and the policy fields it sets.
type Rule struct {
	// Name identifies the rule in errors, logs and counters (JSON `name`,
	// required, unique; letters, digits, "-" and "_").
	Name string `json:"name"`
	// Match selects the requests the rule decides (JSON `match`, required;
	// nil when missing).
	Match *Match `json:"match"`
	// Config holds the policy fields the rule sets, inline in the rule's
	// JSON object; its Rules and AuditObservations are ignored.
	Config
}

// Match selects requests by host, path and the route Envoy chose: by one
// of its hosts (any host when none is given), one of its path entries of
// any kind (any path when none is given), one of its routes and one of its
// virtual hosts (each: any when none is given).
type Match struct {
	// Hosts are host names ("api.example.com") or subdomain wildcards
	// ("*.example.com"), compared case-insensitively with the request's
	// :authority without its port (JSON `hosts`).
	Hosts []string `json:"hosts,omitempty"`
	// PathPrefixes are compared with the request's :path up to "?", byte
	// for byte (JSON `path_prefixes`): "/v1" also matches "/v1x".
	PathPrefixes []string `json:"path_prefixes,omitempty"`
	// Paths are exact paths, compared with the request's :path up to "?"
	// (JSON `paths`).
	Paths []string `json:"paths,omitempty"`
	// PathSeparatedPrefixes match a path that is the entry, or the entry
	// followed by "/" and anything, compared with the request's :path up
	// to "?" (JSON `path_separated_prefixes`): "/v1" matches "/v1" and
	// "/v1/x", never "/v1x". As Envoy's path_separated_prefix, and the
	// Gateway API's PathPrefix. An entry does not end in "/".
	PathSeparatedPrefixes []string `json:"path_separated_prefixes,omitempty"`
	// Routes are names of the route Envoy chose for the request (the
	// attribute xds.route_name), exact or, ending in "*", prefixes (JSON
	// `routes`): "httproute/shop/checkout/*". See routes.go.
	Routes []string `json:"routes,omitempty"`
	// VirtualHosts are names of the virtual host Envoy chose (the attribute
	// xds.virtual_host_name), exact or prefixes ending in "*" (JSON
	// `virtual_hosts`).
	VirtualHosts []string `json:"virtual_hosts,omitempty"`
}

// Enumerated values of the string fields.
const (
	Reject  = "reject"
	Forward = "forward"
	Omit    = "omit"
	Replace = "replace"
	Keep    = "keep"
	Enforce = "enforce"
	Audit   = "audit"
	// ForwardDisallowedOrigin forwards a failing preflight only when its
	// origin is the reason (not allowed, or malformed).
	ForwardDisallowedOrigin = "forward_disallowed_origin"
)

// Limits of numeric fields.
const (
	// MaxMaxAge is the largest accepted max_age: one day, Firefox's cap.
	MaxMaxAge = 86400
	// chromiumMaxAge is Chromium's cap on Access-Control-Max-Age.
	chromiumMaxAge = 7200
)
