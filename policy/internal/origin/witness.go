package origin

import "regexp/syntax"

// maxWitnesses bounds how many strings witnesses returns.
const maxWitnesses = 64

// witnesses returns strings the pattern matches: one per combination of
// alternatives (up to maxWitnesses), each with the fewest repetitions and
// the first character of each class. They stand for the shapes of origin a
// pattern allows, so that checks can ask "what if this were followed, or
// preceded, by something else?".
func witnesses(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return expand(re.Simplify())
}

func expand(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return nil // matches nothing
		}
		return []string{string(re.Rune[0])}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"a"}
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return []string{""}
	case syntax.OpPlus:
		return expand(re.Sub[0])
	case syntax.OpRepeat:
		out := []string{""}
		for range re.Min {
			out = product(out, expand(re.Sub[0]))
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			out = product(out, expand(sub))
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, expand(sub)...)
			if len(out) >= maxWitnesses {
				return out[:maxWitnesses]
			}
		}
		return out
	case syntax.OpNoMatch:
		return nil
	}
	// Empty matches and anchors add nothing.
	return []string{""}
}

// product returns every a+b, at most maxWitnesses of them.
func product(as, bs []string) []string {
	out := make([]string, 0, min(len(as)*len(bs), maxWitnesses))
	for _, a := range as {
		for _, b := range bs {
			if len(out) == maxWitnesses {
				return out
			}
			out = append(out, a+b)
		}
	}
	return out
}
