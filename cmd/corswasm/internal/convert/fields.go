package convert

import (
	"regexp"
	"strings"
	"sync"

	"github.com/corswasm/corswasm/internal/engine"
)

// originMatcher is one origin matcher of a source: Envoy's StringMatcher,
// Istio's StringMatch, or a Gateway API origin (exact, with its own
// wildcard syntax).
type originMatcher struct {
	kind  string // "exact", "prefix", "suffix", "regex", "contains", "gateway" or another matcher's name
	value string
	// ignoreCase: the matcher compares ASCII letters case-insensitively
	// (Envoy's StringMatcher.ignore_case, which does not apply to a
	// regex).
	ignoreCase bool
}

// portPrefix is a prefix match that ends where a port begins:
// "http://localhost:" matches that host on every port.
var portPrefix = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://[^/:?#@*]+:$`)

// labelSuffix is a suffix match on a label boundary: ".example.com".
var labelSuffix = regexp.MustCompile(`^(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// origins converts origin matchers into cfg's allow_origins and
// allow_origin_regexes, refusing those that would allow origins the
// operator cannot have meant. A matcher that no origin a browser sends
// can match allowed nothing: it is left out, which keeps that meaning.
func (c *converter) origins(from string, ms []originMatcher, cfg *engine.Config) {
	for _, m := range ms {
		if matchesStar(m) {
			// CorsFilter::isOriginAllowed (source/extensions/filters/
			// http/cors/cors_filter.cc) allows any origin when a matcher
			// matches "*", before it tries the origin.
			if m.value != "*" {
				c.policyNote("%s: origin %s %q matches \"*\", which Envoy's CORS filter takes for every origin: it becomes allow_origins [\"*\"]", from, m.kind, m.value)
			}
			cfg.AllowOrigins, cfg.AllowOriginRegexes = []string{"*"}, nil
			return
		}
	}
	for _, m := range ms {
		v := m.value
		if m.kind != "regex" && m.ignoreCase {
			v = strings.ToLower(v)
		}
		if m.kind != "regex" && v != "*" && hasUpper(v) {
			c.neverMatches(from, m, "a browser sends no upper-case letter in Origin, and the matcher compares case-sensitively")
			continue
		}
		switch m.kind {
		case "exact":
			if v != "*" && !serialized(v) {
				c.neverMatches(from, m, "it is not an origin as a browser serializes it (scheme://host[:port], no path, no default port)")
				continue
			}
			if strings.Contains(v, "*") {
				c.literalStar(from, m, v, cfg)
				continue
			}
			cfg.AllowOrigins = append(cfg.AllowOrigins, v)
		case "prefix":
			switch {
			case !portPrefix.MatchString(v):
				c.refuse("%s: origin prefix %q also matches origins that merely start with it, such as %q, which anyone can register; list the exact origins, or a subdomain wildcard such as \"https://*.example.com\"", from, v, prefixWitness(v))
			case !serialized(v + "1"):
				c.neverMatches(from, m, "no origin as a browser serializes it starts with it")
			default:
				// A serialized origin has a port only when it is not the
				// scheme's default, and then only digits: the prefix
				// allows the host on every other port, as the regex does.
				// "http://localhost:*" would allow the default port too.
				cfg.AllowOriginRegexes = append(cfg.AllowOriginRegexes, regexp.QuoteMeta(v)+"[0-9]+")
			}
		case "suffix":
			if labelSuffix.MatchString(v) {
				w := "https://*" + v
				cfg.AllowOrigins = append(cfg.AllowOrigins, w)
				c.policyNote("%s: origin suffix %q matched every scheme; it became %q, https only (add \"http://*%s\" for plain http, never with credentials)", from, v, w, v)
				continue
			}
			c.refuse("%s: origin suffix %q is not on a label boundary: it also matches %q; write a suffix starting with \".\" (a subdomain wildcard)", from, v, "https://attacker"+strings.TrimPrefix(v, "."))
		case "regex":
			if c.anyScheme(from, m) {
				continue
			}
			cfg.AllowOriginRegexes = append(cfg.AllowOriginRegexes, v)
		case "gateway":
			// Written as allow_origins entries already (gatewayOrigin).
			cfg.AllowOrigins = append(cfg.AllowOrigins, v)
		case "contains":
			c.refuse("%s: origin matcher contains %q matches origins such as %q; list the exact origins", from, v, "https://"+strings.Trim(v, ".:/")+".attacker.example")
		default:
			c.refuse("%s: origin matcher %q cannot be converted; list the exact origins", from, m.kind)
		}
	}
}

// literalStar keeps an exact origin v with a "*" in its host, which the
// source compared byte for byte (Envoy's StringMatcher exact; Istio's
// exact and allowOrigin become one, TranslateCORSPolicy): it matched that
// origin alone, which a browser can send, since the URL standard's host
// parser allows "*" (it is no forbidden host code point). allow_origins
// would read the "*" as a subdomain wildcard, so the origin becomes a
// regex of its escaped text, which matches it alone.
func (c *converter) literalStar(from string, m originMatcher, v string, cfg *engine.Config) {
	re := regexp.QuoteMeta(v)
	cfg.AllowOriginRegexes = append(cfg.AllowOriginRegexes, re)
	c.policyNote("%s: origin %s %q matched that origin alone, with a literal \"*\" in its host, not the hosts under it: it becomes allow_origin_regexes %q, which matches it alone (allow_origins would read \"*\" as a wildcard, which the source did not allow)", from, m.kind, m.value, re)
}

// matchesStar reports whether an origin matcher matches the string "*",
// as Envoy's StringMatcher compares it (a regex whole, with RE2, whose
// syntax Go's regexp shares); the Gateway API's "*" is every origin too
// (HTTPCORSFilter.AllowOrigins).
func matchesStar(m originMatcher) bool {
	switch m.kind {
	case "exact", "gateway":
		return m.value == "*"
	case "prefix", "suffix", "contains":
		return m.value == "*" || m.value == ""
	case "regex":
		re, err := regexp.Compile(`^(?:` + m.value + `)$`)
		return err == nil && re.MatchString("*")
	}
	return false
}

// neverMatches notes an origin matcher left out because it matches no
// origin a browser sends, and why.
func (c *converter) neverMatches(from string, m originMatcher, why string) {
	c.policyNote("%s: origin %s %q never matches: %s; the source allowed no origin by it, so it is left out", from, m.kind, m.value, why)
}

// anyOrigin is a policy allowing every origin: what it calls a malformed
// Origin, the filter never allows.
var anyOrigin = sync.OnceValue(func() *engine.Policy {
	p, err := engine.Load([]byte(`{"allow_origins": ["*"]}`))
	if err != nil {
		panic(err)
	}
	return p
})

// serialized reports whether s is an origin as a browser serializes it
// into Origin (the URL standard's origin serialization: lower case, no
// default port, no path), which the filter reads by the same parser: the
// only values an origin matcher of the source could have matched.
func serialized(s string) bool {
	var d engine.Decision
	anyOrigin().Evaluate(&engine.Request{Origins: []string{s}, Method: "GET", Scheme: "https", Authority: "corswasm.invalid", Path: "/"}, &d)
	return d.Reason() != engine.MalformedOrigin
}

// hasUpper reports whether s has an ASCII upper-case letter.
func hasUpper(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
}

// prefixWitness is an origin a prefix match allows that its author did not
// mean.
func prefixWitness(prefix string) string {
	switch {
	case strings.HasSuffix(prefix, "://"), strings.HasSuffix(prefix, "."):
		return prefix + "attacker.example"
	case strings.HasSuffix(prefix, ":"):
		return prefix + "1@attacker.example"
	}
	return prefix + ".attacker.example"
}

// safelisted are the CORS-safelisted methods, always allowed.
var safelisted = map[string]bool{"GET": true, "HEAD": true, "POST": true}

// methods sets allow_methods, leaving out the safelisted ones.
func (c *converter) methods(from string, ms []string, cfg *engine.Config) {
	for _, m := range ms {
		if safelisted[m] {
			c.policyNote("GET, HEAD and POST are always allowed (CORS-safelisted); they are left out of allow_methods")
			continue
		}
		cfg.AllowMethods = append(cfg.AllowMethods, m)
	}
}

// maxAge sets max_age from seconds, capped at the largest value corswasm
// accepts (Firefox's cap; Chromium's is 7200).
func (c *converter) maxAge(from string, seconds int64, cfg *engine.Config) {
	switch {
	case seconds < 0:
		c.refuse("%s: max age %d is negative", from, seconds)
		return
	case seconds > engine.MaxMaxAge:
		c.policyNote("%s: max age %d s became %d s: no browser caches a preflight longer (Firefox caps at 86400, Chromium at 7200)", from, seconds, engine.MaxMaxAge)
		seconds = engine.MaxMaxAge
	}
	n := int(seconds)
	cfg.MaxAge = &n
}

// commaList splits Envoy's comma-separated lists.
func commaList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// boolPtr returns a pointer to b.
func boolPtr(b bool) *bool { return &b }
