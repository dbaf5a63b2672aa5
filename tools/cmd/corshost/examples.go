//go:build !wasip1

package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// foreignOrigin is an origin no sensible configuration allows.
const foreignOrigin = "https://evil.example"

// fallbackOrigin stands in for an allowed origin when the configuration
// names none that an example can use.
const fallbackOrigin = "https://app.example"

// request is one example request, printed as a curl command.
type request struct {
	title   string // what it shows and what to expect
	method  string // "" for GET
	url     string
	headers [][2]string
}

// curl renders the request as a curl command ready to paste into a POSIX
// shell: -si shows the status line and headers.
func (r request) curl() string {
	var b strings.Builder
	b.WriteString("curl -si")
	if r.method != "" {
		b.WriteString(" -X " + r.method)
	}
	b.WriteString(" " + shellQuote(r.url))
	for _, h := range r.headers {
		b.WriteString(" -H " + shellQuote(h[0]+": "+h[1]))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// exampleSet is what examples derives from a configuration.
type exampleSet struct {
	requests []request // the allowed preflight, the refused one, the actual request
	notes    []string  // where the configuration did not give what the examples need
}

// exampleConfig is the part of the plugin configuration the examples use.
// Fields the plugin knows and this does not are ignored: the plugin, not
// this, validates the configuration.
type exampleConfig struct {
	AllowOrigins         []string        `json:"allow_origins"`
	AllowOriginRegexes   []string        `json:"allow_origin_regexes"`
	AllowMethods         []string        `json:"allow_methods"`
	AllowHeaders         []string        `json:"allow_headers"`
	PreflightStatus      *int            `json:"preflight_status"`
	OnUnmatchedPreflight string          `json:"on_unmatched_preflight"`
	Enabled              *bool           `json:"enabled"`
	Mode                 string          `json:"mode"`
	Rules                json.RawMessage `json:"rules"`
}

// examples derives from the plugin configuration three requests to base
// (the listener's URL) that show it at work: a preflight it allows, one it
// refuses, and an actual request from the allowed origin. echoUpstream says
// the upstream is the built-in echo one, whose answers are known.
func examples(pluginConfig []byte, base string, echoUpstream bool) exampleSet {
	var set exampleSet
	var c exampleConfig
	if err := json.Unmarshal(pluginConfig, &c); err != nil {
		set.notes = append(set.notes, fmt.Sprintf("could not read the configuration for examples (%v); they use made-up values", err))
	}

	origin, note := allowedOrigin(c)
	if note != "" {
		set.notes = append(set.notes, note)
	}
	method := allowedMethod(c.AllowMethods)
	var reqHeaders [][2]string
	if h := firstNotStar(c.AllowHeaders); h != "" {
		reqHeaders = append(reqHeaders, [2]string{"Access-Control-Request-Headers", h})
	}
	preflight := func(origin, method string) request {
		return request{
			method: "OPTIONS",
			url:    base + "/",
			headers: append([][2]string{
				{"Origin", origin},
				{"Access-Control-Request-Method", method},
			}, reqHeaders...),
		}
	}

	status := 204
	if c.PreflightStatus != nil {
		status = *c.PreflightStatus
	}
	allowed := preflight(origin, method)
	allowed.title = fmt.Sprintf("an allowed preflight: expect %d with access-control-allow-origin: %s", status, origin)

	// Refuse by origin; with "*" among the origins, by method instead.
	var refused request
	forwarded := c.OnUnmatchedPreflight == "forward"
	switch {
	case !slices.Contains(c.AllowOrigins, "*"):
		refused = preflight(foreignOrigin, method)
		refused.title = "a refused preflight (origin not allowed): "
		forwarded = forwarded || c.OnUnmatchedPreflight == "forward_disallowed_origin"
	case !slices.Contains(c.AllowMethods, "*"):
		refused = preflight(origin, unlistedMethod(c.AllowMethods))
		refused.title = "a refused preflight (method not allowed): "
	default:
		refused = preflight(foreignOrigin, method)
		refused.title = "a preflight from a foreign origin: "
		set.notes = append(set.notes, `allow_origins and allow_methods both contain "*": the configuration allows any preflight, so the "refused" one passes too`)
	}
	if forwarded {
		refused.title += "on_unmatched_preflight is " + c.OnUnmatchedPreflight + ", so expect the upstream's answer without access-control-* headers"
	} else {
		refused.title += "expect 403 without access-control-* headers"
	}

	upstreamAnswer := "the upstream's response"
	if echoUpstream {
		upstreamAnswer = "200 from the echo upstream"
	}
	actual := request{
		url:     base + "/",
		headers: [][2]string{{"Origin", origin}},
		title:   "an actual request: expect " + upstreamAnswer + " with access-control-allow-origin: " + origin,
	}
	set.requests = []request{allowed, refused, actual}

	if c.Enabled != nil && !*c.Enabled {
		set.notes = append(set.notes, "enabled is false: the filter lets these requests through untouched, so expect the upstream's answers instead")
	}
	if c.Mode == "audit" {
		set.notes = append(set.notes, "mode is audit: the filter only counts and logs, so expect the upstream's answers instead")
	}
	if len(c.Rules) > 0 && string(c.Rules) != "null" {
		set.notes = append(set.notes, "the configuration has rules: the examples follow the top-level policy, which decides them unless a rule matches host 127.0.0.1 or path /")
	}
	return set
}

// allowedOrigin picks an origin the configuration allows: the first exact
// one in allow_origins, else one made from a wildcard entry. The note says
// what was done when there was no exact origin.
func allowedOrigin(c exampleConfig) (origin, note string) {
	for _, o := range c.AllowOrigins {
		if o != "null" && strings.Contains(o, "://") && !strings.Contains(o, "*") {
			// Browsers send origins in lower case.
			return strings.ToLower(o), ""
		}
	}
	for _, o := range c.AllowOrigins {
		if o == "*" || !strings.Contains(o, "://") {
			continue
		}
		if made := fromWildcard(strings.ToLower(o)); made != "" {
			return made, fmt.Sprintf("no exact origin in allow_origins: the examples use %s, made from %q", made, o)
		}
	}
	if slices.Contains(c.AllowOrigins, "*") {
		return fallbackOrigin, fmt.Sprintf(`allow_origins has "*": the examples use %s, as any origin would do`, fallbackOrigin)
	}
	if len(c.AllowOriginRegexes) > 0 {
		return fallbackOrigin, fmt.Sprintf("no origin in allow_origins, only regexes: the examples use %s, which they may refuse; put an origin your regexes match in the curl commands", fallbackOrigin)
	}
	return fallbackOrigin, fmt.Sprintf("no origin in allow_origins: the examples use %s, which the policy refuses", fallbackOrigin)
}

// fromWildcard makes a concrete origin from a subdomain wildcard
// (https://*.example.com) or a port wildcard (http://localhost:*).
func fromWildcard(pattern string) string {
	scheme, rest, _ := strings.Cut(pattern, "://")
	if h, ok := strings.CutPrefix(rest, "*."); ok {
		rest = "app." + h
	}
	if h, ok := strings.CutSuffix(rest, ":*"); ok {
		rest = h + ":3000"
	}
	if strings.Contains(rest, "*") || rest == "" {
		return ""
	}
	return scheme + "://" + rest
}

// allowedMethod picks the method of the allowed preflight: the first listed
// one that is not CORS-safelisted (browsers preflight those), else the first
// listed, else a method that needs listing when any is allowed, else GET
// (always allowed).
func allowedMethod(methods []string) string {
	for _, m := range methods {
		if m != "*" && m != "GET" && m != "HEAD" && m != "POST" {
			return m
		}
	}
	if m := firstNotStar(methods); m != "" {
		return m
	}
	if slices.Contains(methods, "*") {
		return "PUT"
	}
	return "GET"
}

// unlistedMethod is a method that is neither CORS-safelisted nor listed.
func unlistedMethod(methods []string) string {
	for _, m := range []string{"PURGE", "DELETE", "PATCH", "PUT"} {
		if !slices.Contains(methods, m) {
			return m
		}
	}
	return "X-NOT-ALLOWED"
}

// firstNotStar returns the first entry other than "*", or "".
func firstNotStar(list []string) string {
	for _, s := range list {
		if s != "*" {
			return s
		}
	}
	return ""
}
