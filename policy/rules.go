package policy

import (
	"reflect"
	"strings"
)

// maxRuleNameLength bounds rule names, which become part of counter names.
const maxRuleNameLength = 64

// compileRules compiles each rule's effective policy (its own fields over
// the top-level ones) and indexes the rules by host and path. A problem of
// an effective policy is reported under the rule's name, unless the
// top-level policy has the very same problem (an inherited value, reported
// once).
func compileRules(c *Config, p *problems, cache *originCache, pol *Policy) {
	topErrs, topWarnings := problemSet(p.errs), problemSet(p.warnings)
	names := make(map[string]int)
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.unreadable {
			continue
		}
		prefix := rulePrefix(i, r.Name)
		if !r.badName {
			checkRuleName(r.Name, i, prefix, names, p)
		}
		var hosts []matchHost
		var prefixes []string
		if !r.badMatch {
			hosts, prefixes = checkMatch(r, prefix, p)
		}

		eff := merge(c, &r.Config)
		var rp problems
		s := (&compiler{c: &eff, p: &rp, cache: cache}).compile()
		s.name, s.index = r.Name, i+1
		// A problem the top level has too is reported there, unless the
		// rule wrote the value itself.
		for _, e := range rp.errs {
			if !topErrs[*e] || fieldSet(&r.Config, jsonField(e.Path)) {
				p.errorf(prefix+e.Path, e.Value, e.Reason)
			}
		}
		for _, w := range rp.warnings {
			if !topWarnings[*w] || fieldSet(&r.Config, jsonField(w.Path)) {
				p.warnf(prefix+w.Path, w.Value, w.Reason)
			}
		}
		pol.rules = append(pol.rules, s)
		pol.index.add(i, hosts, prefixes)
	}
}

func problemSet(list []*FieldError) map[FieldError]bool {
	set := make(map[FieldError]bool, len(list))
	for _, e := range list {
		set[*e] = true
	}
	return set
}

// jsonField returns the top-level field of a path: "allow_origins" for
// "allow_origins[2]", "isolation" for "isolation.cross_origin_opener_policy".
func jsonField(path string) string {
	if i := strings.IndexAny(path, "[."); i >= 0 {
		return path[:i]
	}
	return path
}

// checkRuleName checks that a rule has a unique name made of letters,
// digits, "-" and "_": it names the rule in logs and counters.
func checkRuleName(name string, i int, prefix string, names map[string]int, p *problems) {
	switch {
	case name == "":
		p.errorf(prefix+"name", "", "required: give each rule a unique name")
		return
	case len(name) > maxRuleNameLength:
		p.errorf(prefix+"name", quote(name), "longer than 64 characters")
		return
	}
	for j := 0; j < len(name); j++ {
		if c := name[j]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			p.errorf(prefix+"name", quote(name), "use only letters, digits, \"-\" and \"_\" (the name becomes part of counter names)")
			return
		}
	}
	if j, dup := names[name]; dup {
		p.errorf(prefix+"name", quote(name), "duplicate of "+indexPath("rules", j)+"'s name")
		return
	}
	names[name] = i
}

// checkMatch validates a rule's match and returns its parsed hosts and path
// prefixes.
func checkMatch(r *Rule, prefix string, p *problems) ([]matchHost, []string) {
	m := r.Match
	switch {
	case m.Hosts == nil && m.PathPrefixes == nil:
		p.errorf(prefix+"match", "", "required: give hosts and/or path_prefixes")
		return nil, nil
	case len(m.Hosts) == 0 && len(m.PathPrefixes) == 0:
		p.errorf(prefix+"match", "", "empty: a rule without hosts or path_prefixes would match every request; set those fields at the top level instead")
		return nil, nil
	}
	var hosts []matchHost
	for j, h := range m.Hosts {
		field := indexPath("match.hosts", j)
		if r.Config.unreadable[indexPath("hosts", j)] {
			continue
		}
		mh, reason := parseMatchHost(h)
		if reason != "" {
			p.errorf(prefix+field, quote(h), reason)
			continue
		}
		hosts = append(hosts, mh)
	}
	var prefixes []string
	for j, pp := range m.PathPrefixes {
		if r.Config.unreadable[indexPath("path_prefixes", j)] {
			continue
		}
		if reason := checkPathPrefix(pp); reason != "" {
			p.errorf(prefix+indexPath("match.path_prefixes", j), quote(pp), reason)
			continue
		}
		prefixes = append(prefixes, pp)
	}
	return hosts, prefixes
}

// merge returns a rule's effective configuration: each field the rule sets
// (non-nil slice or pointer, non-empty string) over the top-level one.
// Isolation is merged header by header.
func merge(top, rule *Config) Config {
	eff := *top
	eff.Rules = nil
	mergeFields(reflect.ValueOf(&eff).Elem(), reflect.ValueOf(rule).Elem())
	// Array elements Parse already reported stay skipped: the top-level
	// ones where the rule inherits the array, the rule's own otherwise.
	eff.unreadable = nil
	for path := range top.unreadable {
		if !fieldSet(rule, path[:strings.IndexByte(path, '[')]) {
			eff.markUnreadable(path)
		}
	}
	for path := range rule.unreadable {
		eff.markUnreadable(path)
	}
	return eff
}

func mergeFields(dst, src reflect.Value) {
	for i := 0; i < dst.NumField(); i++ {
		f := dst.Type().Field(i)
		if !f.IsExported() || f.Name == "Rules" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			mergeFields(dst.Field(i), src.Field(i))
			continue
		}
		if v := src.Field(i); !v.IsZero() {
			dst.Field(i).Set(v)
		}
	}
}

// fieldSet reports whether the config sets the field with the given JSON
// name.
func fieldSet(c *Config, jsonName string) bool {
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Tag.Get("json") == jsonName {
			return !v.Field(i).IsZero()
		}
	}
	return false
}
