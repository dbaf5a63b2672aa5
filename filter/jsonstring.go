package filter

import "unicode/utf8"

// appendJSONString appends s to b as a JSON string that is valid whatever
// the bytes of s: '"' and '\' escaped, bytes below 0x20 and 0x7f as
// \u00XX, each byte of an invalid UTF-8 sequence as \ufffd, and U+2028 and
// U+2029 (line separators to some log readers) as escapes. Valid UTF-8
// otherwise goes through as it is, so decoding the string gives s back. The
// result never holds a raw line break: a hostile value cannot end the log
// line or forge another.
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
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
