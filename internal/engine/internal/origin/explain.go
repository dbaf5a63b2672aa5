package origin

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/psl"
)

// explainer turns what the analysis found into messages with example
// origins. The examples illustrate a fault the proof found; they are never
// how it is found. Its searches run once the proof has its verdict, on a
// budget of their own (work): a message whose example would cost more
// goes without it.
type explainer struct {
	a    *automaton
	work *budget
}

// matches reports whether the pattern matches the origin s, on the
// automaton: a step a byte. An example must be an origin a browser can
// send, so it reports false for any other text, and when the steps are more
// than is left.
func (x *explainer) matches(s string) bool {
	if !x.work.spend(originCost(s) + len(s)) {
		return false
	}
	_, ok := Parse(s)
	return ok && x.a.accepts(s)
}

// searches switches the automaton's searches to the messages' budget.
func (x *explainer) searches() *automaton {
	x.a.work = x.work
	return x.a
}

// suchAs is ", such as " and the example, or nothing without one.
func suchAs(example string) string {
	if example == "" {
		return ""
	}
	return ", such as " + strconv.Quote(example)
}

// anOrigin returns o when it is an origin a browser can send (Parse), or
// "": an example in a message must be one, or it would show what no
// request can be.
func anOrigin(o string) string {
	if _, ok := Parse(o); !ok {
		return ""
	}
	return o
}

// complete returns prefix followed by the shortest text that makes the
// automaton accept, from state s after prefix ("" when none does).
func (a *automaton) complete(s int, prefix string) string {
	s = a.walk(s, prefix)
	if s < 0 {
		return ""
	}
	tail, ok := a.shortest(s, func(t int) bool { return a.states[t].accept })
	if !ok {
		return ""
	}
	return prefix + tail
}

// shortest returns the shortest text leading from state s to a state for
// which done holds, by breadth-first search over live states.
func (a *automaton) shortest(s int, done func(int) bool) (string, bool) {
	type step struct {
		from int
		c    byte
	}
	back := map[int]step{s: {-1, 0}}
	queue := []int{s}
	for len(queue) > 0 {
		if !a.work.spend(1 + len(alphabet)) {
			return "", false
		}
		t := queue[0]
		queue = queue[1:]
		if done(t) {
			if !a.work.spend(len(back)) { // the text, at most a state a character
				return "", false
			}
			var b []byte
			for u := t; back[u].from >= 0; u = back[u].from {
				b = append(b, back[u].c)
			}
			return reversed(b), true
		}
		for sym := 0; sym < len(alphabet); sym++ {
			u := a.step(t, alphabet[sym])
			if _, seen := back[u]; u < 0 || seen {
				continue
			}
			back[u] = step{t, alphabet[sym]}
			queue = append(queue, u)
		}
	}
	return "", false
}

// canaryOrigins belong to no one (.invalid is reserved by RFC 2606).
var canaryOrigins = []string{"https://cors-canary.invalid", "http://cors-canary.invalid:8080"}

// arbitrary returns a canary origin the pattern matches, if any: then it
// matches about anything.
func (x *explainer) arbitrary() (string, bool) {
	for _, c := range canaryOrigins {
		if x.matches(c) {
			return c, true
		}
	}
	return "", false
}

// example returns an origin of the scheme whose host is site or under it.
func (x *explainer) example(scheme, site string) string {
	a := x.searches()
	q := a.walk(a.start, scheme+"://")
	for _, host := range []string{site, "a." + site} {
		if o := anOrigin(scheme + "://" + a.complete(q, host)); o != "" {
			return o
		}
	}
	if host, ok := a.shortest(q, func(t int) bool { return a.states[t].part.hostEnd() }); ok {
		if o := anOrigin(a.complete(a.start, scheme+"://"+host)); o != "" {
			return o
		}
	}
	return scheme + "://" + site
}

// noMatch explains a pattern that matches no origin.
func (x *explainer) noMatch(pattern string) *Error {
	msg := "matches no origin: a browser sends \"scheme://host\" or \"scheme://host:port\" in lower case, and the pattern must match all of it"
	if !strings.Contains(pattern, "://") && !strings.Contains(pattern, `:\/\/`) {
		msg += `; write the scheme too, as in "https://([a-z0-9-]+\\.)*example\\.com"`
	}
	return fail(FaultRegexNoMatch, msg)
}

// notAnOrigin explains a pattern whose matches all look like origins but
// none is one a browser sends, such as "https://a.example:443".
func (x *explainer) notAnOrigin(first string) *Error {
	return fail(FaultRegexNoMatch, "matches no origin a browser sends: "+strconv.Quote(first)+
		" is not one (browsers leave out the default port, and write IP addresses and host names in their canonical form)")
}

// hostExample returns an origin whose host ends with the reversed
// characters rev, read from a state in node.
func (x *explainer) hostExample(scheme string, h *hostScan) string {
	a := x.searches()
	if !a.work.spend(len(h.node)) {
		return ""
	}
	inNode := map[int]bool{}
	for _, s := range h.node {
		inNode[int(s)] = true
	}
	head, ok := a.shortest(h.start, func(t int) bool { return inNode[t] })
	if !ok {
		return ""
	}
	return anOrigin(a.complete(a.start, scheme+"://"+head+reversed(h.rev)))
}

