package httpfield

// Scanner walks the elements of a comma-separated list of tokens (RFC 9110
// §5.6.1, the `#token` rule): optional whitespace around elements, empty
// elements ignored. Each token is a substring of the input; scanning never
// allocates and is linear in the input.
//
// An element that is not a single token (`a b`, `a;q=1`, `"a"`) is skipped
// up to the next comma and marks the list Invalid. Callers that must refuse
// a malformed list (Access-Control-Request-Headers) check Invalid after each
// Next; callers that only look for a member (Vary) ignore it and read on.
type Scanner struct {
	s       string
	i       int
	invalid bool
}

// NewScanner returns a Scanner over the list s.
func NewScanner(s string) Scanner { return Scanner{s: s} }

// Next returns the next token, or ok=false at the end of the list.
func (sc *Scanner) Next() (token string, ok bool) {
	s, i := sc.s, sc.i
	for {
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
		end := i
		// After a token: optional whitespace, then a comma or the end.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if end > start && (i == len(s) || s[i] == ',') {
			sc.i = i
			return s[start:end], true
		}
		// Not a token: skip the element.
		sc.invalid = true
		for i < len(s) && s[i] != ',' {
			i++
		}
	}
}

// Invalid reports whether an element scanned so far was not a token.
func (sc *Scanner) Invalid() bool { return sc.invalid }

// HasToken reports whether the list names at least one token (and is not
// just commas and whitespace).
func HasToken(s string) bool {
	sc := NewScanner(s)
	_, ok := sc.Next()
	return ok
}
