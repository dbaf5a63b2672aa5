package origin

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// Regex is an accepted allow_origin_regexes entry and what the analysis
// proved about every origin it matches.
type Regex struct {
	*regexp.Regexp
	// Null is set when the pattern matches the opaque origin "null".
	Null bool
	// Schemes lists the schemes of the origins it matches, at most
	// maxSchemes; Sites lists, per scheme, the sites (registrable domains,
	// or IP addresses) every host lies at or under, at most maxSites in all.
	Schemes []string
	Sites   map[string][]string
}

// maxSchemes bounds the schemes one pattern may match.
const maxSchemes = 4

// CompileRegex compiles an allow_origin_regexes entry, anchored so it must
// match the whole origin, and accepts it only by proof. The pattern is
// turned into an automaton over the serialized origins a browser can send
// (grammar.go: lower case, "scheme://host[:port]"), and accepted only if
// every origin it can match
//
//	(a) has a scheme from a finite set of at most maxSchemes, spelled out;
//	(b) has a host at or under one of at most maxSites sites (registrable
//	    domains per the Public Suffix List, or IP addresses) that the
//	    pattern spells out: never a public suffix, never any label under
//	    one (sites.go);
//	(c) with credentials, is neither "null" nor plain http, loopback aside
//	    (unless insecureOK);
//
// and (d) it matches at least one origin. A case-insensitive pattern is
// judged on the lower-case origins browsers send. What cannot be proven is
// an error naming the property; sample origins in messages only illustrate
// it. Warnings flag accepted patterns that are probably not what was meant.
func CompileRegex(pattern string, credentials, insecureOK bool) (*Regex, *Error, []*Error) {
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
	a, aerr := newAutomaton(pattern)
	switch {
	case errors.Is(aerr, errUnsupported):
		return nil, fail(FaultRegexUnsupported, "word boundaries (\\b, \\B) cannot be analysed in an origin pattern; spell out where labels start and end, as in \"https://([a-z0-9-]+\\\\.)*example\\\\.com\""), nil
	case errors.Is(aerr, errTooComplex):
		return nil, fail(FaultRegexComplex, "too complex to prove safe; split it into simpler patterns, or list the origins in allow_origins"), nil
	case aerr != nil:
		return nil, fail(FaultRegexSyntax, "not a valid RE2 regular expression: "+aerr.Error()), nil
	}
	r := &Regex{Regexp: re, Null: re.MatchString("null"), Sites: map[string][]string{}}
	x := &explainer{re: re, a: a}
	// (d): the pattern matches some origin. Only a search that looked at
	// every text the automaton accepts may conclude that none is valid;
	// an undecided search leaves the proof to run on all of them, which
	// is sound: the grammar includes every valid origin.
	if a.start >= 0 {
		if first, _, none := a.validOrigins(); none {
			if !r.Null {
				return nil, x.notAnOrigin(first), nil
			}
			a.start = -1 // "null" only
		}
	}
	if a.start < 0 && !r.Null {
		return nil, x.noMatch(pattern), nil
	}
	if err := r.prove(x); err != nil {
		return nil, err, nil
	}
	if err := r.checkCredentials(x, credentials, insecureOK); err != nil {
		return nil, err, nil
	}
	return r, nil, r.warnings(pattern, x)
}

// prove establishes (a) and (b): the schemes, and the sites of each.
func (r *Regex) prove(x *explainer) *Error {
	if x.a.start < 0 {
		return nil // "null" only
	}
	schemes, fault := x.a.schemes()
	if fault != nil {
		if c, ok := x.arbitrary(); ok {
			return fail(FaultRegexScheme, "matches arbitrary origins, of any scheme, such as "+strconv.Quote(c)+"; use \"*\" if that is intended")
		}
		return fault
	}
	r.Schemes = schemes
	distinct := map[string]bool{}
	for _, s := range schemes {
		q := x.a.walk(x.a.start, s+"://")
		h := newHostScan(x.a, q)
		if err := h.run(); err != nil {
			return fail(FaultRegexComplex, "too complex to prove safe; split it into simpler patterns, or list the origins in allow_origins")
		}
		if h.fault != siteOK {
			return x.siteFault(s, h)
		}
		r.Sites[s] = h.sites
		for _, site := range h.sites {
			distinct[site] = true
		}
		if len(distinct) > maxSites {
			return fail(FaultRegexSite, "matches origins of more than "+strconv.Itoa(maxSites)+" sites (registrable domains) across its schemes; a pattern may name at most "+strconv.Itoa(maxSites)+": split it, or use allow_origins")
		}
	}
	return nil
}

// checkCredentials establishes (c).
func (r *Regex) checkCredentials(x *explainer, credentials, insecureOK bool) *Error {
	if !credentials {
		return nil
	}
	if r.Null {
		return fail(FaultRegexNull, "matches the origin \"null\", which cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send it")
	}
	if insecureOK {
		return nil
	}
	for _, site := range r.Sites["http"] {
		if !IsLoopbackHost(site) { // every host at or under it is this machine
			return fail(FaultRegexInsecure, "matches http origins such as "+strconv.Quote(x.example("http", site))+
				", which anyone on the network path can impersonate; with allow_credentials match https only, or set dangerously_allow_insecure_origins")
		}
	}
	return nil
}

// schemes enumerates the schemes the automaton allows, or says why it
// cannot: unboundedly many, or more than maxSchemes.
func (a *automaton) schemes() ([]string, *Error) {
	var out []string
	var onPath []int
	var walk func(s int, prefix []byte) *Error
	walk = func(s int, prefix []byte) *Error {
		if slices.Contains(onPath, s) {
			return fail(FaultRegexScheme, "matches origins of any scheme, such as "+strconv.Quote(a.complete(a.start, string(prefix)))+
				"; spell the schemes out, as in \"https://…\" or \"(https|capacitor)://…\"")
		}
		onPath = append(onPath, s)
		defer func() { onPath = onPath[:len(onPath)-1] }()
		for sym := 0; sym < len(alphabet); sym++ {
			t := a.step(s, alphabet[sym])
			switch {
			case t < 0:
			case a.states[t].part == partColon:
				out = append(out, string(prefix))
				if len(out) > maxSchemes {
					return fail(FaultRegexScheme, "matches origins of more than "+strconv.Itoa(maxSchemes)+" schemes; split it into several patterns")
				}
			default:
				if err := walk(t, append(prefix[:len(prefix):len(prefix)], alphabet[sym])); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(a.start, nil); err != nil {
		return nil, err
	}
	out = sortSet(out)
	return out, nil
}

// hasBareDot reports whether the pattern uses "." as a single character
// outside a repetition, which in an origin pattern is almost always meant as
// a literal dot.
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

// warnings flags an accepted pattern that is probably not what was meant,
// or that allow_origins expresses without a regex.
func (r *Regex) warnings(pattern string, x *explainer) []*Error {
	var out []*Error
	if hasBareDot(pattern) {
		out = append(out, fail(FaultRegexBareDot, "an unescaped \".\" matches any character; write \"\\\\.\" to match a dot"))
	}
	if entries := r.equivalentEntries(x.a); len(entries) > 0 {
		quoted := make([]string, len(entries))
		for i, e := range entries {
			quoted[i] = strconv.Quote(e)
		}
		out = append(out, fail(FaultRegexEquivalent, "matches exactly the origins of allow_origins "+strings.Join(quoted, ", ")+": prefer them, they need no regular expression"))
	}
	return out
}
