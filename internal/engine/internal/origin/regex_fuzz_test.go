package origin

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/psl"
)

// checkProof fails the test if a valid origin that an accepted pattern
// matches breaks what the analysis proved: (a) its scheme is one of
// r.Schemes, (b) its host lies at or under one of r.Sites[scheme], none a
// public suffix, at most maxSites in all, (c) with credentials it is
// neither "null" nor plain http off loopback.
func checkProof(t *testing.T, pattern string, r *Regex, credentials bool, origin string) {
	t.Helper()
	if !goRegexp(r).MatchString(origin) {
		return
	}
	if origin == "null" {
		if !r.Null || credentials {
			t.Fatalf("%q (credentials %v) matches null; proof says null=%v", pattern, credentials, r.Null)
		}
		return
	}
	o, ok := Parse(origin)
	if !ok {
		return // not an origin a browser sends
	}
	if !slices.Contains(r.Schemes, o.Scheme) {
		t.Fatalf("%q matches %q, whose scheme is not among %q", pattern, origin, r.Schemes)
	}
	distinct := map[string]bool{}
	for _, sites := range r.Sites {
		for _, s := range sites {
			distinct[s] = true
		}
	}
	if len(distinct) > maxSites {
		t.Fatalf("%q: %d sites proved; at most %d allowed", pattern, len(distinct), maxSites)
	}
	under := ""
	for _, site := range r.Sites[o.Scheme] {
		if hostMode(site) == modeDomain && psl.IsPublicSuffix(site) {
			t.Fatalf("%q: site %q is a public suffix", pattern, site)
		}
		if o.Host == site || strings.HasSuffix(o.Host, "."+site) {
			under = site
		}
	}
	if under == "" {
		t.Fatalf("%q matches %q, whose host is under none of %q", pattern, origin, r.Sites[o.Scheme])
	}
	// The site is where the host's registrable part begins: no longer
	// suffix of the host is a public suffix. (IP addresses are sites of
	// their own.)
	for rest := o.Host; hostMode(o.Host) == modeDomain && len(rest) > len(under); {
		if psl.IsPublicSuffix(rest) {
			t.Fatalf("%q matches %q: %q is a public suffix above the site %q", pattern, origin, rest, under)
		}
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	if hostMode(o.Host) == modeDomain && psl.IsPublicSuffix(o.Host) {
		t.Fatalf("%q matches %q, a public suffix", pattern, origin)
	}
	if credentials && o.Scheme == "http" && !IsLoopbackHost(under) {
		t.Fatalf("%q with credentials matches plain-http %q", pattern, origin)
	}
}

// FuzzCompileRegex checks the analysis itself: for a pattern it accepts,
// every valid origin the pattern matches satisfies what it proved.
func FuzzCompileRegex(f *testing.F) {
	for _, tc := range acceptedPatterns {
		f.Add(tc.pattern, "https://a.example.com", tc.credentials)
	}
	for _, tc := range refusedPatterns {
		f.Add(tc.pattern, "https://evilexample.com", tc.credentials)
	}
	f.Add(`https://([a-z]+\.)?example\.(com|org)`, "https://x.example.org", true)
	f.Add(`null|https://.{12,}|https://a:443`, "https://evil-attacker.com", false)
	f.Add(`https://(s3|x)\.amazonaws\.com`, "https://s3.amazonaws.com", false)
	f.Add(`nu$ll|(?i)NULL`, "null", false)
	f.Fuzz(func(t *testing.T, pattern, origin string, credentials bool) {
		if len(pattern) > 200 {
			return
		}
		r, err, _ := CompileRegex(pattern, credentials, false)
		if err != nil {
			if err.Reason == "" {
				t.Fatalf("%q refused without a reason", pattern)
			}
			return
		}
		checkProof(t, pattern, r, credentials, origin)
		for _, o := range sampleOrigins(r, 20, uint64(len(origin))) {
			checkProof(t, pattern, r, credentials, o)
		}
	})
}

// FuzzAutomaton checks that the automaton is exactly the pattern over
// valid origins: the analysis stands on it.
func FuzzAutomaton(f *testing.F) {
	for _, tc := range acceptedPatterns {
		f.Add(tc.pattern, "https://a.example.com")
	}
	for _, tc := range refusedPatterns {
		f.Add(tc.pattern, "https://app.example.com.evil.net")
	}
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		if len(pattern) > 200 {
			return
		}
		a, err := newAutomaton(pattern, &budget{left: maxWork})
		if err != nil {
			return
		}
		re := anchoredRegexp(pattern)
		if _, ok := Parse(origin); ok && a.accepts(origin) != re.MatchString(origin) {
			t.Fatalf("%q on %q: automaton %v, regexp %v", pattern, origin, a.accepts(origin), re.MatchString(origin))
		}
		if a.null != re.MatchString("null") {
			t.Fatalf("%q on \"null\": automaton %v, regexp %v", pattern, a.null, re.MatchString("null"))
		}
	})
}

