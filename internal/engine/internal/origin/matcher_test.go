package origin

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// widestPattern has the widest table found: labels of literal runs of
// every host character, each a column of its own.
const widestPattern = `https://(?:abcdefghijklmnopqrstuvwxyz0123456789_~!\$&'\(\)\*\+,;=` + "`" + `\{\}-\.){4}example\.com`

// matchPatterns are the accepted patterns the matcher is checked on:
// acceptedPatterns, the accepted worst shapes of the analysis, and the
// costliest shapes for Go's regexp to match.
func matchPatterns(t testing.TB) []string {
	var out []string
	for _, tc := range acceptedPatterns {
		out = append(out, tc.pattern)
	}
	for _, tc := range worstShapes {
		if tc.fault == 0 {
			out = append(out, tc.pattern)
		}
	}
	out = append(out,
		`https://(?:[a-z.]*a[a-z]{8}\.)*example\.com`,
		widestPattern,
		testconfig.CostlyRegexes{}.Pattern(0),
		testconfig.OrdinaryRegexes{}.Pattern(0),
		`https://(a|b)\.x\.y\.tenant1\.example\.com`,
		`https://(?:nant1|tenant1)\.example\.com`,
		`https://x(?:ab\.)*example\.com`,
		`https://(?:ab\.)+example\.com:(?:8080|8443)`,
		`(?:https|wss)://[a-z]+\.(?:x|y)\.example\.com|http://(?:127\.0\.0\.1|\[::1\]):[0-9]{2,5}`,
	)
	return out
}

// checkMatch fails the test if the Set of the accepted pattern r (alone
// or among others: want is then whether any of them matches) answers
// otherwise than Go's regexp on the value v: for a value Parse accepts, or
// "null", exactly regexp's answer; any other value is malformed and never
// allowed.
func checkMatch(t *testing.T, set *Set, v string, want bool) {
	t.Helper()
	_, valid := Parse(v)
	valid = valid || v == "null"
	allowed, wellFormed := set.Match(v)
	if wellFormed != valid {
		t.Fatalf("Match(%q): well-formed %v; Parse says %v", v, wellFormed, valid)
	}
	if !valid {
		want = false
	}
	if allowed != want {
		t.Fatalf("Match(%q) = %v; Go's regexp says %v", v, allowed, want)
	}
}

func compileAccepted(t testing.TB, pattern string) *Regex {
	t.Helper()
	r, err, _ := CompileRegex(pattern, false, true)
	if err != nil {
		t.Fatalf("CompileRegex(%q): %v", pattern, err)
	}
	return r
}

func setOf(rs ...*Regex) *Set {
	s := NewSet()
	for _, r := range rs {
		s.AddRegex(r)
	}
	return s
}

// FuzzRegexMatch checks that a Set matches an origin against an accepted
// pattern exactly as Go's regexp does on the anchored pattern, on the
// fuzzed origin and on origins near those the pattern matches.
func FuzzRegexMatch(f *testing.F) {
	for _, p := range matchPatterns(f) {
		f.Add(p, "https://a.example.com")
	}
	for _, tc := range refusedPatterns {
		f.Add(tc.pattern, "https://app.example.com.evil.net")
	}
	f.Add(testconfig.OrdinaryRegexes{}.Pattern(0), testconfig.HostileOrigin("tenant0.example.com"))
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		if len(pattern) > 200 {
			return
		}
		r, err, _ := CompileRegex(pattern, false, true)
		if err != nil {
			return
		}
		set := setOf(r)
		checkMatch(t, set, origin, goRegexp(r).MatchString(origin))
		for _, o := range sampleOrigins(r, 20, uint64(len(origin))) {
			checkMatch(t, set, o, goRegexp(r).MatchString(o))
		}
	})
}

