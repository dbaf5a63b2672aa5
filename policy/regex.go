package policy

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// canaryOrigins belong to no one (.invalid is reserved by RFC 2606). A
// pattern that matches one of them matches origins its author never meant.
var canaryOrigins = []string{
	"https://cors-canary.invalid",
	"http://cors-canary.invalid:8080",
}

// compileOriginRegex compiles an allow_origin_regexes entry, anchored so it
// must match the whole origin. It refuses patterns that match arbitrary
// origins, or origins that merely begin like the intended one (the classic
// `https://example\.com.*` that also matches https://example.com.evil.test).
// warning is set for a pattern that is accepted but probably wrong.
func compileOriginRegex(pattern string) (re *regexp.Regexp, reason, warning string) {
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
	// The literal text the pattern must start with, e.g. "https://example.com"
	// for `https://example\.com.*`: if the pattern still matches with an
	// unrelated domain appended, it does not end where the origin ends.
	if prefix, complete := re.LiteralPrefix(); !complete && strings.Contains(prefix, "://") {
		for _, tail := range []string{".cors-canary.invalid", "-cors-canary.invalid", "cors-canary.invalid"} {
			if re.MatchString(prefix + tail) {
				return nil, "matches origins that merely start with " + quote(prefix) +
					", such as " + quote(prefix+tail) + "; end the pattern where the origin ends", ""
			}
		}
	}
	if hasBareDot(pattern) {
		warning = "an unescaped \".\" matches any character; write \"\\\\.\" to match a dot"
	}
	return re, "", warning
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
