package filter

import "unicode/utf8"

// appendJSONString appends s to b as a JSON string that is valid whatever
// the bytes of s: '"' and '\' escaped, bytes below 0x20 and 0x7f as
// \u00XX, each byte of an invalid UTF-8 sequence as \ufffd, and U+0085,
// U+2028 and U+2029 (line breaks to some log readers) as escapes. Valid
// UTF-8 otherwise goes through as it is, so decoding the string gives s
// back. The result never holds a raw line break: a hostile value cannot end
// the log line or forge another. Its length is 2 (the quotes) plus the
// widths jsonUnit gives.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case size == 1: // a byte of an invalid sequence
			b = append(b, `\ufffd`...)
		case isLineBreakRune(r):
			b = append(b, '\\', 'u', hex[r>>12], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// isLineBreakRune reports whether r is a non-ASCII character some log
// readers split lines at: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
func isLineBreakRune(r rune) bool {
	return r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// jsonUnit returns how many bytes appendJSONString writes for the unit of
// s at i (an ASCII byte, a character, or one byte of an invalid sequence),
// and the unit's size in s.
func jsonUnit(s string, i int) (width, size int) {
	c := s[i]
	if c < utf8.RuneSelf {
		switch {
		case c == '"' || c == '\\':
			return 2, 1
		case c < 0x20 || c == 0x7f:
			return 6, 1
		}
		return 1, 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if size == 1 || isLineBreakRune(r) {
		return 6, size
	}
	return size, size
}

// jsonCut returns the length of the longest prefix of s whose JSON string
// (appendJSONString's, without its quotes) takes at most limit bytes. The
// prefix ends between units: it never splits an escape or a UTF-8 sequence.
func jsonCut(s string, limit int) int {
	w := 0
	for i := 0; i < len(s); {
		uw, size := jsonUnit(s, i)
		if w+uw > limit {
			return i
		}
		w += uw
		i += size
	}
	return len(s)
}
