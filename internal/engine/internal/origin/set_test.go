package origin

import (
	"fmt"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
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

// maxRegexLookups bounds the table lookups matching one request's Origin
// against allow_origin_regexes costs: a pattern is tried at most once (its
// anchors for one scheme are distinct sites, so at most one lies on a
// host's path), only the entries of the policy deciding the request are
// tried, at most MaxConfigRegexes, and each reads at most the host and
// port.
const maxRegexLookups = MaxConfigRegexes * maxRestLength

// What a request costs in allow_origin_regexes is at most maxRestLength
// table lookups for each pattern indexed under a domain its host lies at
// or under, whatever the patterns and the origin, and so at most
// maxRegexLookups: for the largest configurations the analysis budget
// accepts, each given the origin that makes it read the most, that is
// none or one pattern's; or, for patterns all indexed under one domain
// and reading a whole host under it, all of them (SharedRegexes).
func TestRegexMatchBounded(t *testing.T) {
	t.Parallel()
	ordinary := testconfig.OrdinaryRegexes{N: testconfig.MaxOrdinaryRegexes}
	costly := testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes}
	shared := testconfig.SharedRegexes{N: testconfig.MaxSharedRegexes}
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
		reads    int // bytes each of them reads at least, when known
	}{
		{"a pattern per tenant, a host of their site under none", patterns(ordinary.N, ordinary.Pattern), testconfig.HostileOrigin("example.com"), 0, 0},
		{"a pattern per tenant, a host under the last", patterns(ordinary.N, ordinary.Pattern), ordinary.HostileOrigin(ordinary.N - 1), 1, 0},
		{"costly patterns, a host under the last", patterns(costly.N, costly.Pattern), costly.HostileOrigin(costly.N - 1), 1, 0},
		{"costly patterns, a host of their site under none", patterns(costly.N, costly.Pattern), testconfig.HostileOrigin("example"), 0, 0},
		{"costly shapes of one site", shapes, testconfig.HostileOrigin("example.com"), len(shapes), 0},
		{"costly shapes of one site, another site", shapes, testconfig.HostileOrigin("example.org"), 0, 0},
		{"patterns sharing a domain, a host under it", patterns(shared.N, shared.Pattern), shared.HostileOrigin(), shared.N, maxHostLength},
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
		if lookups < tc.tried*tc.reads {
			t.Errorf("%s: %d lookups; want each of %d patterns to read at least %d bytes", tc.desc, lookups, tc.tried, tc.reads)
		}
		if lookups > maxRegexLookups {
			t.Errorf("%s: %d lookups; want at most %d", tc.desc, lookups, maxRegexLookups)
		}
		t.Logf("%s: %d patterns tried, %d lookups", tc.desc, tc.tried, lookups)
		if len(rest) > maxRestLength {
			t.Errorf("%s: %d bytes after the scheme; an origin has at most %d", tc.desc, len(rest), maxRestLength)
		}
	}
}

// Exact origins match alike whether the set compares them one by one (at
// most maxScannedExact) or hashes them, a duplicate counting once.
func TestExactScannedOrHashed(t *testing.T) {
	for _, n := range []int{1, maxScannedExact, maxScannedExact + 1, 30} {
		s := NewSet()
		var origins []string
		for i := range n {
			o := fmt.Sprintf("https://app%d.example.com", i)
			p, err := ParsePattern(o)
			if err != nil {
				t.Fatal(err)
			}
			s.Add(p)
			s.Add(p)
			origins = append(origins, o)
		}
		if scanned := s.exactList != nil; scanned != (n <= maxScannedExact) || scanned && len(s.exactList) != n {
			t.Errorf("%d origins: scanned list %v", n, s.exactList)
		}
		for _, o := range origins {
			if allowed, ok := s.Match(o); !allowed || !ok {
				t.Errorf("%d origins: Match(%q) = %v, %v", n, o, allowed, ok)
			}
		}
		for _, o := range []string{fmt.Sprintf("https://app%d.example.com", n), "https://app0.example.co", "http://app0.example.com", "https://APP0.example.com"} {
			if allowed, _ := s.Match(o); allowed {
				t.Errorf("%d origins: Match(%q) allowed", n, o)
			}
		}
	}
}
