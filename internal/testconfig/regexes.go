package testconfig

import (
	"encoding/json"
	"fmt"
)

// CostlyRegexes describes a configuration of allow_origin_regexes that
// each cost their analysis about as much as an accepted pattern can: an
// "a" nine letters before the end of a label, whose automaton remembers
// every "a" among the last nine letters read (hundreds of states), for a
// site of its own. MaxCostlyRegexes of them are the most a configuration's
// analysis budget takes (policy/internal/origin/budget.go).
type CostlyRegexes struct {
	N           int  // patterns
	Credentials bool // allow_credentials
}

// MaxCostlyRegexes is how many CostlyRegexes patterns a configuration may
// have: one more is refused as regexes_too_complex.
const MaxCostlyRegexes = 37

// Pattern returns pattern i.
func (c CostlyRegexes) Pattern(i int) string {
	return fmt.Sprintf(`https://[a-z]*a[a-z]{8}\.site%d\.example`, i)
}

// Origin returns an origin pattern i allows.
func (c CostlyRegexes) Origin(i int) string {
	return fmt.Sprintf("https://xaxxxxxxxx.site%d.example", i)
}

// JSON returns the configuration.
func (c CostlyRegexes) JSON() []byte {
	patterns := make([]string, c.N)
	for i := range patterns {
		patterns[i] = c.Pattern(i)
	}
	out, err := json.Marshal(map[string]any{"allow_origin_regexes": patterns, "allow_credentials": c.Credentials})
	if err != nil {
		panic(err)
	}
	return out
}
