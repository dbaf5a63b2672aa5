package origin

import "encoding/binary"

// matcher is how a request's Origin is matched against an accepted
// pattern: the pattern's automaton, the one the proof stands on, from the
// state after "scheme://" on, as a table. Go's regexp would cost up to its
// program's size (1,000 instructions) a byte of the Origin, for each of a
// configuration's patterns in turn on every Origin no other entry allowed;
// a table costs one lookup a byte, whatever the pattern, and Set tries
// only the patterns indexed under a domain the host lies at or under
// (anchor.go).
//
// The automaton agrees with the anchored regexp on every origin Parse
// accepts (FuzzAutomaton), and the table is its live part after the
// scheme, so matching rest (host and port) from the state after
// "scheme://" is matching the whole origin. It is not minimized: the
// subset construction over the origin grammar already makes the automata
// of origin patterns minimal or within a few states of it, within one for
// the costliest accepted ones (TestMatcherNearMinimal), so that Hopcroft's
// algorithm would cost start-up time and save next to no memory.
type matcher struct {
	// column maps a byte to its column of the table; column 0 is every
	// byte no host or port of the pattern continues with (every byte
	// beyond the alphabet among them), whose transitions are all 0.
	column [256]uint8
	width  int // columns
	// next is the table: a state is the offset of its row, so that a
	// transition is one lookup, next[s+column]; state 0 is the dead state
	// (no match), whose row is all 0.
	next []uint16
	// accept is by row (s/width).
	accept []bool
}

// maxTableCells bounds a table: its states are uint16 offsets. Accepted
// patterns stay far below (the widest found has about 13,000 cells:
// widestPattern in the tests); one beyond is refused as too complex.
const maxTableCells = 1 << 16

// matches reports whether the pattern matches rest, the host and port of
// an origin, from start, the state after its "scheme://", and how many
// table lookups that took: one a byte, at most.
func (m *matcher) matches(start uint16, rest string) (bool, int) {
	s, i := int(start), 0
	for ; i < len(rest) && s != 0; i++ {
		s = int(m.next[s+int(m.column[rest[i]])])
	}
	return m.accept[s/m.width], i
}

// newMatcher builds the table of an automaton from the states after each
// "scheme://" (the live states reachable from them), spending from work;
// it returns the table and the state each of starts is in it.
func newMatcher(a *automaton, starts []int, work *budget) (*matcher, []uint16, error) {
	// The states: 0 is dead, then those reachable from starts, breadth
	// first, with their transitions by class (whose first symbol stands
	// for it).
	if !work.spend(len(a.states) + len(a.classes)) {
		return nil, nil, errOverBudget
	}
	if len(a.states) >= maxTableCells {
		return nil, nil, errTableTooLarge // numbered in uint16
	}
	id := make([]uint16, len(a.states))
	region := []int{-1}
	add := func(s int) uint16 {
		if s < 0 {
			return 0
		}
		if id[s] == 0 {
			id[s] = uint16(len(region))
			region = append(region, s)
		}
		return id[s]
	}
	out := make([]uint16, len(starts))
	for i, s := range starts {
		out[i] = add(s)
	}
	byClass := make([][]uint16, len(a.classes))
	for k := range byClass {
		byClass[k] = []uint16{0}
	}
	for i := 1; i < len(region); i++ {
		if !work.spend(len(a.classes)) {
			return nil, nil, errOverBudget
		}
		for k, class := range a.classes {
			byClass[k] = append(byClass[k], add(a.step(region[i], alphabet[class[0]])))
		}
	}
	// The columns: classes that every state of the region treats alike
	// share one (the classes are the whole automaton's: the letters of a
	// scheme, say, are alike after it), and those it never continues with
	// are column 0.
	if !work.spend(len(region) * len(a.classes)) {
		return nil, nil, errOverBudget
	}
	m := &matcher{width: 1}
	columns := map[string]uint8{}
	var transitions [][]uint16 // by column, past column 0
	key := make([]byte, 2*len(region))
	for k, class := range a.classes {
		dead := true
		for i, t := range byClass[k] {
			binary.LittleEndian.PutUint16(key[2*i:], t)
			dead = dead && t == 0
		}
		if dead {
			continue
		}
		c, ok := columns[string(key)]
		if !ok {
			c = uint8(m.width)
			columns[string(key)] = c
			transitions = append(transitions, byClass[k])
			m.width++
		}
		for _, sym := range class {
			m.column[alphabet[sym]] = c
		}
	}
	if !work.spend(len(region) * m.width) {
		return nil, nil, errOverBudget
	}
	if len(region)*m.width > maxTableCells {
		return nil, nil, errTableTooLarge
	}
	m.next = make([]uint16, len(region)*m.width)
	for c, targets := range transitions {
		for i, t := range targets {
			m.next[i*m.width+c+1] = uint16(int(t) * m.width)
		}
	}
	m.accept = make([]bool, len(region))
	for i, s := range region[1:] {
		m.accept[i+1] = a.states[s].accept
	}
	offsets := make([]uint16, len(starts))
	for i, s := range out {
		offsets[i] = uint16(int(s) * m.width)
	}
	return m, offsets, nil
}

// size is what the table holds, in bytes.
func (m *matcher) size() int { return len(m.column) + 2*len(m.next) + len(m.accept) }
