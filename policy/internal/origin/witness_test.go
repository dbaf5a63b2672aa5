package origin

import (
	"regexp"
	"slices"
	"testing"
)

func TestWitnesses(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		`https://(www\.)?example\.com`: {"https://example.com"},
		// Single-character alternatives become a class: one shape.
		`https://(a|b)\.example\.com(:[0-9]+)?`:                   {"https://a.example.com"},
		`https://(api|www)\.example\.com|http://localhost:[0-9]+`: {"https://api.example.com", "https://www.example.com", "http://localhost:0"},
		`https://[a-z]+\.example\.com`:                            {"https://a.example.com"},
		`https://pr-[0-9]{2,3}\.preview\.example\.com`:            {"https://pr-00.preview.example.com"},
		`null|https://x\.test`:                                    {"null", "https://x.test"},
		`^https://x\.test$`:                                       {"https://x.test"},
		`[^\x00-\x{10FFFF}]`:                                      nil,
	}
	for pattern, want := range cases {
		got := witnesses(pattern)
		if !slices.Equal(got, want) {
			t.Errorf("witnesses(%q) = %q; want %q", pattern, got, want)
		}
		re := regexp.MustCompile("^(?:" + pattern + ")$")
		for _, w := range got {
			if !re.MatchString(w) {
				t.Errorf("witness %q does not match %q", w, pattern)
			}
		}
	}
	// The number of witnesses is bounded however many alternatives combine.
	if n := len(witnesses(`(ab|cd|ef|gh)(ij|kl|mn|op)(qr|st|uv|wx)(yz|za|zb|zc)`)); n != maxWitnesses {
		t.Errorf("%d witnesses; want the bound, %d", n, maxWitnesses)
	}
}
