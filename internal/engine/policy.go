package engine

import "slices"

// Policy is a compiled, immutable CORS policy. It is safe for concurrent use;
// Evaluate only reads it.
type Policy struct {
	top      *scope
	rules    []*scope // rules[i] is the effective policy of Config.Rules[i]
	index    *ruleIndex
	routes   *routeIndex // rules naming routes or virtual hosts; nil when none does
	warnings []*FieldError
	// observations is how audit mode records observations (Observations).
	observations Observations
	// verdictState is verdict_filter_state (VerdictFilterState).
	verdictState bool
}

// Load parses, validates and compiles a JSON configuration. A configuration
// with any problem yields a *ConfigError listing every one of them, each with
// its JSON path, value and reason.
func Load(data []byte) (*Policy, error) {
	var p problems
	c := parseConfig(data, &p)
	// Compile even after parse errors: the values that could be read may
	// have problems of their own, and the operator should see them all now.
	return compileConfig(c, &p)
}

// Check parses, validates and compiles a JSON configuration like Load, and
// returns every error and every warning, for tools that show the warnings of
// a configuration Load refuses too. No errors means Load accepts it.
func Check(data []byte) (errs, warnings []*FieldError) {
	var p problems
	c := parseConfig(data, &p)
	if len(p.errs) > 0 && slices.Contains([]Code{CodeConfigMissing, CodeConfigSyntax, CodeConfigNotObject}, p.errs[0].Code) {
		// No object was read (missing, not JSON, not an object): an empty
		// Config's warnings would be about nothing the operator wrote.
		return p.errs, nil
	}
	compileConfig(c, &p)
	return p.errs, p.warnings
}

// Compile validates a Config and compiles it into a Policy, reporting every
// problem at once as a *ConfigError.
func Compile(c *Config) (*Policy, error) {
	var p problems
	return compileConfig(c, &p)
}

func compileConfig(c *Config, p *problems) (*Policy, error) {
	pol := &Policy{index: newRuleIndex()}
	top := &compiler{c: c, p: p, parsed: p, originSets: make(map[originInputs]*compiledOrigins), regexAnalyses: newRegexAnalyses(c)}
	pol.top = top.compile()
	compileRules(c, top, pol)
	compileObservations(c, p, pol)
	warnObservationsUnused(c, p, pol)
	if err := p.err(); err != nil {
		return nil, err
	}
	// Each policy's verdict on a request without Origin (see Evaluate): the
	// request's other fields play no part in it.
	for _, s := range append([]*scope{pol.top}, pol.rules...) {
		s.decide(&Request{}, &s.withoutOrigin)
	}
	pol.warnings = p.warnings
	pol.verdictState = isTrue(c.VerdictFilterState)
	return pol, nil
}

// Audited lists the policies in audit mode, or auditing a share of their
// requests (enforce_percent), by RuleIndex (0 for the top
// level, i+1 for rules[i]), so a filter can define their counters.
func (p *Policy) Audited() []int {
	var out []int
	for _, s := range append([]*scope{p.top}, p.rules...) {
		if (s.audit || s.rollout) && s.enabled {
			out = append(out, s.index)
		}
	}
	return out
}

// RuleNames lists the names of the rules, in order. A Decision's RuleIndex
// is 0 for the top-level policy and i+1 for RuleNames()[i].
func (p *Policy) RuleNames() []string {
	names := make([]string, len(p.rules))
	for i, s := range p.rules {
		names[i] = s.name
	}
	return names
}

// RuleInputs reports what choosing a rule reads of a request: the
// :authority when a rule matches hosts, the :path whenever there are rules.
// Without rules the policy reads neither for a request without Origin, so a
// filter need not fetch them for such a request.
func (p *Policy) RuleInputs() (authority, path bool) {
	if len(p.rules) == 0 {
		return false, false
	}
	return len(p.index.exact) > 0 || p.index.wildcard.Len() > 0 || (p.routes != nil && p.routes.hosts), true
}

// Warnings lists what was accepted but is probably not what the operator
// meant: duplicates, redundant entries, entries without effect, a policy that
// allows no origin. The list and its errors are the caller's own copies.
func (p *Policy) Warnings() []*FieldError {
	out := make([]*FieldError, len(p.warnings))
	for i, w := range p.warnings {
		c := *w
		out[i] = &c
	}
	return out
}
