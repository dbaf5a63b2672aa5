package origin

import (
	"strings"
	"testing"
)

// grammarAccepts runs the origin grammar alone over s.
func grammarAccepts(s string) bool {
	p := partStart
	for i := 0; i < len(s); i++ {
		if symbol[s[i]] < 0 {
			return false
		}
		if p = p.next(s[i]); p == partDead {
			return false
		}
	}
	return p.accepting()
}

// The regex analysis is sound only if the grammar accepts every origin
// Parse accepts: a byte Parse allows in a host but the grammar does not
// would let "https://.*example\.com" be proved to stay under example.com
// while it matches "https://evil~example.com" at run time. First every
// byte of a host, scheme or port is a symbol; then every string of the
// corpus Parse accepts, in special and other schemes, the grammar accepts.
func TestGrammarIncludesParse(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		inOrigin := hostChars[c] || validScheme("a"+string(rune(c))) || strings.IndexByte(".:/[]0123456789abcdef", byte(c)) >= 0
		if inOrigin && symbol[c] < 0 {
			t.Errorf("byte %q can be in an origin but is not in the alphabet", rune(c))
		}
	}
	accepted := 0
	for _, o := range originCorpus() {
		for _, scheme := range []string{"", "capacitor", "chrome-extension"} {
			s := o
			if i := strings.Index(o, "://"); scheme != "" && i >= 0 {
				s = scheme + o[i:]
			}
			if _, ok := Parse(s); ok {
				accepted++
				if !grammarAccepts(s) {
					t.Errorf("Parse accepts %q; the grammar does not", s)
				}
			}
		}
	}
	if accepted < 1000 {
		t.Errorf("only %d strings of the corpus are origins", accepted)
	}
}
