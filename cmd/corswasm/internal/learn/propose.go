package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// ErrNoProposal is returned when no configuration that engine.Check
// accepts could be written.
var ErrNoProposal = errors.New("no configuration corswasm accepts could be proposed")

// propose builds the configuration: a top level that allows no origin, and
// one rule per group of services that behave alike. No behaviour observed
// goes to the top level: it would apply to every host and path never
// observed, and a host is whatever :authority a client sends, so that a
// client could make its own behaviour the most common one.
func propose(services []*service, v *validator, rootAll bool) (*proposedConfig, error) {
	cfg := &proposedConfig{}
	cfg.fields = fields{AllowOrigins: ptr([]string{})}
	forced := map[*service]bool{}
	for _, s := range services {
		if s.unusable == "" {
			if p := v.match(s.key.Host, s.key.Path, strings.HasSuffix(s.key.Path, "/")); p != "" {
				s.unusable = "no rule can match it: " + p
			}
		}
		// A service with a risk gets a rule of its own, which names it.
		forced[s] = len(s.risks) > 0
	}
	for attempt := 0; attempt < 5; attempt++ {
		cfg.Rules = buildRules(services, cfg.fields, rootAll, forced, attempt < 2)
		wrong := simulate(services, cfg)
		if len(wrong) == 0 {
			return cfg, validateProposal(cfg)
		}
		for _, s := range wrong {
			forced[s] = true
		}
	}
	return nil, fmt.Errorf("%w: the rules could not be ordered so that each service gets its own", ErrNoProposal)
}

// buildRules writes the rules: services that do not fit the top level (or
// are forced, to keep a shorter rule from taking them) grouped by
// behaviour; when merge, hosts with the same paths share one rule. Rules
// with longer paths come first, so that no prefix takes a longer path's
// requests.
func buildRules(services []*service, top fields, rootAll bool, forced map[*service]bool, merge bool) []proposedRule {
	type hostPaths struct {
		host  string
		paths []string
		svcs  []*service
	}
	byBehaviour := map[string]map[string]*hostPaths{}
	var order []string
	for _, s := range services {
		if s.unusable != "" || fits(&s.b, top) && !forced[s] {
			continue
		}
		k := s.b.key()
		if byBehaviour[k] == nil {
			byBehaviour[k] = map[string]*hostPaths{}
			order = append(order, k)
		}
		hp := byBehaviour[k][s.key.Host]
		if hp == nil {
			hp = &hostPaths{host: s.key.Host}
			byBehaviour[k][s.key.Host] = hp
		}
		hp.paths = append(hp.paths, s.key.Path)
		hp.svcs = append(hp.svcs, s)
	}
	var rules []proposedRule
	for _, k := range order {
		groups := map[string]*proposedRule{}
		var gorder []string
		add := func(gk, host string, paths []string, svcs []*service) {
			r := groups[gk]
			if r == nil {
				r = &proposedRule{fields: ruleFields(&svcs[0].b, top), behaviour: k, Match: matchPaths(paths, rootAll)}
				groups[gk] = r
				gorder = append(gorder, gk)
			}
			r.Match.Hosts = append(r.Match.Hosts, host)
			r.services = append(r.services, svcs...)
		}
		for _, hp := range sortedHostPaths(byBehaviour[k]) {
			if merge {
				add(strings.Join(hp.paths, "\n"), hp.host, hp.paths, hp.svcs)
				continue
			}
			for i, p := range hp.paths {
				add(hp.host+"\n"+p, hp.host, []string{p}, hp.svcs[i:i+1])
			}
		}
		for _, gk := range gorder {
			rules = append(rules, *groups[gk])
		}
	}
	// Longest path first, so that no prefix takes a longer path's
	// requests; then by name.
	names := map[string]bool{}
	for i := range rules {
		rules[i].Name = ruleName(&rules[i], names)
	}
	sort.SliceStable(rules, func(i, j int) bool {
		li, lj := longestPath(&rules[i]), longestPath(&rules[j])
		if li != lj {
			return li > lj
		}
		return rules[i].Name < rules[j].Name
	})
	return rules
}

// matchPaths is the match of path buckets: a bucket ending in "/" is a
// prefix, another an exact path; "/" when every bucket is "/" (recorded
// with no segment) is every path.
func matchPaths(paths []string, rootAll bool) engine.Match {
	var m engine.Match
	for _, p := range paths {
		switch {
		case rootAll && p == "/":
		case strings.HasSuffix(p, "/"):
			m.PathPrefixes = append(m.PathPrefixes, p)
		default:
			m.Paths = append(m.Paths, p)
		}
	}
	return m
}

func sortedHostPaths[T any](m map[string]*T) []*T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func longestPath(r *proposedRule) int {
	n := 0
	for _, p := range append(append([]string{}, r.Match.Paths...), r.Match.PathPrefixes...) {
		n = max(n, len(p))
	}
	return n
}

// simulate finds the services the proposal would not give their own
// behaviour: the first rule matching its host and path bucket must be its
// own, or none when it fits the top level.
func simulate(services []*service, cfg *proposedConfig) []*service {
	var wrong []*service
	index := newRuleIndex(cfg.Rules)
	for _, s := range services {
		if s.unusable != "" {
			continue
		}
		var got *proposedRule
		if i := index.first(s.key); i >= 0 {
			got = &cfg.Rules[i]
		}
		switch {
		case got == nil && !fits(&s.b, cfg.fields):
			wrong = append(wrong, s)
		case got != nil && got.behaviour != s.b.key():
			wrong = append(wrong, s)
		}
	}
	return wrong
}

// matches reports whether a rule's match takes a service's requests.
func matches(m *engine.Match, k ServiceKey) bool {
	if len(m.Hosts) > 0 && !contains(m.Hosts, k.Host) {
		return false
	}
	if len(m.Paths) == 0 && len(m.PathPrefixes) == 0 {
		return true
	}
	if contains(m.Paths, k.Path) {
		return true
	}
	for _, p := range m.PathPrefixes {
		if strings.HasPrefix(k.Path, p) {
			return true
		}
	}
	return false
}

// ruleName derives a unique rule name from the rule's first host and path:
// letters, digits and "-", at most 64 characters.
func ruleName(r *proposedRule, taken map[string]bool) string {
	src := r.Match.Hosts[0]
	if p := append(append([]string{}, r.Match.Paths...), r.Match.PathPrefixes...); len(p) > 0 {
		src += "-" + p[0]
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(src) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if ok {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimRight(b.String(), "-")
	if len(base) > 56 {
		base = strings.TrimRight(base[:56], "-")
	}
	if base == "" {
		base = "rule"
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	taken[name] = true
	return name
}

// validateProposal checks the proposal as the filter would.
func validateProposal(cfg *proposedConfig) error {
	js, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoProposal, err)
	}
	if errs, _ := engine.Check(js); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("%w: %s", ErrNoProposal, strings.Join(msgs, "; "))
	}
	return nil
}
