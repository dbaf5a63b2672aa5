package policy

// Bounds on Access-Control-Request-Headers. Chromium sends the names sorted,
// lower-cased and comma-separated without spaces, so a real preflight is far
// below both; a value beyond them fails the preflight before any name is
// looked at, so a hostile value costs a length check.
const (
	// MaxRequestHeadersBytes bounds the total length of the
	// Access-Control-Request-Headers lines of one preflight.
	MaxRequestHeadersBytes = 4096
	// MaxRequestHeaderNames bounds the number of names in them.
	MaxRequestHeaderNames = 64
	// MaxRequestHeadersLines bounds the number of
	// Access-Control-Request-Headers lines (browsers send one).
	MaxRequestHeadersLines = 10
	// maxHeaderNameLength bounds one name; no allowed name is longer.
	maxHeaderNameLength = 256
)

// nameScanner walks the names of a comma-separated list of header names
// (the `#field-name` list of Access-Control-Request-Headers): optional
// whitespace around names, empty elements ignored. It never allocates; each
// name is a substring of the input.
type nameScanner struct {
	s   string
	i   int
	bad bool // the input is not a list of tokens
}

// next returns the next name, or ok=false at the end of the list or at the
// first syntax error (then sc.bad is set).
func (sc *nameScanner) next() (name string, ok bool) {
	s, i := sc.s, sc.i
	for i < len(s) && (s[i] == ',' || s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i == len(s) {
		sc.i = i
		return "", false
	}
	start := i
	for i < len(s) && tchar[s[i]] {
		i++
	}
	if i == start {
		sc.i, sc.bad = i, true
		return "", false
	}
	name = s[start:i]
	// After a name: optional whitespace, then a comma or the end.
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && s[i] != ',' {
		sc.i, sc.bad = i, true
		return "", false
	}
	sc.i = i
	return name, true
}

// lowerASCII returns s in lower case, written into buf when s has
// upper-case letters (same is then false), so that a map lookup with the
// result does not allocate. ok is false when s is longer than buf.
func lowerASCII(s string, buf []byte) (lower []byte, same, ok bool) {
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
