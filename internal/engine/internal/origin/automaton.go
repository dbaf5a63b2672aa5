package origin

import (
	"encoding/binary"
	"errors"
	"regexp/syntax"
	"slices"
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
	// classes are the symbols alike to the program and the grammar
	// (symbolClasses): every state goes to the same state on each symbol
	// of a class.
	classes [][]uint8
	// null is set when the pattern matches the opaque origin "null",
	// which lies outside the grammar (matchesText).
	null bool
	// work is the budget its searches spend (budget.go): the proof's
	// while it runs, then the messages'.
	work *budget
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
	errOverBudget  = errors.New("over budget")
	errTooLarge    = errors.New("too large")
	// errTableTooLarge: the table requests would be matched with is
	// over maxTableCells (matcher.go).
	errTableTooLarge = errors.New("table too large")
)

// newAutomaton builds the automaton of a pattern, anchored at both ends,
// spending from work.
func newAutomaton(pattern string, work *budget) (*automaton, error) {
	if tooLong(pattern) != "" || nonASCII(pattern) {
		return nil, errTooLarge
	}
	if !work.spend(parseCost * len(pattern)) {
		return nil, errOverBudget
	}
	re, err := anchored(pattern)
	if err != nil {
		return nil, err
	}
	p := measure(re, maxProgram)
	if p.insts > maxProgram {
		return nil, errTooLarge
	}
	// Compiling, and the symbols each instruction consumes.
	if !work.spend(compileCost(p)) {
		return nil, errOverBudget
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	a := &automaton{start: -1, work: work}
	b := &builder{prog: prog, a: a, ids: map[string]int32{}, mark: make([]uint32, 2*len(prog.Inst)), eats: eats(prog), at: []int{0}}
	a.classes = symbolClasses(b.eats)
	if a.null, err = b.matchesText("null"); err != nil {
		return nil, err
	}
	match, err := b.close(uint32(prog.Start), true, false)
	if err != nil {
		return nil, err
	}
	start, err := b.intern(b.out, partStart, match && partStart.accepting())
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(a.states); i++ {
		if len(a.states) > maxStates {
			return nil, errTooComplex
		}
		if err := b.expand(int32(i)); err != nil {
			return nil, err
		}
	}
	if err := a.markLive(); err != nil {
		return nil, err
	}
	if a.states[start].live {
		a.start = int(start)
	}
	return a, nil
}

// anchored parses a pattern and anchors it at both ends, as
// "^(?:pattern)$" reads when the pattern parses on its own: the tree is
// built rather than the text joined, so that a pattern cannot close the
// group and leave an end unanchored (")|(" joined would read
// "^(?:)|()$", which matches any text's empty prefix).
func anchored(pattern string) (*syntax.Regexp, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	body := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		body = re.Sub // as the parser flattens a concatenation in a group
	}
	sub := append([]*syntax.Regexp{{Op: syntax.OpBeginText, Flags: syntax.Perl}}, body...)
	sub = append(sub, &syntax.Regexp{Op: syntax.OpEndText, Flags: syntax.Perl | syntax.WasDollar})
	return &syntax.Regexp{Op: syntax.OpConcat, Flags: syntax.Perl, Sub: sub}, nil
}

// eats returns, for each instruction, the symbols of the alphabet it
// consumes, as a bit set: looked up once per instruction here rather than
// once per state and symbol in expand.
func eats(prog *syntax.Prog) []uint64 {
	out := make([]uint64, len(prog.Inst))
	for pc := range prog.Inst {
		for sym := 0; sym < len(alphabet); sym++ {
			if consumes(&prog.Inst[pc], rune(alphabet[sym])) {
				out[pc] |= 1 << sym
			}
		}
	}
	return out
}

// builder holds the state of one subset construction.
type builder struct {
	prog *syntax.Prog
	a    *automaton
	ids  map[string]int32
	// The instructions of state i are arena[at[i]:at[i+1]].
	arena []uint32
	at    []int
	eats  []uint64 // the symbols each instruction consumes (see eats)
	// mark[2*pc+end] == gen when instruction pc was visited by the current
	// closure, with end set after an end-of-text assertion.
	mark []uint32
	gen  uint32
	out  []uint32 // the current closure's instructions, reused
	key  []byte   // the current state's key, reused
}

// stateCost is what a new state costs besides its instructions, in
// steps: a word for each of its transitions, and a key in a map.
const stateCost = 4 * len(alphabet)

