package convert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// scope is a part of the traffic to which a source gives one CORS policy,
// or none.
type scope struct {
	// from names the source part in notes ("VirtualService default/api
	// http[1]").
	from string
	// name is the rule name to use, before it is made valid and unique.
	name string
	// hosts and prefixes select the requests; nil selects all.
	hosts, prefixes []string
	// cors is the policy; nil when the source does no CORS here, so the
	// filter must leave these requests alone.
	cors *policy.Config
}

// catchAll reports whether the scope selects every request.
func (s *scope) catchAll() bool { return len(s.hosts) == 0 && len(s.prefixes) == 0 }

// hostRank orders scopes as Envoy chooses virtual hosts: exact host names
// first, then wildcards, longer suffixes first, then any host.
func hostRank(s *scope) (rank, length int) {
	if len(s.hosts) == 0 {
		return 2, 0
	}
	shortest := -1
	for _, h := range s.hosts {
		if strings.HasPrefix(h, "*.") {
			rank = 1
			if shortest < 0 || len(h) < shortest {
				shortest = len(h)
			}
		}
	}
	return rank, -shortest
}

// assemble builds the configuration from the scopes: a single unscoped
// policy becomes the top level; otherwise the top level is disabled (the
// source did no CORS outside its scopes) and each scope is a rule that
// sets every field it needs, in precedence order, so that nothing is
// inherited.
func (c *converter) assemble() *policy.Config {
	scopes := slices.Clone(c.scopes)
	slices.SortStableFunc(scopes, func(a, b scope) int {
		ra, la := hostRank(&a)
		rb, lb := hostRank(&b)
		if ra != rb {
			return ra - rb
		}
		return la - lb
	})
	// A scope that selects everything ends the list: what follows it is
	// unreachable in the source too.
	for i := range scopes {
		if scopes[i].catchAll() {
			for _, s := range scopes[i+1:] {
				c.note("%s is unreachable behind %s, which matches every request: left out", s.from, scopes[i].from)
			}
			scopes = scopes[:i+1]
			break
		}
	}
	// Scopes without CORS at the end change nothing: the top level is
	// disabled already.
	for len(scopes) > 0 && scopes[len(scopes)-1].cors == nil {
		scopes = scopes[:len(scopes)-1]
	}
	disabled := false
	switch {
	case len(scopes) == 0:
		c.note("no CORS policy was found in the source: the configuration leaves every request alone (\"enabled\": false)")
		return &policy.Config{Enabled: &disabled}
	case len(scopes) == 1 && scopes[0].catchAll():
		return scopes[0].cors
	}
	top := &policy.Config{Enabled: &disabled}
	names := make(map[string]bool)
	for _, s := range scopes {
		r := policy.Rule{Name: uniqueName(ruleName(s.name), names), Match: &policy.Match{Hosts: s.hosts, PathPrefixes: s.prefixes}}
		if s.catchAll() {
			// A rule needs a match: every path starts with "/".
			r.Match.PathPrefixes = []string{"/"}
		}
		enabled := s.cors != nil
		if enabled {
			r.Config = *s.cors
		}
		r.Config.Enabled = &enabled
		top.Rules = append(top.Rules, r)
	}
	return top
}

// ruleName makes a name valid for a rule: letters, digits, "-" and "_",
// at most 64 of them.
func ruleName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-")
	if n == "" {
		n = "rule"
	}
	if len(n) > 60 {
		n = n[:60]
	}
	return n
}

// uniqueName returns name, or name-2, name-3… if taken, and takes it.
func uniqueName(name string, taken map[string]bool) string {
	n := name
	for i := 2; taken[n]; i++ {
		n = fmt.Sprintf("%s-%d", name, i)
	}
	taken[n] = true
	return n
}
