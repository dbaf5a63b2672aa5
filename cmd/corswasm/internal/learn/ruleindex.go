package learn

import (
	"slices"
	"strings"
)

// ruleIndex finds the first rule of a proposal that takes a service's
// requests in a few map look-ups, whatever the number of rules: a
// proposal for tens of thousands of path buckets is checked in linear
// time. It picks as matches does, rule by rule.
type ruleIndex struct {
	exact, prefix map[ServiceKey]int // host ("" for any) and path → first rule
	anyPath       map[string]int     // host ("" for any) → first rule for every path
	// others are the rules with a prefix not ending in "/" (proposals
	// have none), checked one by one.
	others []int
	rules  []proposedRule
}

func newRuleIndex(rules []proposedRule) *ruleIndex {
	x := &ruleIndex{exact: map[ServiceKey]int{}, prefix: map[ServiceKey]int{}, anyPath: map[string]int{}, rules: rules}
	for i := range rules {
		m := &rules[i].Match
		for _, p := range m.PathPrefixes {
			if !strings.HasSuffix(p, "/") && !slices.Contains(x.others, i) {
				x.others = append(x.others, i)
			}
		}
		hosts := m.Hosts
		if len(hosts) == 0 {
			hosts = []string{""}
		}
		for _, h := range hosts {
			if len(m.Paths) == 0 && len(m.PathPrefixes) == 0 {
				firstOf(x.anyPath, h, i)
			}
			for _, p := range m.Paths {
				firstOf(x.exact, ServiceKey{Host: h, Path: p}, i)
			}
			for _, p := range m.PathPrefixes {
				firstOf(x.prefix, ServiceKey{Host: h, Path: p}, i)
			}
		}
	}
	return x
}

func firstOf[K comparable](m map[K]int, k K, i int) {
	if _, ok := m[k]; !ok {
		m[k] = i
	}
}

// first is the index of the first rule taking the service's requests, -1
// for none.
func (x *ruleIndex) first(k ServiceKey) int {
	best := -1
	take := func(i int, ok bool) {
		if ok && (best < 0 || i < best) {
			best = i
		}
	}
	for _, h := range [2]string{k.Host, ""} {
		i, ok := x.anyPath[h]
		take(i, ok)
		i, ok = x.exact[ServiceKey{Host: h, Path: k.Path}]
		take(i, ok)
		// The indexed prefixes end in "/": the path itself, then the
		// path up to each "/" it holds, longest first.
		for end := len(k.Path); end > 0; end = strings.LastIndexByte(k.Path[:end-1], '/') + 1 {
			i, ok = x.prefix[ServiceKey{Host: h, Path: k.Path[:end]}]
			take(i, ok)
			if end == 1 {
				break
			}
		}
	}
	for _, i := range x.others {
		if matches(&x.rules[i].Match, k) {
			take(i, true)
			break
		}
	}
	return best
}
