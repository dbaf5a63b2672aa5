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
func goRegexp(r *Regex) *regexp.Regexp {
	if re, ok := oracles.Load(r.pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile("^(?:" + r.pattern + ")$")
	oracles.Store(r.pattern, re)
	return re
}
