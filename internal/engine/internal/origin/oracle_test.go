package origin

import (
	"regexp"
	"sync"
)

// oracles caches goRegexp's answers.
var oracles sync.Map

// goRegexp is Go's regexp of an accepted pattern, anchored as CompileRegex
// anchors it: the independent oracle the analysis, its automaton and the
// tables requests are matched with are checked against.
func goRegexp(r *Regex) *regexp.Regexp { return anchoredRegexp(r.pattern) }

// anchoredRegexp is Go's regexp of "^(?:pattern)$", for a pattern that
// parses on its own; or nil when it does not. The text is joined as
// documented; where the joined text reads otherwise (a "\Q" quoting to the
// end of the pattern would quote ")$" too), the anchored tree's own text.
func anchoredRegexp(pattern string) *regexp.Regexp {
	if re, ok := oracles.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	tree, err := anchored(pattern)
	if err != nil {
		return nil
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		re = regexp.MustCompile(tree.String())
	}
	oracles.Store(pattern, re)
	return re
}