// Every pattern, alone, agrees with Go's regexp on the origin corpus and on
// many origins near its own; and all of them in one Set (their anchors
// nested, shared, under several schemes) agree with any of them matching.
func TestRegexMatchIsRegexp(t *testing.T) {
	t.Parallel()
	corpus := originCorpus()
	var all []*Regex
	var near []string
	for i, p := range matchPatterns(t) {
		r := compileAccepted(t, p)
		all = append(all, r)
		set := setOf(r)
		samples := sampleOrigins(r, 200, uint64(i))
		near = append(near, samples...)
		for _, o := range append(samples, corpus...) {
			checkMatch(t, set, o, goRegexp(r).MatchString(o))
		}
	}
	set := setOf(all...)
	for _, o := range append(near, corpus...) {
		any := false
		for _, r := range all {
			any = any || goRegexp(r).MatchString(o)
		}
		checkMatch(t, set, o, any)
	}
}

// The table has no transition on a byte beyond the origin alphabet: a
// value holding one matches nothing, wherever it is (Set never asks, as
// Parse refuses such values first).
func TestMatcherBytesBeyondTheAlphabet(t *testing.T) {
	t.Parallel()
	for _, p := range matchPatterns(t) {
		r := compileAccepted(t, p)
		for _, o := range sampleOrigins(r, 5, 1) {
			scheme, rest, ok := strings.Cut(o, "://")
			if !ok || !goRegexp(r).MatchString(o) {
				continue
			}
			i := slices.Index(r.Schemes, scheme)
			if i < 0 {
				continue // "null" is all it allows
			}
			start := r.starts[i]
			for c := range 256 {
				if symbol[c] >= 0 {
					continue
				}
				for i := 0; i <= len(rest); i++ {
					v := rest[:i] + string(byte(c)) + rest[i:]
					if matched, _ := r.match.matches(start, v); matched {
						t.Fatalf("%q matches %q after %s://", p, v, scheme)
					}
				}
			}
		}
	}
}

// The tables are not minimized because the subset construction already
// gives tables within a few states of the minimal automaton (counted here
// by Moore's partition refinement), within one for the large ones:
// minimizing would cost start-up time and save next to nothing.
func TestMatcherNearMinimal(t *testing.T) {
	t.Parallel()
	for _, p := range matchPatterns(t) {
		m := compileAccepted(t, p).match
		if m == nil {
			continue // "null" only
		}
		rows, minimal := len(m.accept), minimalStates(m)
		if rows-minimal > max(8, minimal/100) {
			t.Errorf("%q: %d states; the minimal automaton has %d", p, rows, minimal)
		}
	}
}

// minimalStates counts the states of the minimal automaton of a table's
// language, the dead state included, by Moore's partition refinement.
func minimalStates(m *matcher) int {
	rows := len(m.accept)
	class := make([]int, rows)
	for i := range class {
		if m.accept[i] {
			class[i] = 1
		}
	}
	for n := 0; ; {
		ids := map[string]int{}
		next := make([]int, rows)
		for i := range rows {
			key := fmt.Sprint(class[i])
			for c := range m.width {
				key += "," + fmt.Sprint(class[int(m.next[i*m.width+c])/m.width])
			}
			if _, ok := ids[key]; !ok {
				ids[key] = len(ids)
			}
			next[i] = ids[key]
		}
		class = next
		if len(ids) == n {
			return n
		}
		n = len(ids)
	}
}

// What each table holds, 2 bytes a state and column: the widest and the
// costliest accepted shapes stay far below maxTableCells, which bounds
// every table.
func TestMatcherSize(t *testing.T) {
	t.Parallel()
	const maxSize = 32 << 10 // the largest measured: 26 KB (widestPattern)
	for _, p := range matchPatterns(t) {
		m := compileAccepted(t, p).match
		if m == nil {
			continue
		}
		if m.size() > maxSize {
			t.Errorf("%q: %d bytes; want at most %d", p, m.size(), maxSize)
		}
		t.Logf("%q: %d states, %d columns, %d bytes", p, len(m.accept), m.width, m.size())
	}
}
