package origin

import (
	"encoding/binary"
	"errors"
	"regexp/syntax"
)

// automaton is a deterministic automaton for the serialized origins a
// pattern matches: the product of the pattern's compiled program with the
// origin grammar (grammar.go), built by subset construction over the
// program's instructions. Case folding, classes and repetitions are the
// program's own, so the automaton is exactly the pattern over that
// grammar: a case-insensitive pattern is analysed on lower-case origins.
type automaton struct {
	states []state
	start  int // the initial state; -1 when the pattern matches no origin
}

// state is one state of an automaton.
type state struct {
	part   part
	accept bool                 // an origin can end here
	next   [len(alphabet)]int32 // by symbol; -1: no origin continues so
	live   bool                 // some origin goes through this state
}

// maxStates bounds the automaton of one pattern. Origin patterns need a few
// dozen states; a pattern needing more is refused rather than analysed at
// length while the proxy starts.
const maxStates = 2048

var (
	errUnsupported = errors.New("unsupported")
	errTooComplex  = errors.New("too complex")
)

// newAutomaton builds the automaton of a pattern, anchored at both ends.
func newAutomaton(pattern string) (*automaton, error) {
	re, err := syntax.Parse("^(?:"+pattern+")$", syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	b := &builder{prog: prog, ids: map[string]int32{}, mark: make([]uint32, 2*len(prog.Inst))}
	a := &automaton{start: -1}
	b.a = a
	var pcs []uint32
	match, err := b.close(uint32(prog.Start), true, false, &pcs)
	if err != nil {
		return nil, err
	}
	start := b.intern(pcs, partStart, match && partStart.accepting())
	for i := 0; i < len(a.states); i++ {
		if len(a.states) > maxStates {
			return nil, errTooComplex
		}
		if err := b.expand(int32(i)); err != nil {
			return nil, err
		}
	}
	a.markLive()
	if a.states[start].live {
		a.start = int(start)
	}
	return a, nil
}

// builder holds the state of one subset construction.
type builder struct {
	prog *syntax.Prog
	a    *automaton
	ids  map[string]int32
	pcs  [][]uint32 // the instructions of each state
	// mark[2*pc+end] == gen when instruction pc was visited by the current
	// closure, with end set after an end-of-text assertion.
	mark []uint32
	gen  uint32
}

// intern returns the state for a set of instructions and a grammar part,
// adding it when new. pcs must be sorted and free of duplicates.
func (b *builder) intern(pcs []uint32, p part, accept bool) int32 {
	key := make([]byte, 2, 2+4*len(pcs))
	key[0], key[1] = byte(p), 0
	if accept {
		key[1] = 1
	}
	for _, pc := range pcs {
		key = binary.LittleEndian.AppendUint32(key, pc)
	}
	if id, ok := b.ids[string(key)]; ok {
		return id
	}
	id := int32(len(b.a.states))
	b.ids[string(key)] = id
	st := state{part: p, accept: accept}
	for i := range st.next {
		st.next[i] = -1
	}
	b.a.states = append(b.a.states, st)
	b.pcs = append(b.pcs, pcs)
	return id
}

// expand computes the transitions of state id.
func (b *builder) expand(id int32) error {
	p := b.a.states[id].part
	for sym := 0; sym < len(alphabet); sym++ {
		c := alphabet[sym]
		np := p.next(c)
		if np == partDead {
			continue
		}
		b.gen++
		var out []uint32
		match := false
		for _, pc := range b.pcs[id] {
			inst := &b.prog.Inst[pc]
			if !consumes(inst, rune(c)) {
				continue
			}
			m, err := b.walk(inst.Out, false, false, &out)
			if err != nil {
				return err
			}
			match = match || m
		}
		accept := match && np.accepting()
		if len(out) == 0 && !accept {
			continue
		}
		b.a.states[id].next[sym] = b.intern(sortSet(out), np, accept)
	}
	return nil
}

// close is walk for a fresh closure.
func (b *builder) close(pc uint32, atStart, atEnd bool, out *[]uint32) (bool, error) {
	b.gen++
	m, err := b.walk(pc, atStart, atEnd, out)
	*out = sortSet(*out)
	return m, err
}

// walk follows the instructions that consume nothing from pc, adding those
// that consume a character to out, and reports whether the program can
// match where it stands. atStart: nothing was read; atEnd: an end-of-text
// assertion was passed, so only more assertions and the match may follow.
func (b *builder) walk(pc uint32, atStart, atEnd bool, out *[]uint32) (bool, error) {
	slot := 2 * pc
	if atEnd {
		slot++
	}
	if b.mark[slot] == b.gen {
		return false, nil
	}
	b.mark[slot] = b.gen
	inst := &b.prog.Inst[pc]
	switch inst.Op {
	case syntax.InstMatch:
		return true, nil
	case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		if !atEnd {
			*out = append(*out, pc)
		}
		return false, nil
	case syntax.InstAlt, syntax.InstAltMatch:
		m1, err := b.walk(inst.Out, atStart, atEnd, out)
		if err != nil {
			return false, err
		}
		m2, err := b.walk(inst.Arg, atStart, atEnd, out)
		return m1 || m2, err
	case syntax.InstCapture, syntax.InstNop:
		return b.walk(inst.Out, atStart, atEnd, out)
	case syntax.InstEmptyWidth:
		op := syntax.EmptyOp(inst.Arg)
		if op&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
			return false, errUnsupported
		}
		// An origin has no line breaks: a line's start or end is the
		// text's.
		if op&(syntax.EmptyBeginText|syntax.EmptyBeginLine) != 0 && !atStart {
			return false, nil
		}
		if op&(syntax.EmptyEndText|syntax.EmptyEndLine) != 0 {
			atEnd = true
		}
		return b.walk(inst.Out, atStart, atEnd, out)
	}
	return false, nil // InstFail
}

// consumes reports whether a consuming instruction matches c.
func consumes(inst *syntax.Inst, c rune) bool {
	switch inst.Op {
	case syntax.InstRune:
		return inst.MatchRune(c)
	case syntax.InstRune1:
		return inst.Rune[0] == c
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return c != '\n'
	}
	return false
}

// markLive marks the states from which an accepting state can be reached.
func (a *automaton) markLive() {
	preds := make([][]int32, len(a.states))
	var work []int32
	for i := range a.states {
		for _, t := range a.states[i].next {
			if t >= 0 {
				preds[t] = append(preds[t], int32(i))
			}
		}
		if a.states[i].accept {
			a.states[i].live = true
			work = append(work, int32(i))
		}
	}
	for len(work) > 0 {
		t := work[len(work)-1]
		work = work[:len(work)-1]
		for _, p := range preds[t] {
			if !a.states[p].live {
				a.states[p].live = true
				work = append(work, p)
			}
		}
	}
}

// step returns the live state after reading c from state s, or -1.
func (a *automaton) step(s int, c byte) int {
	if s < 0 || symbol[c] < 0 {
		return -1
	}
	t := a.states[s].next[symbol[c]]
	if t < 0 || !a.states[t].live {
		return -1
	}
	return int(t)
}

// walk returns the live state after reading str from state s, or -1.
func (a *automaton) walk(s int, str string) int {
	for i := 0; i < len(str) && s >= 0; i++ {
		s = a.step(s, str[i])
	}
	return s
}

// accepts reports whether the pattern matches the origin str (as far as
// the grammar goes).
func (a *automaton) accepts(str string) bool {
	s := a.walk(a.start, str)
	return s >= 0 && a.states[s].accept
}
