package origin

import (
	"errors"
	"regexp/syntax"
	"strconv"
	"strings"
)

// Regex is an accepted allow_origin_regexes entry and what the analysis
// proved about every origin it matches.
type Regex struct {
	// Null is set when the pattern matches the opaque origin "null".
	Null bool
	// Schemes lists the schemes of the origins it matches, at most
	// maxSchemes; Sites lists, per scheme, the sites (registrable domains,
	// or IP addresses) every host lies at or under, at most maxSites in all.
	Schemes []string
	Sites   map[string][]string

	// anchors lists, per scheme, the anchor of each of Sites (anchor.go):
	// Set indexes the pattern under them.
	anchors map[string][]string
	// pattern is the entry as written.
	pattern string
	// match is the table Set matches requests with, and starts its state
	// after each of Schemes' "scheme://" (matcher.go).
	match  *matcher
	starts []uint16
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
	return NewBudget().CompileRegex(pattern, credentials, insecureOK)
}

// CompileRegex is CompileRegex within the budget b, which it spends. Once b
// is spent, every pattern is refused unanalysed.
func (b *Budget) CompileRegex(pattern string, credentials, insecureOK bool) (*Regex, *Error, []*Error) {
	if b.left <= 0 {
		return nil, overTotal(), nil
	}
	proof, messages := budget{left: maxWork}, budget{left: maxMessageWork}
	r, err, warnings := compileRegex(pattern, credentials, insecureOK, &proof, &messages)
	b.left -= proof.spent(maxWork) + messages.spent(maxMessageWork)
	if r != nil && r.match != nil {
		if r.match.size() > b.tables {
			return nil, overTables(), nil
		}
		b.tables -= r.match.size()
	}
	return r, err, warnings
}

// compileRegex is CompileRegex with the proof's and the messages' budgets.
func compileRegex(pattern string, credentials, insecureOK bool, proof, messages *budget) (*Regex, *Error, []*Error) {
	proof.spend(patternCost)
	if reason := tooLong(pattern); reason != "" {
		return nil, fail(FaultRegexTooLarge, reason), nil
	}
	if nonASCII(pattern) {
		return nil, fail(FaultRegexNotASCII, "has a character beyond ASCII or a Unicode class (\\p…): serialized origins are ASCII (hosts in punycode), so write the ASCII characters it should match, such as [a-z0-9-]"), nil
	}
	// Go's parser (the automaton's parse is newAutomaton's). Parse the
	// pattern as written first, so that an error quotes the operator's
	// text rather than our anchored wrapper.
	proof.spend(parseCost * len(pattern))
	tree, perr := syntax.Parse(pattern, syntax.Perl)
	if perr != nil {
		msg := perr.Error()
		if se, ok := perr.(*syntax.Error); ok {
			msg = string(se.Code) + " in " + strconv.Quote(se.Expr)
		}
		return nil, fail(FaultRegexSyntax, "not a valid RE2 regular expression: "+msg), nil
	}
	if reason, _ := programTooLarge(tree); reason != "" {
		return nil, fail(FaultRegexTooLarge, reason), nil
	}
	a, aerr := newAutomaton(pattern, proof)
	switch {
	case errors.Is(aerr, errUnsupported):
		return nil, fail(FaultRegexUnsupported, "word boundaries (\\b, \\B) cannot be analysed in an origin pattern; spell out where labels start and end, as in \"https://([a-z0-9-]+\\\\.)*example\\\\.com\""), nil
	case errors.Is(aerr, errTooComplex):
		return nil, fail(FaultRegexComplex, "too complex to prove safe: its automaton over origins has more than "+strconv.Itoa(maxStates)+" states"+splitIt), nil
	case errors.Is(aerr, errOverBudget):
		return nil, tooCostly(), nil
	case aerr != nil:
		return nil, fail(FaultRegexSyntax, "not a valid RE2 regular expression: "+aerr.Error()), nil
	}
	r := &Regex{Null: a.null, Sites: map[string][]string{}, anchors: map[string][]string{}, pattern: pattern}
	x := &explainer{a: a, work: messages}
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
	switch err := r.compileMatcher(a, proof); {
	case errors.Is(err, errTableTooLarge):
		return nil, fail(FaultRegexComplex, "too complex to match requests with: the table that matches it has more than "+strconv.Itoa(maxTableCells)+" entries"+splitIt), nil
	case err != nil:
		return nil, tooCostly(), nil
	}
	return r, nil, r.warnings(tree, x)
}

// prove establishes (a) and (b): the schemes, and the sites of each.
func (r *Regex) prove(x *explainer) *Error {
	if x.a.start < 0 {
		return nil // "null" only
	}
	schemes, fault, prefix, err := x.a.schemes()
	switch {
	case err != nil:
		return tooCostly()
	case fault != schemesOK:
		return x.schemeFault(fault, prefix)
	}
	r.Schemes = schemes
	distinct := map[string]bool{}
	for _, s := range schemes {
		q := x.a.walk(x.a.start, s+"://")
		h, err := newHostScan(x.a, q)
		if err == nil {
			err = h.run()
		}
		if err != nil {
			return tooCostly()
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
		for _, site := range h.sites {
			r.anchors[s] = append(r.anchors[s], h.anchor(site))
		}
	}
	return nil
}

// compileMatcher builds the table requests are matched with, from the
// state after each scheme's "scheme://", spending from work.
func (r *Regex) compileMatcher(a *automaton, work *budget) error {
	if len(r.Schemes) == 0 {
		return nil // "null" only
	}
	starts := make([]int, len(r.Schemes))
	for i, s := range r.Schemes {
		if !work.spend(len(s) + len("://")) {
			return errOverBudget
		}
		starts[i] = a.walk(a.start, s+"://")
	}
	var err error
	r.match, r.starts, err = newMatcher(a, starts, work)
	return err
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

// hasBareDot reports whether the pattern uses "." as a single character
// outside a repetition, which in an origin pattern is almost always meant as
// a literal dot.
func hasBareDot(re *syntax.Regexp) bool {
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
func (r *Regex) warnings(tree *syntax.Regexp, x *explainer) []*Error {
	var out []*Error
	if hasBareDot(tree) {
		out = append(out, fail(FaultRegexBareDot, "an unescaped \".\" matches any character; write \"\\\\.\" to match a dot"))
	}
	if entries := r.equivalentEntries(x.searches()); len(entries) > 0 {
		quoted := make([]string, len(entries))
		for i, e := range entries {
			quoted[i] = strconv.Quote(e)
		}
		out = append(out, fail(FaultRegexEquivalent, "matches exactly the origins of allow_origins "+strings.Join(quoted, ", ")+": prefer them, they need no regular expression"))
	}
	return out
}
