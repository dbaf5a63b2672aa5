package origin

import (
	"strconv"
	"strings"
)

// Host is a normalized host of a pattern: a lower-case domain name, an IPv4
// address, or a bracketed, canonical IPv6 address. With Subdomains the
// pattern was "*." followed by Name: one or more labels under it.
type Host struct {
	Name       string
	Subdomains bool
}

// ParseHost validates and normalizes the host part of an allow_origins or
// match.hosts entry, including a leading "*." label. special says whether
// the host belongs to a special scheme (WHATWG URL: http, https, ws, wss,
// ftp), whose hosts must be domains or IP addresses; match.hosts are
// always special.
func ParseHost(s string, special bool) (Host, *Error) {
	if s == "" {
		return Host{}, fail(FaultInvalidHost, "missing host")
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return Host{}, fail(FaultNonASCIIHost, nonASCIIHost(s))
		}
	}
	h := Host{Name: strings.ToLower(s)}
	if strings.HasPrefix(h.Name, "*.") {
		h.Subdomains = true
		h.Name = h.Name[2:]
	}
	if strings.Contains(h.Name, "*") {
		return Host{}, fail(FaultMisplacedWildcard, "\"*\" is only allowed as the whole leftmost label, as in \"*.example.com\"")
	}
	if strings.HasPrefix(h.Name, "[") {
		if h.Subdomains {
			return Host{}, fail(FaultWildcardIP, "a subdomain wildcard needs a domain name, not an IP address")
		}
		addr, ok := parseIPv6(strings.TrimSuffix(h.Name[1:], "]"))
		if !strings.HasSuffix(h.Name, "]") || !ok {
			return Host{}, fail(FaultInvalidHost, "invalid IPv6 address "+strconv.Quote(h.Name))
		}
		h.Name = "[" + string(appendIPv6(nil, addr)) + "]"
		return h, nil
	}
	if err := checkDomain(h.Name, special); err != nil {
		return Host{}, err
	}
	if _, ok := parseIPv4(h.Name); ok && h.Subdomains {
		return Host{}, fail(FaultWildcardIP, "a subdomain wildcard needs a domain name, not an IP address")
	}
	return h, nil
}

// nonASCIIHost asks for the punycode form of an internationalized host, the
// form browsers put in the Origin header.
func nonASCIIHost(host string) string {
	ascii, ok := suggestASCIIHost(strings.TrimPrefix(host, "*."))
	if !ok {
		return "non-ASCII host; write its punycode (xn--) form"
	}
	if strings.HasPrefix(host, "*.") {
		ascii = "*." + ascii
	}
	return "non-ASCII host; write its punycode form " + strconv.Quote(ascii)
}

// checkDomain validates a lower-case host name. For special schemes a host
// ending in a number is an IPv4 address (WHATWG URL, "ends in a number"),
// and must be written the way browsers serialize it.
func checkDomain(host string, special bool) *Error {
	if strings.HasSuffix(host, ".") {
		return fail(FaultInvalidHost, "remove the trailing dot of the host")
	}
	if len(host) > maxHostLength {
		return fail(FaultInvalidHost, "host name longer than 253 characters")
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" {
			return fail(FaultInvalidHost, "empty label in host "+strconv.Quote(host))
		}
		if len(l) > 63 {
			return fail(FaultInvalidHost, "host label longer than 63 characters")
		}
		for i := 0; i < len(l); i++ {
			if !isHostChar(l[i]) {
				return fail(FaultInvalidHost, "invalid character "+strconv.Quote(l[i:i+1])+" in host: the URL standard forbids it in host names")
			}
		}
	}
	if special && isNumeric(labels[len(labels)-1]) {
		if _, ok := parseIPv4(host); !ok {
			return fail(FaultInvalidHost, "invalid IPv4 address "+strconv.Quote(host))
		}
	}
	return nil
}

// IsLoopbackHost reports whether a lower-case host can only be this
// machine: localhost, *.localhost, 127.0.0.0/8 or [::1]. Plain-http origins
// on these are not exposed to the network.
func IsLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "[::1]" {
		return true
	}
	addr, ok := parseIPv4(host)
	return ok && addr[0] == 127
}

// isSpecial reports whether the WHATWG URL standard treats the scheme as
// special (hosts are domains or IP addresses).
func isSpecial(scheme string) bool {
	switch scheme {
	case "http", "https", "ws", "wss", "ftp":
		return true
	}
	return false
}

// defaultPort is the port browsers leave out of the origin for a scheme
// (the URL standard's special schemes, §4.1).
func defaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return 0
}

// validScheme reports whether s is a lower-case URL scheme.
func validScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// isHostChar reports whether c can appear in a label of a host as a
// browser serializes it (see hostChars).
func isHostChar(c byte) bool { return hostChars[c] }

// forbiddenDomainBytes are the printable ASCII "forbidden domain code
// points" of the URL standard: its forbidden host code points "#", "/",
// ":", "<", ">", "?", "@", "[", "\", "]", "^", "|", and "%"; the controls,
// space and DEL are forbidden too.
const forbiddenDomainBytes = "#%/:<>?@[\\]^|"

// hostChars holds the bytes of a label in the host of a special URL as the
// URL standard's host parser leaves it (§3.5 "Host parsing": domain to
// ASCII, which lower-cases letters and turns other Unicode into xn--
// labels, then failure on a forbidden domain code point): printable ASCII
// but upper case, the dot between labels and the forbidden ones. Besides
// letters, digits, "-" and "_", a browser serializes "!\"$&'()*+,;=`{}~"
// ("https://a~b.example.com"; web-platform-tests' url/resources/
// urltestdata.json, "Allowed host code points"); the dot is the only
// separator, so a label is what lies between dots whatever it holds.
var hostChars = func() (t [256]bool) {
	for c := byte('!'); c <= '~'; c++ {
		t[c] = !(c >= 'A' && c <= 'Z' || c == '.' || strings.IndexByte(forbiddenDomainBytes, c) >= 0)
	}
	return t
}()

// isNumeric reports whether a host's last label makes it an IPv4 address
// (WHATWG URL "ends in a number"): decimal digits, or "0x" followed by hex
// digits (possibly none).
func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			if _, ok := hexDigit(s[i]); !ok {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseMatchHost parses a match.hosts entry: a host name or "*." and a
// domain, compared with a request's :authority without its port.
func ParseMatchHost(s string) (Host, *Error) {
	switch {
	case s == "" || s == "*.":
		return Host{}, fail(FaultInvalidHost, "a host cannot be empty")
	case strings.ContainsAny(s, "/?#@ \t"):
		return Host{}, fail(FaultHostNotBare, "a host name only; remove the scheme, path or other parts")
	case !strings.HasPrefix(s, "[") && strings.Contains(s, ":"),
		strings.HasPrefix(s, "[") && !strings.HasSuffix(s, "]") && strings.Contains(s, "]:"):
		return Host{}, fail(FaultHostHasPort, "remove the port: hosts are compared with :authority without its port")
	}
	return ParseHost(s, true)
}
