package engine

import "github.com/corswasm/corswasm/internal/engine/internal/origin"

// maxRuleNameLength bounds rule names, which become part of counter names.
const maxRuleNameLength = 64

// compileRules compiles each rule's effective policy (its own fields over
// the top-level ones, see inherit) and indexes the rules by host, path and
// route (see addRule).
// A problem of an effective policy is reported under the rule's name,
// unless it is a problem of the top-level policy that the rule merely
// inherits (reported once, at the top level).
func compileRules(c *Config, top *compiler, pol *Policy) {
	p := top.p
	topErrs, topWarnings := problemSet(p.errs), problemSet(p.warnings)
	names := make(map[string]int)
	for i := range c.Rules {
		r := &c.Rules[i]
		if p.reported(indexPath("rules", i)) {
			continue // not an object: already reported
		}
		prefix := rulePrefix(i, r.Name)
		if !p.reported(prefix + "name") {
			checkRuleName(r.Name, i, prefix, names, p)
		}
		var hosts []origin.Host
		var paths []pathEntry
		var routes routeConditions
		if !p.reportedUnder(prefix + "match") {
			hosts, paths = checkMatch(r, prefix, p)
			routes = checkRouteConditions(r.Match, prefix, p)
		}

		eff := inherit(&r.Config, c)
		var rp problems
		k := &compiler{c: &eff, p: &rp, own: &r.Config, ownPrefix: prefix, parsed: p, originSets: top.originSets, regexAnalyses: top.regexAnalyses}
		s := k.compile()
		s.name, s.index = r.Name, i+1
		for _, e := range rp.errs {
			if ownProblem(e, &r.Config, topErrs) {
				p.error(withPrefix(prefix, e))
			}
		}
		for _, w := range rp.warnings {
			if ownProblem(w, &r.Config, topWarnings) {
				p.warn(withPrefix(prefix, w))
			}
		}
		pol.rules = append(pol.rules, s)
		pol.addRule(i, hosts, paths, routes)
	}
}

// ownProblem reports whether a problem of a rule's effective policy is the
// rule's own: the top level does not have it, or the rule wrote the value
// itself.
func ownProblem(e *FieldError, rule *Config, top map[FieldError]bool) bool {
	if !top[*e] {
		return true
	}
	f, ok := policyField(e.field)
	return ok && f.isSet(rule)
}

func withPrefix(prefix string, e *FieldError) *FieldError {
	out := *e
	out.Path = prefix + e.Path
	return &out
}

func problemSet(list []*FieldError) map[FieldError]bool {
	set := make(map[FieldError]bool, len(list))
	for _, e := range list {
		set[*e] = true
	}
	return set
}

// checkRuleName checks that a rule has a unique name made of letters,
// digits, "-" and "_": it names the rule in logs and counters.
func checkRuleName(name string, i int, prefix string, names map[string]int, p *problems) {
	report := func(code Code, value, reason string) {
		p.error(&FieldError{Path: prefix + "name", Value: value, Reason: reason, Code: code})
	}
	switch {
	case name == "":
		report(CodeRuleNameMissing, "", "required: give each rule a unique name")
		return
	case len(name) > maxRuleNameLength:
		report(CodeRuleNameInvalid, quote(name), "longer than 64 characters")
		return
	}
	for j := 0; j < len(name); j++ {
		if c := name[j]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			report(CodeRuleNameInvalid, quote(name), "use only letters, digits, \"-\" and \"_\" (the name becomes part of counter names)")
			return
		}
	}
	if j, dup := names[name]; dup {
		report(CodeRuleNameDuplicate, quote(name), "duplicate of "+indexPath("rules", j)+"'s name")
		return
	}
	names[name] = i
}

// checkMatch validates a rule's match and returns its parsed hosts and
// path entries.
func checkMatch(r *Rule, prefix string, p *problems) ([]origin.Host, []pathEntry) {
	m := r.Match
	const lists = "hosts, paths, path_prefixes, path_separated_prefixes, routes or virtual_hosts"
	switch {
	case m == nil:
		p.error(&FieldError{Path: prefix + "match", Reason: "required: give " + lists, Code: CodeRuleMatchMissing})
		return nil, nil
	case len(m.Hosts) == 0 && len(m.Paths) == 0 && len(m.PathPrefixes) == 0 && len(m.PathSeparatedPrefixes) == 0 &&
		len(m.Routes) == 0 && len(m.VirtualHosts) == 0:
		p.error(&FieldError{Path: prefix + "match", Reason: "empty: a rule without " + lists + " would match every request; set those fields at the top level instead", Code: CodeRuleMatchEmpty})
		return nil, nil
	}
	var hosts []origin.Host
	for j, h := range m.Hosts {
		path := prefix + indexPath("match.hosts", j)
		mh, err := origin.ParseMatchHost(h)
		if err != nil {
			p.error(&FieldError{Path: path, Value: quote(h), Reason: err.Reason, Code: originCodes[err.Fault]})
			continue
		}
		hosts = append(hosts, mh)
	}
	var paths []pathEntry
	for _, list := range []struct {
		field   string
		entries []string
		kind    pathMatch
	}{
		{"match.paths", m.Paths, matchExact},
		{"match.path_prefixes", m.PathPrefixes, matchPrefix},
		{"match.path_separated_prefixes", m.PathSeparatedPrefixes, matchSeparated},
	} {
		for j, e := range list.entries {
			if reason := checkPathEntry(e, list.kind); reason != "" {
				p.error(&FieldError{Path: prefix + indexPath(list.field, j), Value: quote(e), Reason: reason, Code: CodePathPrefixInvalid})
				continue
			}
			paths = append(paths, pathEntry{e, list.kind})
		}
	}
	return hosts, paths
}
