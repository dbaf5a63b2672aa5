package origin

import (
	"slices"
	"testing"
)

// Under finds the domains a host lies strictly under, nearest the
// top-level domain first; AtOrUnder the host itself too, last.
func TestSuffixScan(t *testing.T) {
	t.Parallel()
	var x Suffixes[string]
	for _, d := range []string{"com", "example.com", "a.example.com", "b.a.example.com", "example.net", "127.0.0.1"} {
		x.Set(d, d)
	}
	collect := func(s SuffixScan[string, string]) []string {
		var out []string
		for v, ok := s.Next(); ok; v, ok = s.Next() {
			out = append(out, v)
		}
		return out
	}
	for _, tc := range []struct {
		host           string
		under, atUnder []string
	}{
		{"b.a.example.com", []string{"com", "example.com", "a.example.com"}, []string{"com", "example.com", "a.example.com", "b.a.example.com"}},
		{"x.example.com", []string{"com", "example.com"}, []string{"com", "example.com"}},
		{"example.com", []string{"com"}, []string{"com", "example.com"}},
		{"example.org", nil, nil},
		{"127.0.0.1", nil, []string{"127.0.0.1"}},
		{"[::1]", nil, nil},
		{"com", nil, []string{"com"}},
	} {
		if got := collect(Under(&x, tc.host)); !slices.Equal(got, tc.under) {
			t.Errorf("Under(%q) = %q; want %q", tc.host, got, tc.under)
		}
		if got := collect(AtOrUnder(&x, tc.host)); !slices.Equal(got, tc.atUnder) {
			t.Errorf("AtOrUnder(%q) = %q; want %q", tc.host, got, tc.atUnder)
		}
		s := AtOrUnder(&x, []byte(tc.host))
		var got []string
		for v, ok := s.Next(); ok; v, ok = s.Next() {
			got = append(got, v)
		}
		if !slices.Equal(got, tc.atUnder) {
			t.Errorf("AtOrUnder([]byte(%q)) = %q; want %q", tc.host, got, tc.atUnder)
		}
	}
}
