package origin

import (
	"math/rand/v2"
	"regexp/syntax"
	"testing"
)

// measure bounds Go's own compiler from above: for every pattern of the
// tests, and random ones, the program syntax.Compile makes has at most the
// instructions and the runes measure counts. The size bound stands on it.
func TestMeasureBoundsGoCompiler(t *testing.T) {
	t.Parallel()
	var patterns []string
	for _, tc := range acceptedPatterns {
		patterns = append(patterns, tc.pattern)
	}
	for _, tc := range refusedPatterns {
		patterns = append(patterns, tc.pattern)
	}
	for _, tc := range worstShapes {
		patterns = append(patterns, tc.pattern)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		patterns = append(patterns, randomPattern(rng, 4))
	}
	for _, p := range patterns {
		re, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			continue
		}
		m := measure(re, 1<<20)
		m.insts += 2 // "^(?:" and ")$", as programTooLarge counts them
		anchored, err := syntax.Parse("^(?:"+p+")$", syntax.Perl)
		if err != nil {
			continue
		}
		prog, err := syntax.Compile(anchored.Simplify())
		if err != nil {
			continue
		}
		runes := 0
		for _, inst := range prog.Inst {
			runes += len(inst.Rune)
		}
		if len(prog.Inst) > m.insts || runes > m.runes {
			t.Errorf("%q: Go compiles %d instructions, %d runes; measured %+v", p, len(prog.Inst), runes, m)
		}
	}
}

// randomPattern returns a random pattern of the operators measure counts.
func randomPattern(rng *rand.Rand, depth int) string {
	atoms := []string{"a", "xyz", "[a-z]", "[^.]", ".", `\.`, "()", "(?:)", "^", "$", "[0-9a-f]", "(?i)k"}
	if depth == 0 || rng.IntN(3) == 0 {
		return atoms[rng.IntN(len(atoms))]
	}
	sub := func() string { return randomPattern(rng, depth-1) }
	switch rng.IntN(9) {
	case 0:
		return sub() + sub()
	case 1:
		return "(?:" + sub() + "|" + sub() + ")"
	case 2:
		return "(" + sub() + ")"
	case 3:
		return "(?:" + sub() + ")*"
	case 4:
		return "(?:" + sub() + ")+"
	case 5:
		return "(?:" + sub() + ")?"
	case 6:
		lo := rng.IntN(4)
		return "(?:" + sub() + "){" + string(rune('0'+lo)) + "," + string(rune('0'+lo+rng.IntN(5))) + "}"
	case 7:
		return "(?:" + sub() + "){" + string(rune('0'+rng.IntN(5))) + ",}"
	}
	return "(?:" + sub() + "){" + string(rune('1'+rng.IntN(8))) + "}"
}

func TestNonASCII(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]bool{
		`https://app\.example\.com`:   false,
		`https://[a-z0-9-]+\.example`: false,
		`https://bücher\.example`:     true,
		`https://[\pL-]+\.example`:    true,
		`https://\p{Greek}\.example`:  true,
		`https://[\PL]\.example`:      true,
		`\\pL`:                        false, // a backslash, then "pL"
		`\Q\pL\x{100}\E`:              false, // quoted
		`\Qé\E`:                       true,
		`\Q\pL`:                       false, // quoted to the end
		`\x{7f}\x7F\177\x{0000007e}`:  false,
		`\x{80}`:                      true,
		`\x{0000100}`:                 true,
		`\xff`:                        true,
		`\200`:                        true,
		`\18`:                         false,
		`(?i)[\x{100}-\x{10FFFF}]`:    true,
		`[^\x00-\x7f]`:                false, // negated: written in ASCII
		`https://a\.example\\`:        false,
		`\`:                           false,
	} {
		if got := nonASCII(pattern); got != want {
			t.Errorf("nonASCII(%q) = %v; want %v", pattern, got, want)
		}
	}
}
