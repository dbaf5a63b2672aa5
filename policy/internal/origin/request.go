package origin

import "strings"

// MaxLength bounds the Origin values looked at. A serialized origin is a
// scheme, a host of at most 253 bytes and a port; anything much longer is
// not one, and is refused without being scanned further.
const MaxLength = 1024

// Origin is an Origin header value split into its parts, substrings of the
// value: splitting does not allocate.
type Origin struct {
	Scheme, Host, Port string
}

// Parse checks that s is a serialized tuple origin (Fetch §3.1.1 / HTML
// "serialization of an origin"): scheme "://" host [":" port], lower case,
// no default port, nothing after. Browsers send exactly this, so anything
// else is treated as a disallowed origin rather than normalized. "null" is
// not a tuple origin: callers handle it first.
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
		end := strings.IndexByte(rest, ']')
		if end < 2 {
			return o, false
		}
		for i := 1; i < end; i++ {
			if c := rest[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == '.') {
				return o, false
			}
		}
		hostEnd = end + 1
	} else {
		for hostEnd < len(rest) && (isHostChar(rest[hostEnd]) || rest[hostEnd] == '.') {
			hostEnd++
		}
		if hostEnd == 0 || rest[0] == '.' || rest[hostEnd-1] == '.' {
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