// intern returns the state for a set of instructions and a grammar part,
// adding it when new. pcs must be sorted and free of duplicates; a new
// state keeps a copy.
func (b *builder) intern(pcs []uint32, p part, accept bool) (int32, error) {
	if !b.a.work.spend(1 + len(pcs)) {
		return 0, errOverBudget
	}
	key := append(b.key[:0], byte(p), 0)
	if accept {
		key[1] = 1
	}
	for _, pc := range pcs {
		key = binary.LittleEndian.AppendUint32(key, pc)
	}
	b.key = key
	if id, ok := b.ids[string(key)]; ok {
		return id, nil
	}
	// Kept: the key, a copy of the instructions and the transitions.
	if !b.a.work.spend(2*len(pcs) + stateCost) {
		return 0, errOverBudget
	}
	id := int32(len(b.a.states))
	b.ids[string(key)] = id
	st := state{part: p, accept: accept}
	for i := range st.next {
		st.next[i] = -1
	}
	b.a.states = append(b.a.states, st)
	b.arena = append(b.arena, pcs...)
	b.at = append(b.at, len(b.arena))
	return id, nil
}

// expand computes the transitions of state id, a class of symbols at a
// time.
func (b *builder) expand(id int32) error {
	p := b.a.states[id].part
	for _, class := range b.a.classes {
		sym := class[0]
		np := p.next(alphabet[sym])
		if np == partDead {
			continue
		}
		pcs := b.arena[b.at[id]:b.at[id+1]]
		if !b.a.work.spend(len(class) + len(pcs)) {
			return errOverBudget
		}
		b.gen++
		b.out = b.out[:0]
		match := false
		for _, pc := range pcs {
			if b.eats[pc]&(1<<sym) == 0 {
				continue
			}
			m, err := b.walk(b.prog.Inst[pc].Out, false, false)
			if err != nil {
				return err
			}
			match = match || m
		}
		accept := match && np.accepting()
		if len(b.out) == 0 && !accept {
			continue
		}
		if !b.a.work.spend(sortCost(len(b.out))) {
			return errOverBudget
		}
		t, err := b.intern(sortSet(b.out), np, accept)
		if err != nil {
			return err
		}
		for _, s := range class {
			b.a.states[id].next[s] = t
		}
	}
	return nil
}

// matchesText reports whether the program matches text, a few bytes,
// whole: the closures of the subset construction, on text alone rather
// than on the grammar, so that a text outside the grammar ("null") is
// judged by the same program and the same closures as every origin.
func (b *builder) matchesText(text string) (bool, error) {
	match, err := b.close(uint32(b.prog.Start), true, false)
	cur := slices.Clone(b.out)
	for i := 0; i < len(text) && err == nil; i++ {
		if !b.a.work.spend(len(cur)) {
			return false, errOverBudget
		}
		b.gen++
		b.out = b.out[:0]
		match = false
		for _, pc := range cur {
			if !consumes(&b.prog.Inst[pc], rune(text[i])) {
				continue
			}
			var m bool
			if m, err = b.walk(b.prog.Inst[pc].Out, false, false); err != nil {
				break
			}
			match = match || m
		}
		cur = append(cur[:0], b.out...)
	}
	return match, err
}

// close is walk for a fresh closure, into b.out.
func (b *builder) close(pc uint32, atStart, atEnd bool) (bool, error) {
	b.gen++
	b.out = b.out[:0]
	m, err := b.walk(pc, atStart, atEnd)
	if err == nil && !b.a.work.spend(sortCost(len(b.out))) {
		err = errOverBudget
	}
	b.out = sortSet(b.out)
	return m, err
}

// walk follows the instructions that consume nothing from pc, adding those
// that consume a character to b.out, and reports whether the program can
// match where it stands. atStart: nothing was read; atEnd: an end-of-text
// assertion was passed, so only more assertions and the match may follow.
func (b *builder) walk(pc uint32, atStart, atEnd bool) (bool, error) {
	if !b.a.work.spend(1) {
		return false, errOverBudget
	}
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
			b.out = append(b.out, pc)
		}
		return false, nil
	case syntax.InstAlt, syntax.InstAltMatch:
		m1, err := b.walk(inst.Out, atStart, atEnd)
		if err != nil {
			return false, err
		}
		m2, err := b.walk(inst.Arg, atStart, atEnd)
		return m1 || m2, err
	case syntax.InstCapture, syntax.InstNop:
		return b.walk(inst.Out, atStart, atEnd)
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
		return b.walk(inst.Out, atStart, atEnd)
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
func (a *automaton) markLive() error {
	if !a.work.spend(2 * len(a.states) * len(alphabet)) {
		return errOverBudget
	}
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
	return nil
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
