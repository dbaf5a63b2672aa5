package origin

import (
	"regexp/syntax"
	"strconv"
	"strings"
)

// The size of a pattern, bounded before anything is built from it. Go's
// regexp refuses only what would take hundreds of megabytes: a repetition
// count over 1,000 (nested counts multiplied), a parse tree nested over
// 1,000 deep, and a program over 3.3 million instructions or 32 million
// runes in its classes (repeatIsValid, maxHeight, maxSize and maxRunes in
// regexp/syntax/parse.go). Far below that, a pattern of a few hundred bytes
// of stacked counted repetitions compiles to tens of thousands of
// instructions, which Go's compiler, the analysis and every request's
// match all pay for. So a pattern is measured on its parse tree, whose
// size follows the text, and refused before it is compiled when it is
// longer than maxPatternBytes or its program would exceed maxProgram
// instructions. Envoy's own RE2 matchers refuse programs over 100 by
// default (the runtime key re2.max_program_size.error_level,
// type/matcher/v3/regex.proto); origin patterns need a few dozen.
const (
	maxPatternBytes = 1024
	maxProgram      = 1000
)

// splitIt is what to do with a pattern too large or too complex.
const splitIt = "; split it into several patterns, or list the origins in allow_origins"

// tooLong says why a pattern's text is too long to parse, or "".
func tooLong(pattern string) string {
	if len(pattern) > maxPatternBytes {
		return "longer than " + strconv.Itoa(maxPatternBytes) + " bytes" + splitIt
	}
	return ""
}

// nonASCII reports whether a pattern, before it is parsed, has a character
// beyond ASCII, written or escaped (\x{…}, \xHH, octal \ooo), or a Unicode
// class (\pL, \P{Greek}). Origins are ASCII, so an origin pattern needs
// none; and they are where Go's parser does more than the text: it folds
// the case of every character of a range such as (?i)[\x{100}-\x{10FFFF}]
// one at a time (milliseconds a range), and copies, folds and sorts a
// Unicode class's hundreds of ranges (appendFoldedRange, appendTable in
// regexp/syntax/parse.go). It reads escapes as the parser does
// (parseEscape): an escaped backslash is one character, \Q…\E quotes its
// text.
func nonASCII(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] >= 0x80 {
			return true
		}
	}
	for i := 0; i+1 < len(pattern); i++ {
		if pattern[i] != '\\' {
			continue
		}
		i++
		switch c := pattern[i]; {
		case c == 'p' || c == 'P':
			return true
		case c == 'Q':
			if end := strings.Index(pattern[i:], `\E`); end >= 0 {
				i += end + 1
			} else {
				return false
			}
		case c == 'x':
			if escapedValue(pattern[i+1:], 16) > 0x7f {
				return true
			}
		case c >= '0' && c <= '7':
			if escapedValue(pattern[i:], 8) > 0x7f {
				return true
			}
		}
	}
	return false
}

// escapedValue is the value of the character escape at the start of s, in
// base 16 ("{…}" or two digits) or 8 (up to three digits), as far as it
// reads; it stops past 0x7f.
func escapedValue(s string, base int) int {
	n := 2
	switch {
	case base == 8:
		n = 3
	case strings.HasPrefix(s, "{"):
		s, n = s[1:], len(s)
	}
	v := 0
	for i := 0; i < n && i < len(s) && v <= 0x7f; i++ {
		d, err := strconv.ParseUint(s[i:i+1], base, 8)
		if err != nil {
			break
		}
		v = v*base + int(d)
	}
	return v
}

// programTooLarge says why a pattern, parsed as written, is too large to
// compile, or "", with what its program holds once anchored.
func programTooLarge(re *syntax.Regexp) (string, program) {
	p := measure(re, maxProgram)
	p.insts += 2 // "^(?:" and ")$"
	if p.insts > maxProgram {
		return "compiles to more than " + strconv.Itoa(maxProgram) + " instructions (a counted repetition copies what it repeats: \"(x){2,5}\" is five x)" + splitIt, p
	}
	return "", p
}

// program is what the program syntax.Compile makes of a pattern holds, at
// most: its instructions, and the runes of its classes; and the nodes of
// the parse tree it is made from.
type program struct{ insts, runes, nodes int }

// measure bounds from above what the program that syntax.Compile makes of
// re after Simplify holds: it counts what compile.go emits for each
// operator, each copy of a counted repetition included, without building
// anything. It stops counting past limit instructions, so a deeply nested
// repetition costs no more than its tree.
func measure(re *syntax.Regexp, limit int) program {
	p := measureTree(re, limit)
	p.insts = min(p.insts+2, limit+1) // and fail and match
	return p
}

// measureTree is measure without the program's own instructions.
func measureTree(re *syntax.Regexp, limit int) program {
	p := measureOp(re, limit)
	p.nodes++
	return p
}

// measureOp is measureTree for the operator at the tree's root.
func measureOp(re *syntax.Regexp, limit int) program {
	var p program
	switch re.Op {
	case syntax.OpNoMatch:
	case syntax.OpLiteral:
		p.insts, p.runes = max(1, len(re.Rune)), len(re.Rune) // a rune each; a nop when empty
	case syntax.OpCharClass:
		p.insts, p.runes = 1, len(re.Rune)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		p.insts, p.runes = 1, 4 // two ranges, or one
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		p = measureTree(re.Sub[0], limit)
		switch re.Op {
		case syntax.OpCapture, syntax.OpStar: // a star is (x+)? when x can be empty
			p.insts += 2
		default:
			p.insts++
		}
	case syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			s := measureTree(sub, limit)
			p.insts, p.runes, p.nodes = p.insts+s.insts, p.runes+s.runes, p.nodes+s.nodes
			if p.insts > limit {
				return p
			}
		}
		if re.Op == syntax.OpAlternate {
			p.insts += len(re.Sub) - 1 // an alt between each two
		}
		p.insts = max(p.insts, 1)
	case syntax.OpRepeat:
		// Simplify writes x{n,m} as n copies of x and m-n nested x?, and
		// x{n,} as n-1 copies and x+: at most max(n,m) copies, an alt
		// per optional copy, two more for a star.
		copies, alts := re.Max, re.Max-re.Min
		if re.Max < 0 {
			copies, alts = max(re.Min, 1), 2
		}
		s := measureTree(re.Sub[0], limit)
		if s.insts > 0 && copies > limit/s.insts {
			return program{insts: limit + 1}
		}
		p.insts, p.runes, p.nodes = max(copies*s.insts+alts, 1), copies*s.runes, s.nodes
	default:
		p.insts = 1 // an empty-width assertion, an empty match
	}
	return p
}
