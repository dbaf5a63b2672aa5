package origin

// The language of serialized origins, as an automaton: what Parse accepts,
// less its counting limits (label and host lengths, the port's value, the
// canonical forms of IP addresses). The regex analysis intersects a pattern
// with it, so that a pattern is judged only by the origins a browser can
// send: `https://.*\.example\.com` can then only match hosts under
// example.com. Being a slight superset of Parse's language, it can only make
// the analysis stricter, never let a pattern through that Parse's language
// would fault.

// alphabet holds every byte a serialized origin can contain: those of
// schemes, hosts (hostChars) and ports, and the delimiters. Letters come
// first, so that the examples in messages use them.
const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789+-._:/[]!\"$&'()*,;=`{}~"

// symbol maps a byte to its index in alphabet, or -1.
var symbol = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// part is a state of the origin grammar: where in an origin a prefix ends.
type part uint8

const (
	partDead      part = iota
	partStart          // nothing read
	partScheme         // in the scheme
	partColon          // after "scheme:"
	partSlash          // after "scheme:/"
	partHostStart      // after "scheme://"
	partLabel          // in a host label
	partDot            // after a "." in a host
	partV6Open         // after "["
	partV6             // in an IPv6 address
	partV6Close        // after "]"
	partPortColon      // after the host's ":"
	partPort1          // after 1 port digit …
	partPort2
	partPort3
	partPort4
	partPort5 // … after 5
)

// accepting reports whether an origin can end in part p.
func (p part) accepting() bool {
	return p == partLabel || p == partV6Close || p >= partPort1
}

// inHost reports whether part p lies within the host.
func (p part) inHost() bool { return p >= partHostStart && p <= partV6Close }

// hostEnd reports whether the host can end in part p.
func (p part) hostEnd() bool { return p == partLabel || p == partV6Close }

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isV6Char(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == '.'
}

// next is the grammar's transition on byte c.
func (p part) next(c byte) part {
	switch p {
	case partStart:
		if c >= 'a' && c <= 'z' {
			return partScheme
		}
	case partScheme:
		switch {
		case isSchemeChar(c):
			return partScheme
		case c == ':':
			return partColon
		}
	case partColon:
		if c == '/' {
			return partSlash
		}
	case partSlash:
		if c == '/' {
			return partHostStart
		}
	case partHostStart:
		switch {
		case isHostChar(c):
			return partLabel
		case c == '[':
			return partV6Open
		}
	case partLabel:
		switch {
		case isHostChar(c):
			return partLabel
		case c == '.':
			return partDot
		case c == ':':
			return partPortColon
		}
	case partDot:
		if isHostChar(c) {
			return partLabel
		}
	case partV6Open, partV6:
		switch {
		case isV6Char(c):
			return partV6
		case c == ']' && p == partV6:
			return partV6Close
		}
	case partV6Close:
		if c == ':' {
			return partPortColon
		}
	case partPortColon:
		if c >= '1' && c <= '9' {
			return partPort1
		}
	case partPort1, partPort2, partPort3, partPort4:
		if c >= '0' && c <= '9' {
			return p + 1
		}
	}
	return partDead
}
