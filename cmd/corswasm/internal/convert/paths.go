package convert

import "strings"

// pathKind is how a path condition compares the request's path (its
// :path up to "?").
type pathKind uint8

const (
	// pathPrefix: the path starts with the value, byte for byte (Envoy's
	// prefix, Istio's uri.prefix).
	pathPrefix pathKind = iota
	// pathExact: the path is the value (Envoy's path, Istio's uri.exact,
	// the Gateway API's Exact).
	pathExact
	// pathSegments: the path is the value or starts with the value and
	// "/" (Envoy's path_separated_prefix, the Gateway API's PathPrefix).
	pathSegments
)

// pathMatch is one path condition of a source.
type pathMatch struct {
	kind  pathKind
	value string
}

// matches reports whether the path p (before "?") satisfies m.
func (m pathMatch) matches(p string) bool {
	switch m.kind {
	case pathExact:
		return p == m.value
	case pathSegments:
		return p == m.value || strings.HasPrefix(p, m.value+"/")
	}
	return strings.HasPrefix(p, m.value)
}

// covers reports whether every path n matches m matches too.
func (m pathMatch) covers(n pathMatch) bool {
	switch m.kind {
	case pathExact:
		return n.kind == pathExact && n.value == m.value
	case pathSegments:
		// A prefix n stays inside m's subtree only when it starts below
		// it: "/v1" as a byte prefix also matches "/v1x".
		if n.kind == pathPrefix {
			return strings.HasPrefix(n.value, m.value+"/")
		}
		return m.matches(n.value)
	}
	// Every path n matches starts with n's value.
	return strings.HasPrefix(n.value, m.value)
}

// overlaps reports whether some path matches both m and n.
func (m pathMatch) overlaps(n pathMatch) bool {
	switch {
	case n.kind == pathExact:
		return m.matches(n.value)
	case m.kind == pathExact:
		return n.matches(m.value)
	case m.kind == pathSegments && n.kind == pathPrefix:
		m, n = n, m
	}
	switch {
	case m.kind == pathPrefix && n.kind == pathPrefix:
		return strings.HasPrefix(m.value, n.value) || strings.HasPrefix(n.value, m.value)
	case m.kind == pathPrefix: // n is segment-wise
		return strings.HasPrefix(n.value, m.value) || strings.HasPrefix(m.value, n.value+"/")
	}
	// Both segment-wise.
	return n.matches(m.value) || m.matches(n.value)
}

// pathSet is a scope's path conditions, any of which selects a request;
// nil selects every path.
type pathSet []pathMatch

// covers reports whether every path b selects, a selects too.
func (a pathSet) covers(b pathSet) bool {
	if a == nil {
		return true
	}
	if b == nil {
		return false
	}
	for _, n := range b {
		covered := false
		for _, m := range a {
			if m.covers(n) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// overlaps reports whether some path is selected by both a and b.
func (a pathSet) overlaps(b pathSet) bool {
	if a == nil || b == nil {
		return true
	}
	for _, m := range a {
		for _, n := range b {
			if m.overlaps(n) {
				return true
			}
		}
	}
	return false
}

// hasLetters reports whether s has an ASCII letter, the only bytes a
// case-insensitive comparison treats differently.
func hasLetters(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
}