// schemeFault explains why the schemes of a pattern are refused.
func (x *explainer) schemeFault(f schemeFault, prefix string) *Error {
	if c, ok := x.arbitrary(); ok {
		return fail(FaultRegexScheme, "matches arbitrary origins, of any scheme, such as "+strconv.Quote(c)+"; use \"*\" if that is intended")
	}
	if f == schemesTooMany {
		return fail(FaultRegexScheme, "matches origins of more than "+strconv.Itoa(maxSchemes)+" schemes; split it into several patterns")
	}
	a := x.searches()
	return fail(FaultRegexScheme, "matches origins of any scheme"+suchAs(anOrigin(a.complete(a.start, prefix)))+
		"; spell the schemes out, as in \"https://…\" or \"(https|capacitor)://…\"")
}

// siteFault explains why the hosts of one scheme are refused.
func (x *explainer) siteFault(scheme string, h *hostScan) *Error {
	example := x.hostExample(scheme, h)
	switch h.fault {
	case sitePublicSuffix:
		asIn := ""
		if example != "" {
			asIn = ", as in " + strconv.Quote(example)
		}
		return fail(FaultRegexPublicSuffix, "matches the public suffix "+strconv.Quote(h.suffix)+" itself"+asIn+
			": anyone can register sites under it"+defaultRuleNote(h.suffix))
	case siteTooMany:
		return fail(FaultRegexSite, "matches origins of more than "+strconv.Itoa(maxSites)+" sites (registrable domains)"+
			suchAs(example)+"; a pattern may name at most "+strconv.Itoa(maxSites)+": split it, or use allow_origins")
	}
	// Unboundedly many sites. Say how, when a classic mistake shows.
	for _, label := range []string{"cors-canary.", "corscanary."} {
		if c := scheme + "://" + label + h.suffix; h.suffix != "" && x.matches(c) {
			return fail(FaultRegexPublicSuffix, "matches every site under the public suffix "+strconv.Quote(h.suffix)+", such as "+
				strconv.Quote(c)+": anyone can register one"+defaultRuleNote(h.suffix))
		}
	}
	if rule, ok := psl.RuleBelow(h.domain); ok && !psl.IsPublicSuffix(h.domain) {
		return fail(FaultRegexPublicSuffix, "matches hosts under "+strconv.Quote(h.domain)+suchAs(example)+
			", where public suffixes such as "+strconv.Quote(rule)+" let anyone have a site; spell out the subdomains you mean")
	}
	if c, ok := x.arbitrary(); ok {
		return fail(FaultRegexSite, "matches arbitrary origins such as "+strconv.Quote(c)+"; use \"*\" if that is intended")
	}
	a := x.searches()
	first := a.complete(a.walk(a.start, scheme+"://"), "")
	if first != "" {
		first = scheme + "://" + first
		for _, tail := range []string{".cors-canary.invalid", ".corscanary.invalid", "cors-canary.invalid", "corscanary.invalid"} {
			if x.matches(first + tail) {
				return fail(FaultRegexSite, "matches origins that merely start with "+strconv.Quote(first)+", such as "+
					strconv.Quote(first+tail)+"; end the pattern where the origin ends")
			}
		}
		if o, ok := Parse(first); ok && strings.Contains(o.Host, ".") && hostMode(o.Host) == modeDomain {
			other := o.Scheme + "://corscanary" + o.Host
			if o.Port != "" {
				other += ":" + o.Port
			}
			if x.matches(other) {
				return fail(FaultRegexSite, "matches hosts that merely end with "+strconv.Quote(o.Host)+", such as "+strconv.Quote(other)+
					"; match whole labels, as in "+strconv.Quote(o.Scheme+"://([a-z0-9-]+\\.)*"+regexp.QuoteMeta(o.Host))+
					", or use allow_origins "+strconv.Quote(o.Scheme+"://"+o.Host)+" and "+strconv.Quote(o.Scheme+"://*."+o.Host))
			}
		}
	}
	return fail(FaultRegexSite, "matches hosts of sites it does not spell out"+suchAs(example)+
		": every host must lie at or under one of a few registrable domains written in the pattern")
}

// validOrigins says whether the automaton accepts an origin Parse accepts
// too (the grammar is slightly wider than Parse: no length limits, any
// port, IP addresses in any form). It looks at the accepted texts,
// shortest first, for a bounded while: found is set when one is valid,
// none when every accepted text was looked at and none is (the pattern
// matches no origin a browser sends); neither when the search gave up
// undecided. first is the shortest accepted text.
func (a *automaton) validOrigins() (first string, found, none bool) {
	first, ok := a.shortest(a.start, func(t int) bool { return a.states[t].accept })
	if !ok {
		return "", false, false
	}
	if _, ok := Parse(first); ok {
		return first, true, false
	}
	// A breadth-first search whose texts are spelled out only where an
	// origin can end: each item is a state and the item it came from.
	type item struct {
		s, from int
		c       byte
	}
	queue := []item{{a.start, -1, 0}}
	var text []byte
	for n := 0; ; n++ {
		if n == len(queue) {
			return first, false, true
		}
		if !a.work.spend(1 + len(alphabet)) {
			return first, false, false
		}
		it := queue[n]
		if a.states[it.s].accept {
			text = text[:0]
			for i := n; queue[i].from >= 0; i = queue[i].from {
				text = append(text, queue[i].c)
			}
			if !a.work.spend(len(text) + originCost(string(text))) {
				return first, false, false
			}
			slices.Reverse(text)
			if _, ok := Parse(string(text)); ok {
				return first, true, false
			}
		}
		for sym := 0; sym < len(alphabet); sym++ {
			if t := a.step(it.s, alphabet[sym]); t >= 0 {
				if len(queue) == maxOriginsSearched {
					return first, false, false // more texts than it looks at
				}
				queue = append(queue, item{t, n, alphabet[sym]})
			}
		}
	}
}

// maxOriginsSearched bounds the texts validOrigins looks at.
const maxOriginsSearched = 4096
