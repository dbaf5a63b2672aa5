package origin

import (
	"strings"
)

// MaxLength bounds the Origin values looked at. A serialized origin is a
// scheme, a host of at most 253 bytes and a port; anything much longer is
// not one, and is refused without being scanned further.
const MaxLength = 1024

// maxHostLength bounds a host's name (RFC 1035 §2.3.4: no longer name
// resolves); see Parse.
const maxHostLength = 253

// maxLabelLength bounds a label of a host's name (RFC 1035 §2.3.4); see
// Parse.
const maxLabelLength = 63

// Origin is an Origin header value split into its parts, substrings of the
// value: splitting does not allocate.
type Origin struct {
	Scheme, Host, Port string
}

// Parse checks that s is a serialized tuple origin (Fetch §3.1.1 / HTML
// "serialization of an origin"): scheme "://" host [":" port], lower case,
// no default port, nothing after. The host is what a browser's URL parser
// produces: a domain of labels of the bytes hostChars holds, an IPv4
// address in dotted decimal when its last label is a number, or a
// bracketed IPv6 address in its canonical form. Browsers send exactly
// this, so anything else is treated as a disallowed origin rather than
// normalized, and matches no pattern. "null" is not a tuple origin: callers
// handle it first.
//
// Three refusals are deliberately stricter than the URL standard, whose
// host parser checks no DNS lengths and keeps empty labels: an empty label
// or a trailing dot ("https://a..example.com", "https://example.com."),
// which no entry can name; a label over 63 bytes or a host over 253 (RFC
// 1035 §2.3.4: no such name resolves); and port 0, where nothing listens.
// One is looser: an xn-- label is not decoded (its punycode is not
// checked), which grants nothing, since exact entries compare byte for
// byte and wildcards whole labels.
func Parse(s string) (Origin, bool) {
	var o Origin
	if len(s) > MaxLength {
		return o, false
	}
	sep := strings.Index(s, "://")
	if sep < 1 || !validScheme(s[:sep]) {
		return o, false
	}
	o.Scheme = s[:sep]
	rest := s[sep+3:]
	hostEnd := 0
	if strings.HasPrefix(rest, "[") {
		hostEnd = strings.IndexByte(rest, ']') + 1
		if hostEnd < 3 || !canonicalIPv6(rest[1:hostEnd-1]) {
			return o, false
		}
	} else {
		var ok bool
		if hostEnd, ok = scanDomain(rest); !ok {
			return o, false
		}
	}
	o.Host = rest[:hostEnd]
	rest = rest[hostEnd:]
	if rest == "" {
		return o, true
	}
	// A port: ":" then 1-5 digits without a leading zero, at most 65535, and
	// not the scheme's default port, which browsers leave out.
	port := rest[1:]
	if rest[0] != ':' || port == "" || len(port) > 5 || port[0] == '0' {
		return o, false
	}
	n := 0
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return o, false
		}
		n = n*10 + int(port[i]-'0')
	}
	if n > 65535 || n == defaultPort(o.Scheme) {
		return o, false
	}
	o.Port = port
	return o, true
}

// validDomain reports whether host is a host a browser serializes, as
// scanDomain reads it.
func validDomain(host string) bool {
	end, ok := scanDomain(host)
	return ok && end == len(host)
}

// scanDomain reads the host at the start of s, up to the first byte that
// is neither a host character nor a dot, in one pass, and reports where it
// ends and whether it is a host a browser serializes: non-empty labels of
// at most 63 bytes, at most 253 bytes in all, and, when the last label is
// a number, an IPv4 address in dotted decimal (WHATWG URL "ends in a
// number").
func scanDomain(s string) (end int, ok bool) {
	start := 0 // of the current label
	for ; end < len(s); end++ {
		c := s[end]
		if c == '.' {
			if end == start || end-start > maxLabelLength {
				return end, false
			}
			start = end + 1
		} else if !hostChars[c] {
			break
		}
	}
	if end == start || end-start > maxLabelLength || end > maxHostLength {
		return end, false
	}
	if isNumeric(s[start:end]) {
		_, ok = parseIPv4(s[:end])
		return end, ok
	}
	return end, true
}

// canonicalIPv6 reports whether s (between the brackets) is an IPv6
// address written as browsers serialize it.
func canonicalIPv6(s string) bool {
	addr, ok := parseIPv6(s)
	if !ok {
		return false
	}
	var buf [64]byte
	return string(appendIPv6(buf[:0], addr)) == s
}
