// Package httpfield holds the HTTP field syntax corswasm reads and checks
// (RFC 9110 §5.6): tokens, the names of methods and header fields, and
// comma-separated lists of them, as in Access-Control-Request-Headers,
// Access-Control-Allow-Methods and Vary. The policy engine, the audit
// comparison and the filter's response phase all read lists with the one
// Scanner here. Nothing in it allocates.
package httpfield

// tchar marks the bytes allowed in a token (RFC 9110 §5.6.2).
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsToken reports whether s is a non-empty token: the syntax of a method
// and of a header field name.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// LowerASCII returns s in lower case, written into buf when s has
// upper-case letters (same is then false), so that a map lookup with
// string(lower) does not allocate. ok is false when s has upper-case
// letters and is longer than buf.
func LowerASCII(s string, buf []byte) (lower []byte, same, ok bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			upper = true
			break
		}
	}
	if !upper {
		return nil, true, true
	}
	if len(s) > len(buf) {
		return nil, false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)], false, true
}
