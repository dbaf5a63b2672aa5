package origin

import "slices"

// schemeFault says why the schemes of a pattern are refused.
type schemeFault uint8

const (
	schemesOK      schemeFault = iota
	schemesAny                 // unboundedly many
	schemesTooMany             // more than maxSchemes
)

// schemes enumerates the schemes the automaton allows, or says why it
// cannot: unboundedly many (a scheme starting with prefix can grow
// forever), or more than maxSchemes. It returns errOverBudget when the
// search is too long.
func (a *automaton) schemes() (out []string, fault schemeFault, prefix string, err error) {
	var onPath []int
	var walk func(s int, read []byte) (schemeFault, error)
	walk = func(s int, read []byte) (schemeFault, error) {
		// The path, the text read and the transitions.
		if !a.work.spend(len(onPath) + len(read) + len(alphabet)) {
			return schemesOK, errOverBudget
		}
		if slices.Contains(onPath, s) {
			prefix = string(read)
			return schemesAny, nil
		}
		onPath = append(onPath, s)
		defer func() { onPath = onPath[:len(onPath)-1] }()
		for sym := 0; sym < len(alphabet); sym++ {
			t := a.step(s, alphabet[sym])
			switch {
			case t < 0:
			case a.states[t].part == partColon:
				out = append(out, string(read))
				if len(out) > maxSchemes {
					return schemesTooMany, nil
				}
			default:
				if f, err := walk(t, append(read[:len(read):len(read)], alphabet[sym])); f != schemesOK || err != nil {
					return f, err
				}
			}
		}
		return schemesOK, nil
	}
	if fault, err = walk(a.start, nil); fault != schemesOK || err != nil {
		return nil, fault, prefix, err
	}
	return sortStrings(out), schemesOK, "", nil
}
