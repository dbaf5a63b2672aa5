package testconfig

import (
	"fmt"
	"strings"
)

// RegexShape describes a configuration of allow_origin_regexes of one
// shape, N patterns (pattern i of them given by Pattern), and what one
// pattern more of it is refused for.
type RegexShape struct {
	Name        string
	N           int
	Credentials bool
	Pattern     func(i int) string
	// Over names what refuses pattern N: "steps" (the configuration's
	// step budget), "tables" (the bytes of its tables) or "entries" (the
	// number of entries).
	Over string
}

// JSON returns the configuration of n patterns.
func (s RegexShape) JSON(n int) []byte { return regexesJSON(n, s.Pattern, s.Credentials) }

// LargestRegexShapes are the configurations of allow_origin_regexes that
// hold or allocate the most memory of those the bounds accept
// (internal/engine/internal/origin/budget.go), each in its own way: N is the most
// of its shape a configuration may have, one more being refused (Over).
var LargestRegexShapes = []RegexShape{
	{Name: "the costliest patterns", N: MaxCostlyRegexes, Credentials: true, Pattern: CostlyRegexes{}.Pattern, Over: "steps"},
	{Name: "the widest tables", N: 40, Pattern: func(i int) string { return fmt.Sprintf(widestPattern, i) }, Over: "tables"},
	{Name: "the widest tables and the longest warnings", N: 256, Pattern: func(i int) string {
		if i < 38 {
			return fmt.Sprintf(widestPattern, i)
		}
		return longestPattern // from the second on, each a duplicate, whose warning quotes it
	}, Over: "entries"},
	{Name: "the most anchors, long", N: 43, Credentials: true, Pattern: func(i int) string {
		long := strings.Repeat("x", 60)
		return fmt.Sprintf(`(?:https|wss|capacitor|ionic)://%s\.(?:a|b|c|d|e|f|g|h)\.x%d`, long, i)
	}, Over: "steps"},
	{Name: "the most garbage a pattern", N: 24, Pattern: func(i int) string {
		return fmt.Sprintf(`https://(?:[a-z]\.){1,300}example%d\.com`, i)
	}, Over: "steps"},
	{Name: "the longest programs", N: 256, Pattern: func(i int) string { return fmt.Sprintf(`null|(?:0|1){300}%d`, i) }, Over: "entries"},
	{Name: "the most entries", N: 256, Pattern: func(i int) string { return fmt.Sprintf(`null|%d`, i) }, Over: "entries"},
}

// widestPattern (with a number) has the widest table found: labels of
// literal runs of every host character, each a column of its own.
const widestPattern = `https://(?:abcdefghijklmnopqrstuvwxyz0123456789_~!\$&'\(\)\*\+,;=` + "`" + `\{\}-\.){4}example%d\.com`

// longestPattern is as long as a pattern may be, 1,024 bytes, and cheap to
// analyse.
var longestPattern = `null|1` + strings.Repeat("(?:)", (1024-len(`null|1`))/4)
