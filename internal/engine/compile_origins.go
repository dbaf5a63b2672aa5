package engine

import "github.com/corswasm/corswasm/internal/engine/internal/origin"

// originInputs are the settings besides the lists that decide how
// allow_origins and allow_origin_regexes compile.
type originInputs struct {
	credentials, insecure bool
}

// compiledOrigins is an origin set compiled from the top-level lists, with
// the problems found, so that every rule inheriting those lists (with the
// same settings) shares one set and reports the same problems.
type compiledOrigins struct {
	set              *origin.Set
	errors, warnings []*FieldError
}

// originSet compiles the policy's origins. Sets built from the top-level
// lists are shared: with 10,000 origins and 100 rules that inherit them,
// the set is built and validated once.
func (k *compiler) originSet(enabled bool) *origin.Set {
	c := k.c
	in := originInputs{credentials: isTrue(c.AllowCredentials), insecure: isTrue(c.DangerouslyAllowInsecureOrigins)}
	own := k.own != nil && setsOrigins(k.own)
	if co, ok := k.originSets[in]; ok && !own {
		for _, e := range co.errors {
			k.p.error(e)
		}
		for _, w := range co.warnings {
			k.p.warn(w)
		}
		return co.set
	}
	// Compile into a problem list of our own, to keep it with the set.
	var p problems
	sub := *k
	sub.p = &p
	set := origin.NewSet()
	sub.origins(set, in)
	sub.regexes(set, in)
	if set.Empty() && enabled {
		reason := "no origin is allowed: every CORS request will be refused"
		if len(c.Rules) > 0 {
			reason = "no origin is allowed: every CORS request no rule matches will be refused"
		}
		sub.warnf(CodeNoOrigin, "allow_origins", -1, "", reason)
	}
	for _, e := range p.errs {
		k.p.error(e)
	}
	for _, w := range p.warnings {
		k.p.warn(w)
	}
	if !own {
		k.originSets[in] = &compiledOrigins{set, p.errs, p.warnings}
	}
	return set
}

// origins compiles allow_origins into set.
func (k *compiler) origins(set *origin.Set, in originInputs) {
	const field = "allow_origins"
	seen := make(map[string]int)
	anyAt := -1
	for i, raw := range k.c.AllowOrigins {
		if k.skip(field, i) {
			continue
		}
		o, err := origin.ParsePattern(raw)
		if err != nil {
			k.errorf(originCodes[err.Fault], field, i, quote(raw), err.Reason)
			continue
		}
		canon := o.String()
		if j, dup := seen[canon]; dup {
			k.warnf(CodeDuplicate, field, i, quote(raw), "duplicate of "+indexPath(field, j)+"; remove it")
			continue
		}
		seen[canon] = i
		switch {
		case o.Kind == origin.Any && in.credentials:
			k.errorf(CodeCredentialsAny, field, i, quote(raw), "cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead")
			continue
		case o.Kind == origin.Null && in.credentials:
			k.errorf(CodeCredentialsNull, field, i, quote(raw), "cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send the origin \"null\"")
			continue
		case in.credentials && o.Scheme == "http" && !o.IsLoopback() && !in.insecure:
			k.errorf(CodeCredentialsInsecure, field, i, quote(raw), "an http origin can be impersonated by anyone on the network path; with allow_credentials use https, or set dangerously_allow_insecure_origins")
			continue
		case o.Kind == origin.Any:
			anyAt = i
		}
		set.Add(o)
	}
	if anyAt >= 0 && len(seen) > 1 {
		k.warnf(CodeRedundant, field, anyAt, "\"*\"", "allows every origin; the other entries are redundant")
	}
}

// regexAnalyses are the analyses of one configuration's
// allow_origin_regexes, every list's: their results by pattern and
// settings, so that a pattern in several lists is analysed once, and the
// budget they spend together, which bounds what a configuration's patterns
// cost at start-up (origin.Budget); and how many entries of each list are
// within origin.MaxConfigRegexes, counted in the order they are written,
// the top level's first.
type regexAnalyses struct {
	budget *origin.Budget
	done   map[regexKey]*regexAnalysis
	// within holds that count for each rule's own list (by the rule's
	// Config) and the top level's (nil).
	within map[*Config]int
}

type regexKey struct {
	pattern string
	in      originInputs
}

// regexAnalysis is what CompileRegex returned.
type regexAnalysis struct {
	re       *origin.Regex
	err      *origin.Error
	warnings []*origin.Error
}

func newRegexAnalyses(c *Config) *regexAnalyses {
	r := &regexAnalyses{budget: origin.NewBudget(), done: make(map[regexKey]*regexAnalysis), within: make(map[*Config]int)}
	left := origin.MaxConfigRegexes
	count := func(key *Config, list []string) {
		r.within[key] = min(len(list), left)
		left -= r.within[key]
	}
	count(nil, c.AllowOriginRegexes)
	for i := range c.Rules {
		if list := c.Rules[i].AllowOriginRegexes; list != nil {
			count(&c.Rules[i].Config, list)
		}
	}
	return r
}

// admitted returns how many entries of the list compiled for a rule (own,
// nil for the top level) are within origin.MaxConfigRegexes: all of them
// but those past it.
func (r *regexAnalyses) admitted(own *Config) int {
	if own == nil || own.AllowOriginRegexes == nil {
		own = nil // the top level's list
	}
	return r.within[own]
}

// analyse returns the analysis of a pattern with the settings in.
func (r *regexAnalyses) analyse(pattern string, in originInputs) *regexAnalysis {
	key := regexKey{pattern, in}
	a, ok := r.done[key]
	if !ok {
		a = &regexAnalysis{}
		a.re, a.err, a.warnings = r.budget.CompileRegex(pattern, in.credentials, in.insecure)
		r.done[key] = a
	}
	return a
}

// regexes compiles allow_origin_regexes into set.
func (k *compiler) regexes(set *origin.Set, in originInputs) {
	const field = "allow_origin_regexes"
	seen := make(map[string]int)
	for i, pat := range k.c.AllowOriginRegexes {
		if i == k.regexAnalyses.admitted(k.own) {
			err := origin.TooManyRegexes()
			k.errorf(originCodes[err.Fault], field, i, quote(pat), err.Reason)
			break
		}
		if k.skip(field, i) {
			continue
		}
		if j, dup := seen[pat]; dup {
			k.warnf(CodeDuplicate, field, i, quote(pat), "duplicate of "+indexPath(field, j)+"; remove it")
			continue
		}
		seen[pat] = i
		a := k.regexAnalyses.analyse(pat, in)
		re, err, warnings := a.re, a.err, a.warnings
		if err != nil {
			k.errorf(originCodes[err.Fault], field, i, quote(pat), err.Reason)
			continue
		}
		for _, w := range warnings {
			k.warnf(originCodes[w.Fault], field, i, quote(pat), w.Reason)
		}
		set.AddRegex(re)
	}
}
