package policy

import (
	"regexp"
	"regexp/syntax"

	"github.com/corswasm/corswasm/internal/psl"
)

// canaryOrigins belong to no one (.invalid is reserved by RFC 2606). A
// pattern that matches one of them matches origins its author never meant.
var canaryOrigins = []string{
	"https://cors-canary.invalid",
	"http://cors-canary.invalid:8080",
}

// compileOriginRegex compiles an allow_origin_regexes entry, anchored so it
// must match the whole origin. It refuses patterns that match arbitrary
// origins; origins that merely begin like an intended one (the classic
// `https://example\.com.*`, which also matches
// https://example.com.evil.test); hosts that merely end like an intended one
// (`https://.*example\.com` also matches https://evilexample.com); and,
// with credentials, the origin "null" and plain-http origins, as for
// allow_origins. warning is set for a pattern that is accepted but probably
// wrong.
func compileOriginRegex(pattern string, credentials, insecureOK bool) (re *regexp.Regexp, reason, warning string) {
	// Parse the pattern as written first, so that an error quotes the
	// operator's text rather than our anchored wrapper.
	if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
		msg := err.Error()
		if se, ok := err.(*syntax.Error); ok {
			msg = string(se.Code) + " in " + quote(se.Expr)
		}
		return nil, "not a valid RE2 regular expression: " + msg, ""
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil, "not a valid RE2 regular expression: " + err.Error(), ""
	}
	for _, c := range canaryOrigins {
		if re.MatchString(c) {
			return nil, "matches arbitrary origins such as " + quote(c) + "; use \"*\" if that is intended", ""
		}
	}
	for _, w := range witnesses(pattern) {
		if !re.MatchString(w) {
			continue
		}
		if reason := checkWitness(re, w, credentials, insecureOK); reason != "" {
			return nil, reason, ""
		}
	}
	if hasBareDot(pattern) {
		warning = "an unescaped \".\" matches any character; write \"\\\\.\" to match a dot"
	}
	return re, "", warning
}

// checkWitness tries what the pattern does around one origin it matches.
func checkWitness(re *regexp.Regexp, w string, credentials, insecureOK bool) string {
	// Followed by more: the pattern does not end where the origin ends.
	for _, tail := range []string{".cors-canary.invalid", "-cors-canary.invalid", "cors-canary.invalid"} {
		if re.MatchString(w + tail) {
			return "matches origins that merely start with " + quote(w) + ", such as " + quote(w+tail) +
				"; end the pattern where the origin ends"
		}
	}
	if w == "null" {
		if credentials {
			return "matches the origin \"null\", which cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send it"
		}
		return ""
	}
	o, ok := parseRequestOrigin(w)
	if !ok || o.host[0] == '[' {
		return ""
	}
	// Preceded by more in the same label: the host is someone else's.
	other := o.scheme + "://corscanary" + o.host
	if o.port != "" {
		other += ":" + o.port
	}
	if re.MatchString(other) && psl.RegistrableDomain("corscanary"+o.host) != psl.RegistrableDomain(o.host) {
		return "matches hosts that merely end with " + quote(o.host) + ", such as " + quote(other) +
			"; match whole labels, as in \"([a-z0-9-]+\\\\.)*example\\\\.com\""
	}
	if credentials && !insecureOK && o.scheme == "http" && !isLoopbackHost(o.host) {
		return "matches http origins such as " + quote(w) + ", which anyone on the network path can impersonate; " +
			"with allow_credentials match https only, or set dangerously_allow_insecure_origins"
	}
	return ""
}

// hasBareDot reports whether the pattern uses "." as a single character
// outside a repetition, which in an origin pattern is almost always meant as
// a literal dot (`https://api.example.com` also matches https://apixexample.com).
func hasBareDot(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(r *syntax.Regexp, repeated bool) bool
	walk = func(r *syntax.Regexp, repeated bool) bool {
		switch r.Op {
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			return !repeated
		case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
			repeated = true
		}
		for _, sub := range r.Sub {
			if walk(sub, repeated) {
				return true
			}
		}
		return false
	}
	return walk(re, false)
}
