package testconfig

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CostlyRegexes describes a configuration of allow_origin_regexes that
// each cost their analysis about as much as an accepted pattern can: an
// "a" nine letters before the end of a label, whose automaton remembers
// every "a" among the last nine letters read (hundreds of states), each
// under a domain of its own, all of one site ("example", a top-level name
// reserved for private use). MaxCostlyRegexes of them are the most a configuration's
// analysis budget takes (internal/engine/internal/origin/budget.go).
type CostlyRegexes struct {
	N           int  // patterns
	Credentials bool // allow_credentials
}

// MaxCostlyRegexes is how many CostlyRegexes patterns a configuration may
// have: one more is refused as regexes_too_complex.
const MaxCostlyRegexes = 36

// Pattern returns pattern i.
func (c CostlyRegexes) Pattern(i int) string {
	return fmt.Sprintf(`https://[a-z]*a[a-z]{8}\.site%d\.example`, i)
}

// Origin returns an origin pattern i allows.
func (c CostlyRegexes) Origin(i int) string {
	return fmt.Sprintf("https://xaxxxxxxxx.site%d.example", i)
}

// HostileOrigin returns an origin no pattern allows whose host lies under
// pattern i's domain, site<i>.example: as long a host as an origin may
// have, of labels of "a"s, each of which the pattern's automaton must
// remember.
func (c CostlyRegexes) HostileOrigin(i int) string {
	return HostileOrigin(fmt.Sprintf("site%d.example", i))
}

// JSON returns the configuration.
func (c CostlyRegexes) JSON() []byte { return regexesJSON(c.N, c.Pattern, c.Credentials) }

// OrdinaryRegexes describes a configuration of allow_origin_regexes of a
// common shape, every subdomain of one tenant's domain, all under one site
// (example.com). MaxOrdinaryRegexes of them are the most a configuration's
// analysis budget takes.
type OrdinaryRegexes struct {
	N int // patterns
}

// MaxOrdinaryRegexes is how many OrdinaryRegexes patterns a configuration
// may have: one more is refused as regexes_too_complex.
const MaxOrdinaryRegexes = 173

// Pattern returns pattern i.
func (c OrdinaryRegexes) Pattern(i int) string {
	return fmt.Sprintf(`https://([a-z0-9-]+\.)*tenant%d\.example\.com`, i)
}

// Origin returns an origin pattern i allows.
func (c OrdinaryRegexes) Origin(i int) string {
	return fmt.Sprintf("https://app.tenant%d.example.com", i)
}

// HostileOrigin returns an origin no pattern allows whose host lies under
// pattern i's domain, tenant<i>.example.com: as long a host as an origin
// may have, which the pattern reads to its end.
func (c OrdinaryRegexes) HostileOrigin(i int) string {
	return HostileOrigin(fmt.Sprintf("tenant%d.example.com", i))
}

// JSON returns the configuration.
func (c OrdinaryRegexes) JSON() []byte { return regexesJSON(c.N, c.Pattern, false) }

// SharedRegexes describes a configuration of allow_origin_regexes all
// indexed under one domain, example.com (the label before it is not
// spelled out), each reading the whole of a host under it before it
// fails: what makes a request try the most patterns, each reading the
// most. MaxSharedRegexes of them are the most a configuration's analysis
// budget takes.
type SharedRegexes struct {
	N int // patterns
}

// MaxSharedRegexes is how many SharedRegexes patterns a configuration may
// have: one more is refused as regexes_too_complex.
const MaxSharedRegexes = 189

// Pattern returns pattern i.
func (c SharedRegexes) Pattern(i int) string {
	return fmt.Sprintf(`https://[a-z.]*%d\.example\.com`, i)
}

// Origin returns an origin pattern i allows.
func (c SharedRegexes) Origin(i int) string {
	return fmt.Sprintf("https://app%d.example.com", i)
}

// HostileOrigin returns an origin no pattern allows that every pattern
// reads to the end of its host: as long a host as an origin may have,
// under example.com.
func (c SharedRegexes) HostileOrigin() string { return HostileOrigin("example.com") }

// JSON returns the configuration.
func (c SharedRegexes) JSON() []byte { return regexesJSON(c.N, c.Pattern, false) }

// HostileOrigin returns an https origin whose host lies under site and is
// as long as a host may be (253 bytes: labels of up to 63 "a"s), with a
// port, 8443: what a client may send to make a pattern for site read the
// most before it fails, when no pattern names a port.
func HostileOrigin(site string) string {
	const maxHost, maxLabel = 253, 63
	var b strings.Builder
	b.WriteString("https://")
	for left := maxHost - len(site); left > 1; {
		n := min(maxLabel, left-1)
		b.WriteString(strings.Repeat("a", n) + ".")
		left -= n + 1
	}
	b.WriteString(site + ":8443")
	return b.String()
}

func regexesJSON(n int, pattern func(int) string, credentials bool) []byte {
	patterns := make([]string, n)
	for i := range patterns {
		patterns[i] = pattern(i)
	}
	out, err := json.Marshal(map[string]any{"allow_origin_regexes": patterns, "allow_credentials": credentials})
	if err != nil {
		panic(err)
	}
	return out
}