// The opaque origin "null" lies outside the grammar: the automaton's
// program decides it on its own, as Go's regexp does, assertions and case
// folding included.
func TestNullIsRegexp(t *testing.T) {
	t.Parallel()
	for _, pattern := range []string{
		`null`, `NULL`, `(?i)NULL`, `nul+`, `nul`, `nulll`, `null|https://a\.example`, `(?:null)?`, `n(?:u|x)ll`,
		`^null$`, `\Anull\z`, `null$`, `nu$ll`, `nu^ll`, `(?m)null$`, `null(?:$|x)`, `(?:$|null)`, `null.*`,
		`[a-z]{4}`, `[^.]+`, `.*`, `(?s).{4}`, `null()`, `(null)`, `https://null`, `x|null|y`, `nu[l]{2}\z`,
	} {
		a, err := newAutomaton(pattern, &budget{left: maxWork})
		if err != nil {
			t.Fatalf("%q: %v", pattern, err)
		}
		if want := regexp.MustCompile("^(?:" + pattern + ")$").MatchString("null"); a.null != want {
			t.Errorf("%q on \"null\": automaton %v, regexp %v", pattern, a.null, want)
		}
	}
}

// sampleOrigins returns origins near those the pattern matches: random
// walks through its automaton, and single-character edits of them.
func sampleOrigins(r *Regex, n int, seed uint64) []string {
	a, err := newAutomaton(r.pattern, &budget{left: maxWork})
	if err != nil || a.start < 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []string
	for range n {
		var b []byte
		s := a.start
		for len(b) < 80 {
			if a.states[s].accept && rng.IntN(4) == 0 {
				break
			}
			var next []int
			for sym := range len(alphabet) {
				if a.step(s, alphabet[sym]) >= 0 {
					next = append(next, sym)
				}
			}
			if len(next) == 0 {
				break
			}
			sym := next[rng.IntN(len(next))]
			b = append(b, alphabet[sym])
			s = a.step(s, alphabet[sym])
		}
		out = append(out, string(b))
		if len(b) > 0 {
			edit := slices.Clone(b)
			edit[rng.IntN(len(edit))] = alphabet[rng.IntN(len(alphabet))]
			out = append(out, string(edit), string(b)+".evil.example", "corscanary"+string(b))
		}
	}
	return out
}

// Every accepted pattern keeps its proof over many origins near its own,
// and the automaton agrees with regexp on all of them.
func TestProofHoldsNearMatches(t *testing.T) {
	t.Parallel()
	for i, tc := range acceptedPatterns {
		r, err, _ := CompileRegex(tc.pattern, tc.credentials, false)
		if err != nil {
			t.Fatalf("CompileRegex(%q): %v", tc.pattern, err)
		}
		a, _ := newAutomaton(tc.pattern, &budget{left: maxWork})
		for _, o := range sampleOrigins(r, 300, uint64(i)) {
			checkProof(t, tc.pattern, r, tc.credentials, o)
			if _, ok := Parse(o); ok && a.accepts(o) != goRegexp(r).MatchString(o) {
				t.Fatalf("%q on %q: automaton %v, regexp %v", tc.pattern, o, a.accepts(o), goRegexp(r).MatchString(o))
			}
		}
	}
}
