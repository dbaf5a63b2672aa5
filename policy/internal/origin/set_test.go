package origin

import (
	"testing"

	"github.com/corswasm/corswasm/internal/testconfig"
)

// Set.Match looks a request's value up among the exact entries before
// parsing it. That gives the answers of parsing first (a value Parse
// refuses is malformed, never allowed) only because Add keeps no key that
// Parse refuses. This compares Match with parsing first, for a set of one
// exact entry, on the entry's canonical form and on the raw input; and a
// set of one entry is never Empty (which the no_origin warning reads).
func FuzzExactMatchIsParseFirst(f *testing.F) {
	for _, s := range []string{
		"https://example.com", "HTTPS://EXAMPLE.com:443", "http://example.com:0080",
		"http://[0:0:0:0:0:0:0:1]:443", "http://127.0.0.1:8080", "capacitor://localhost",
		"chrome-extension://abcdefghijklmnop", "https://xn--bcher-kva.example",
		"https://example.com:65535", "moz-extension://Some-UUID", "https://a-b.c-d.example",
		"A000://0", "capacitor://1", // exact entries Parse refuses: no value matches them
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil || p.Kind != Exact {
			return
		}
		key := p.String()
		set := NewSet()
		set.Add(p)
		if set.Empty() {
			t.Fatalf("a set of %q (key %q) is Empty; an entry is never lost", s, key)
		}
		for _, v := range []string{key, s} {
			_, parsed := Parse(v)
			want := parsed && v == key
			if allowed, wellFormed := set.Match(v); allowed != want || wellFormed != parsed {
				t.Fatalf("a set of %q (key %q): Match(%q) = %v, %v; parsing first gives %v, %v",
					s, key, v, allowed, wellFormed, want, parsed)
			}
		}
	})
}

// maxRestLength is the longest host and port of an origin Parse accepts:
// what matching a request against one pattern may read.
const maxRestLength = maxHostLength + len(":65535")

// compileSet compiles patterns into one Set against one configuration's
// budget, as policy does.
func compileSet(t *testing.T, patterns []string) *Set {
	t.Helper()
	b, set := NewBudget(), NewSet()
	for _, p := range patterns {
		r, err, _ := b.CompileRegex(p, false, false)
		if err != nil {
			t.Fatalf("CompileRegex(%q): %v", p, err)
		}
		set.AddRegex(r)
	}
	return set
}

// What a request costs in allow_origin_regexes is at most maxRestLength
// table lookups for each pattern indexed under a domain its host lies at
// or under, whatever the patterns and the origin: for the largest
// configurations the analysis budget accepts, each given the origin that
// makes it read the most, that is none or one pattern's.
func TestRegexMatchBounded(t *testing.T) {
	t.Parallel()
	ordinary := testconfig.OrdinaryRegexes{N: testconfig.MaxOrdinaryRegexes}
	costly := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes}
	patterns := func(n int, pattern func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = pattern(i)
		}
		return out
	}
	shapes := []string{`https://.*\.example\.com`, `https://(?:[a-z]{0,60}\.){0,8}example\.com`, `https://(?:[a-z.]*a[a-z]{8}\.)*example\.com`}
	cases := []struct {
		desc     string
		patterns []string
		origin   string
		tried    int // patterns the origin's host is indexed under
	}{
		{"a pattern per tenant, a host of their site under none", patterns(ordinary.N, ordinary.Pattern), testconfig.HostileOrigin("example.com"), 0},
		{"a pattern per tenant, a host under the last", patterns(ordinary.N, ordinary.Pattern), ordinary.HostileOrigin(ordinary.N - 1), 1},
		{"costly patterns, a host under the last", patterns(costly.N, costly.Pattern), costly.HostileOrigin(costly.N - 1), 1},
		{"costly patterns, a host of their site under none", patterns(costly.N, costly.Pattern), testconfig.HostileOrigin("example"), 0},
		{"costly shapes of one site", shapes, testconfig.HostileOrigin("example.com"), len(shapes)},
		{"costly shapes of one site, another site", shapes, testconfig.HostileOrigin("example.org"), 0},
	}
	for _, tc := range cases {
		set := compileSet(t, tc.patterns)
		o, ok := Parse(tc.origin)
		if !ok {
			t.Fatalf("%s: Parse(%q) refuses it", tc.desc, tc.origin)
		}
		rest := tc.origin[len(o.Scheme)+len("://"):]
		matched, lookups := set.matchRegex(o, tc.origin)
		if matched || lookups > tc.tried*len(rest) || (lookups > 0) != (tc.tried > 0) {
			t.Errorf("%s: matched %v in %d lookups; want no match in at most %d (%d patterns of %d bytes), and none only when no pattern is tried",
				tc.desc, matched, lookups, tc.tried*len(rest), tc.tried, len(rest))
		}
		if len(rest) > maxRestLength {
			t.Errorf("%s: %d bytes after the scheme; an origin has at most %d", tc.desc, len(rest), maxRestLength)
		}
	}
}
