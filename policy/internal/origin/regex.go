package origin

import (
	"regexp"
	"regexp/syntax"
	"strconv"

	"github.com/corswasm/corswasm/internal/psl"
)

// canaryOrigins belong to no one (.invalid is reserved by RFC 2606). A
// pattern that matches one of them matches origins its author never meant.
var canaryOrigins = []string{
	"https://cors-canary.invalid",
	"http://cors-canary.invalid:8080",
}

// CompileRegex compiles an allow_origin_regexes entry, anchored so it
// must match the whole origin. It refuses patterns that match arbitrary
// origins; origins that merely begin like an intended one (the classic
// `https://example\.com.*`, which also matches
// https://example.com.evil.test); hosts that merely end like an intended one
// (`https://.*example\.com` also matches https://evilexample.com); and,
// with credentials, the origin "null" and plain-http origins, as for
// allow_origins. warning is set for a pattern that is accepted but probably
// wrong.
func CompileRegex(pattern string, credentials, insecureOK bool) (re *regexp.Regexp, err, warning *Error) {
	// Parse the pattern as written first, so that an error quotes the
	// operator's text rather than our anchored wrapper.
	if _, perr := syntax.Parse(pattern, syntax.Perl); perr != nil {
		msg := perr.Error()
		if se, ok := perr.(*syntax.Error); ok {
			msg = string(se.Code) + " in " + strconv.Quote(se.Expr)
		}
		return nil, fail(FaultRegexSyntax, "not a valid RE2 regular expression: "+msg), nil
	}
	re, cerr := regexp.Compile("^(?:" + pattern + ")$")
	if cerr != nil {
		return nil, fail(FaultRegexSyntax, "not a valid RE2 regular expression: "+cerr.Error()), nil
	}
	for _, c := range canaryOrigins {
		if re.MatchString(c) {
			return nil, fail(FaultRegexArbitrary, "matches arbitrary origins such as "+strconv.Quote(c)+"; use \"*\" if that is intended"), nil
		}
	}
	for _, w := range witnesses(pattern) {
		if !re.MatchString(w) {
			continue
		}
		if err := checkWitness(re, w, credentials, insecureOK); err != nil {
			return nil, err, nil
		}
	}
	if hasBareDot(pattern) {
		warning = fail(FaultRegexBareDot, "an unescaped \".\" matches any character; write \"\\\\.\" to match a dot")
	}
	return re, nil, warning
}

// checkWitness tries what the pattern does around one origin it matches.
func checkWitness(re *regexp.Regexp, w string, credentials, insecureOK bool) *Error {
	// Followed by more: the pattern does not end where the origin ends.
	for _, tail := range []string{".cors-canary.invalid", "-cors-canary.invalid", "cors-canary.invalid"} {
		if re.MatchString(w + tail) {
			return fail(FaultRegexOpenEnd, "matches origins that merely start with "+strconv.Quote(w)+", such as "+strconv.Quote(w+tail)+
				"; end the pattern where the origin ends")
		}
	}
	if w == "null" {
		if credentials {
			return fail(FaultRegexNull, "matches the origin \"null\", which cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send it")
		}
		return nil
	}
	o, ok := Parse(w)
	if !ok || o.Host[0] == '[' {
		return nil
	}
	// Preceded by more in the same label: the host is someone else's.
	other := o.Scheme + "://corscanary" + o.Host
	if o.Port != "" {
		other += ":" + o.Port
	}
	if re.MatchString(other) && psl.RegistrableDomain("corscanary"+o.Host) != psl.RegistrableDomain(o.Host) {
		return fail(FaultRegexHostSuffix, "matches hosts that merely end with "+strconv.Quote(o.Host)+", such as "+strconv.Quote(other)+
			"; match whole labels, as in \"([a-z0-9-]+\\\\.)*example\\\\.com\"")
	}
	if credentials && !insecureOK && o.Scheme == "http" && !IsLoopbackHost(o.Host) {
		return fail(FaultRegexInsecure, "matches http origins such as "+strconv.Quote(w)+", which anyone on the network path can impersonate; "+
			"with allow_credentials match https only, or set dangerously_allow_insecure_origins")
	}
	return nil
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
