package convert

import "testing"

// covers and overlaps agree with matches on every path of up to six
// bytes over an alphabet of "/", "a", "b", for every pair of path
// conditions of every kind over the same values: the definitions (Envoy's
// prefix, path and path_separated_prefix) are the oracle.
func TestPathRelationsExhaustive(t *testing.T) {
	alphabet := []string{"/", "a", "b"}
	paths := []string{""}
	for n, frontier := 0, []string{""}; n < 6; n++ {
		var next []string
		for _, p := range frontier {
			for _, c := range alphabet {
				next = append(next, p+c)
			}
		}
		paths, frontier = append(paths, next...), next
	}
	var matches []pathMatch
	for _, v := range []string{"/", "/a", "/a/", "/ab", "/a/b", "/b"} {
		for _, k := range []pathKind{pathPrefix, pathExact, pathSegments} {
			if k == pathSegments && v[len(v)-1] == '/' {
				continue // Envoy refuses a path_separated_prefix ending in "/"
			}
			matches = append(matches, pathMatch{k, v})
		}
	}
	for _, m := range matches {
		for _, n := range matches {
			covers, overlaps := true, false
			for _, p := range paths {
				covers = covers && (!n.matches(p) || m.matches(p))
				overlaps = overlaps || n.matches(p) && m.matches(p)
			}
			// Longer paths change nothing for values of at most four
			// bytes: two more bytes tell each kind apart.
			if got := m.covers(n); got != covers {
				t.Errorf("%+v covers %+v = %v; want %v", m, n, got, covers)
			}
			if got := m.overlaps(n); got != overlaps {
				t.Errorf("%+v overlaps %+v = %v; want %v", m, n, got, overlaps)
			}
		}
	}
}
