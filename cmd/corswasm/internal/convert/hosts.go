package convert

import (
	"slices"
	"strings"
)

// domainRank orders domains as Envoy chooses virtual hosts (the
// VirtualHost.domains documentation: exact names, then suffix wildcards,
// then prefix wildcards, the longest wildcard first, then "*"), which is
// also the Gateway API's hostname precedence (HTTPRouteSpec.Hostnames:
// the most characters in a matching non-wildcard hostname, then in a
// matching hostname). Domains of equal rank never match the same host:
// exact names differ, and two suffixes of one length that a host ends with
// are the same.
func domainRank(d string) (rank, length int) {
	switch {
	case d == "*":
		return 3, 0
	case strings.HasPrefix(d, "*"):
		return 1, -len(d)
	case strings.HasSuffix(d, "*"):
		return 2, -len(d)
	}
	return 0, 0
}

// covers reports whether domain d chooses the exact host h.
func covers(d, h string) bool {
	switch {
	case d == "*":
		return true
	case strings.HasPrefix(d, "*"):
		return len(h) > len(d)-1 && strings.HasSuffix(h, d[1:])
	}
	return d == h
}

// within reports whether host x is within host y (y covers x), as
// Istio's host.Name.SubsetOf (x.SubsetOf(y)) and the Gateway API's
// hostname intersection see it (covers takes a wildcard x too: a
// narrower wildcard is within a wider one). It differs from Istio's for
// a host that starts with a dot alone, which Istio's validation refuses.
func within(x, y string) bool {
	return covers(y, x)
}

// narrowerOfPairs returns the hosts two lists have in common: for each
// pair, one of a and one of b, of which one is within the other
// (within(x, y): x is within y), the narrower, once, in the order of a.
func narrowerOfPairs(a, b []string, within func(x, y string) bool) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			h := ""
			switch {
			case within(x, y):
				h = x
			case within(y, x):
				h = y
			}
			if h != "" && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// overlap reports whether two rules' hosts (nil: every host) can match
// the same request's host.
func overlap(a, b []string) bool {
	if a == nil || b == nil {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if hostsOverlap(x, y) {
				return true
			}
		}
	}
	return false
}

func hostsOverlap(x, y string) bool {
	xw, yw := strings.HasPrefix(x, "*."), strings.HasPrefix(y, "*.")
	switch {
	case xw && yw:
		return strings.HasSuffix(x[1:], y[1:]) || strings.HasSuffix(y[1:], x[1:])
	case xw:
		return covers(x, y)
	case yw:
		return covers(y, x)
	}
	return x == y
}

// coversHosts reports whether hosts a (nil: every host) take every host b
// takes.
func coversHosts(a, b []string) bool {
	if a == nil {
		return true
	}
	if b == nil {
		return false
	}
	for _, h := range b {
		if !slices.ContainsFunc(a, func(d string) bool { return covers(d, h) }) {
			return false
		}
	}
	return true
}

// hostIndex holds the hosts of rules (nil: every host; "*" never is a
// rule's host) so that whether a list of hosts overlaps any of them is
// answered in time proportional to the list's labels, as overlap answers
// it for one rule.
type hostIndex struct {
	every bool
	// exact are the exact hosts, and exactSuffixes each of their
	// suffixes that starts with a dot; wild the ".suffix" of each
	// wildcard, and wildSuffixes each suffix of those that starts with a
	// dot.
	exact, exactSuffixes, wild, wildSuffixes map[string]bool
}

func newHostIndex() *hostIndex {
	return &hostIndex{exact: make(map[string]bool), exactSuffixes: make(map[string]bool), wild: make(map[string]bool), wildSuffixes: make(map[string]bool)}
}

// dotSuffixes calls f with each suffix of h that starts with a dot and
// leaves a label before it.
func dotSuffixes(h string, f func(string)) {
	for i := 1; i < len(h); i++ {
		if h[i] == '.' {
			f(h[i:])
		}
	}
}

// add adds a rule's hosts.
func (x *hostIndex) add(hosts []string) {
	if hosts == nil {
		x.every = true
	}
	for _, h := range hosts {
		switch {
		case strings.HasPrefix(h, "*."):
			x.wild[h[1:]] = true
			x.wildSuffixes[h[1:]] = true
			dotSuffixes(h[1:], func(s string) { x.wildSuffixes[s] = true })
		default:
			x.exact[h] = true
			dotSuffixes(h, func(s string) { x.exactSuffixes[s] = true })
		}
	}
}

// overlaps reports whether hosts (nil: every host) overlap those of some
// rule added, as overlap does.
func (x *hostIndex) overlaps(hosts []string) bool {
	empty := len(x.exact) == 0 && len(x.wild) == 0
	if x.every || hosts == nil && !empty {
		return true
	}
	for _, h := range hosts {
		switch {
		case strings.HasPrefix(h, "*."):
			// An exact host under it, a wildcard under it, or one above.
			s := h[1:]
			found := x.exactSuffixes[s] || x.wildSuffixes[s] || x.wild[s]
			dotSuffixes(s, func(t string) { found = found || x.wild[t] })
			if found {
				return true
			}
		default:
			found := x.exact[h]
			dotSuffixes(h, func(t string) { found = found || x.wild[t] })
			if found {
				return true
			}
		}
	}
	return false
}
