package origin

import (
	"math/bits"
	"strconv"
)

// The work of analysing a pattern. The analysis runs while the proxy
// starts, in every worker VM, so what it costs must be bounded by constants
// rather than by what a pattern makes of it. The size bounds (size.go)
// bound the program, and the 2,048-state cap the automaton's states, but
// not the work: each state can hold most of the program, and a pattern of
// stacked optional repetitions within both took seconds and gigabytes. So
// every loop of the analysis spends steps from a budget before it runs,
// and stops when none is left. A step is a unit of work whose time and
// memory are bounded by a constant: an instruction visited in a closure or
// scanned in a state, a word of a state's key, a transition, a state of a
// search, a byte parsed. The proof stops with errOverBudget and the
// pattern is refused as too complex; the examples of messages and the
// warnings have a budget of their own (messages), and do without an
// example or a warning when it runs out.
//
// maxWork bounds the proof of one pattern and maxMessageWork its messages
// and warnings. Work the analysis does not count itself, Go's parser and
// compiler, a Public Suffix List lookup and the origin parser, is charged
// by formulas (below), each measured to take at most about 3.5 ns a
// charged step natively, as the counted steps do (BenchmarkStepCost). A
// step takes 1.5 to 3.5 ns of CPU for most shapes, and at most about 11 ns
// measured, the garbage collector's work included (cpu-ns/step in
// BenchmarkRegexWorstShapes): so a pattern's proof and messages take at
// most about 17 ms, and the proofs of origin patterns take 2 to 10 percent
// of maxWork. maxConfigWork bounds the analyses of one configuration
// together (Budget): with one pattern's more, at most about 0.4 s of CPU
// at that rate; the slowest configuration found takes 0.16 to 0.31 s
// (BenchmarkRegexConfiguration in package policy).
const (
	maxWork        = 1 << 20
	maxMessageWork = 1 << 19
	maxConfigWork  = 32 * maxWork
)

// The costs of Go's regexp/syntax, in steps: a pattern's least, for the
// objects any pattern makes; a byte of its text for Go's parser, whose
// worst shapes found (a thousand empty alternatives, or groups) take it
// about 200 ns a byte.
const (
	patternCost = 1 << 10
	parseCost   = 128
)

// compileCost is the steps of compiling a parsed pattern into its
// program (Simplify, which walks the tree and copies what counted
// repetitions repeat, and syntax.Compile), and of finding the symbols
// each instruction consumes (eats) and the classes of symbols, each
// symbol's key holding a byte per part of the grammar (symbolClasses).
func compileCost(p program) int {
	return 16*p.nodes + 64*p.insts + 4*p.runes + (p.insts+int(partPort5)+1)*len(alphabet)
}

// pslCost is the steps of looking a domain up in the Public Suffix List
// (IsPublicSuffix and HasRuleBelow): five binary searches over its rules,
// each building and comparing keys of the domain's length (internal/psl).
func pslCost(domain string) int { return 512 + 8*len(domain) }

// originCost is the steps of parsing s as an origin (Parse).
func originCost(s string) int { return 32 + 2*len(s) }

// sortCost is the steps of sorting a set of n: n log n.
func sortCost(n int) int { return n * bits.Len(uint(n)) }

// budget counts the steps an analysis may still take.
type budget struct{ left int }

// spend takes n steps; it reports false when they exceed what is left, and
// from then on.
func (b *budget) spend(n int) bool {
	b.left -= n
	return b.left >= 0
}

// spent is the steps taken of a budget of n.
func (b *budget) spent(n int) int { return n - max(b.left, 0) }

// maxConfigTables bounds the bytes of the tables a configuration's
// patterns are matched with (matcher.go), which the proxy holds while it
// runs. A table is 2 bytes a state and column: the widest patterns found,
// literal labels of every host character, take 26 KB, so that the step
// budget alone would allow about 1 MB of them; the costliest patterns
// take 15 KB each.
const maxConfigTables = 1 << 20

// MaxConfigRegexes bounds the allow_origin_regexes entries of one
// configuration, as written: the top level's and every rule's, all lists
// together. The step budget bounds what their analyses cost, but not what
// each entry costs besides (its index entries in the Set, its problems, a
// refusal once the budget is spent), nor how many patterns a request may
// try when they share a domain (Set): each may read the whole host. A
// pattern can name up to maxSites sites, and allow_origins any number of
// origins, so that a configuration needing more has other ways to say it.
const MaxConfigRegexes = 256

// Budget is what the analyses of one configuration's patterns may still
// cost together, in steps: a configuration's allow_origin_regexes,
// top-level and rules' lists alike, are analysed against one Budget. A
// pattern is analysed while some is left, on a budget of its own, so that
// all of them cost at most maxConfigWork and one pattern's more. It also
// holds the bytes their tables may still take: a pattern whose table does
// not fit is refused, so that they take at most maxConfigTables.
type Budget struct{ left, tables int }

// NewBudget returns the budget of one configuration's patterns.
func NewBudget() *Budget { return &Budget{left: maxConfigWork, tables: maxConfigTables} }

// TooManyRegexes is the fault of the first entry of a list past
// MaxConfigRegexes: neither it nor the entries after it are analysed, and
// its message says so, so that a configuration of a million entries costs
// one problem a list rather than one an entry.
func TooManyRegexes() *Error { return fail(FaultRegexTotal, tooManyReason) }

// The reasons of the configuration's bounds, built once: every pattern
// past a bound gets one.
var (
	tooManyReason = "not analysed, nor are the entries after it in this list: this configuration has more than " + strconv.Itoa(MaxConfigRegexes) +
		" allow_origin_regexes entries, all lists together (top level and rules); use fewer patterns (one may name up to " + strconv.Itoa(maxSites) +
		" sites), or list the origins in allow_origins"
	overTotalReason = "not analysed: this configuration's allow_origin_regexes, all lists together and each distinct pattern once, take more than the " +
		strconv.Itoa(maxConfigWork) + " steps their analysis may; use fewer or simpler patterns, or list the origins in allow_origins"
	overTablesReason = "not kept: this configuration's allow_origin_regexes, all lists together and each distinct pattern once, compile to more than the " +
		strconv.Itoa(maxConfigTables) + " bytes of tables requests are matched with; use fewer or simpler patterns, or list the origins in allow_origins"
	tooCostlyReason = "too complex to prove safe: its analysis takes more than the " + strconv.Itoa(maxWork) + " steps each pattern may" + splitIt
)

// tooCostly is the fault of a proof that ran out of its budget.
func tooCostly() *Error { return fail(FaultRegexComplex, tooCostlyReason) }

// overTotal is the fault of a pattern left when a configuration's budget
// is spent.
func overTotal() *Error { return fail(FaultRegexTotal, overTotalReason) }

// overTables is the fault of a pattern whose table would take more than a
// configuration's tables have left.
func overTables() *Error { return fail(FaultRegexTotal, overTablesReason) }
