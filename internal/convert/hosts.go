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
