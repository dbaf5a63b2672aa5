package origin

import "testing"

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
