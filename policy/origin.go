package policy

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/corswasm/corswasm/internal/psl"
)

// originKind says what an allow_origins entry matches.
type originKind uint8

const (
	originExact    originKind = iota // one serialized origin
	originAny                        // "*": every origin
	originNull                       // "null": the opaque origin
	originWildcard                   // subdomain and/or port wildcard
)

// originPattern is a parsed, normalized allow_origins entry.
type originPattern struct {
	kind       originKind
	scheme     string // lower case
	host       string // lower case; for a subdomain wildcard, the base domain
	port       string // "" for the scheme's default port
	subdomains bool   // "*." before host: one or more labels under host
	anyPort    bool   // ":*": any port, the default one included
}

// String renders the pattern in its canonical form, the form browsers use
// for the origins it matches.
func (o originPattern) String() string {
	switch o.kind {
	case originAny:
		return "*"
	case originNull:
		return "null"
	}
	s := o.scheme + "://"
	if o.subdomains {
		s += "*."
	}
	s += o.host
	switch {
	case o.anyPort:
		s += ":*"
	case o.port != "":
		s += ":" + o.port
	}
	return s
}

// parseOriginPattern parses an allow_origins entry. On failure it returns a
// reason that says what to change.
func parseOriginPattern(s string) (originPattern, string) {
	switch s {
	case "*":
		return originPattern{kind: originAny}, ""
	case "null":
		return originPattern{kind: originNull}, ""
	case "":
		return originPattern{}, "an origin cannot be empty"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return originPattern{}, "contains whitespace or a control character; remove it"
		}
	}
	sep := strings.Index(s, "://")
	if sep < 0 {
		return originPattern{}, "missing scheme; write it as " + quote("https://"+strings.TrimLeft(s, ":/"))
	}
	var o originPattern
	o.kind = originExact
	o.scheme = strings.ToLower(s[:sep])
	if !validScheme(o.scheme) {
		return originPattern{}, "invalid scheme " + quote(s[:sep])
	}
	rest := s[sep+3:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return originPattern{}, "an origin has no " + urlParts(rest[i:]) + "; remove " + quote(rest[i:])
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		return originPattern{}, "an origin has no user info; remove " + quote(rest[:i+1])
	}
	host, port, reason := splitHostPort(rest)
	if reason != "" {
		return originPattern{}, reason
	}
	if reason := o.setPort(port); reason != "" {
		return originPattern{}, reason
	}
	if reason := o.setHost(host); reason != "" {
		return originPattern{}, reason
	}
	if o.subdomains || o.anyPort {
		o.kind = originWildcard
	}
	return o, ""
}

// urlParts names the URL components present in the tail of an entry.
func urlParts(tail string) string {
	var parts []string
	if tail[0] == '/' {
		parts = append(parts, "path")
	}
	if strings.Contains(tail, "?") {
		parts = append(parts, "query")
	}
	if strings.Contains(tail, "#") {
		parts = append(parts, "fragment")
	}
	return strings.Join(parts, " or ")
}

// splitHostPort splits an authority into host and port ("" when absent; the
// colon must then be absent too).
func splitHostPort(a string) (host, port, reason string) {
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", "unclosed \"[\" in an IPv6 host"
		}
		host, a = a[:end+1], a[end+1:]
		if a == "" {
			return host, "", ""
		}
		if a[0] != ':' {
			return "", "", "unexpected " + quote(a) + " after the IPv6 host"
		}
		return host, a[1:], checkPortPresent(a[1:])
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return a, "", ""
	}
	return a[:i], a[i+1:], checkPortPresent(a[i+1:])
}

func checkPortPresent(port string) string {
	if port == "" {
		return "empty port after \":\"; remove the colon or give a port"
	}
	return ""
}

// setPort validates and normalizes the port: leading zeros go, and the
// scheme's default port is dropped, as browsers serialize origins.
func (o *originPattern) setPort(port string) string {
	switch port {
	case "":
		return ""
	case "*":
		o.anyPort = true
		return ""
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
		return "invalid port " + quote(port) + "; use 1-65535 or \"*\""
	}
	if n == defaultPort(o.scheme) {
		return ""
	}
	o.port = strconv.Itoa(n)
	return ""
}

// defaultPort is the port browsers leave out of the origin for a scheme.
func defaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	}
	return 0
}

// setHost validates and normalizes the host, including a leading "*." label.
func (o *originPattern) setHost(host string) string {
	if host == "" {
		return "missing host"
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return nonASCIIHost(host)
		}
	}
	host = strings.ToLower(host)
	if host == "*" {
		return "\"*\" must be the leftmost label of a domain, as in \"https://*.example.com\"; use \"*\" on its own to allow every origin"
	}
	if strings.HasPrefix(host, "*.") {
		o.subdomains = true
		host = host[2:]
	}
	if strings.Contains(host, "*") {
		return "\"*\" is only allowed as the whole leftmost label, as in \"https://*.example.com\""
	}
	if strings.HasPrefix(host, "[") {
		if o.subdomains {
			return "a subdomain wildcard needs a domain name, not an IP address"
		}
		addr, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "invalid IPv6 address " + quote(host)
		}
		o.host = "[" + addr.String() + "]"
		return ""
	}
	if reason := checkDomain(host, isSpecial(o.scheme)); reason != "" {
		return reason
	}
	if o.subdomains {
		if _, err := netip.ParseAddr(host); err == nil {
			return "a subdomain wildcard needs a domain name, not an IP address"
		}
		// A wildcard over an ICANN suffix ("com", "co.uk") or a listed
		// private one ("github.io") covers sites of unrelated owners.
		if psl.IsPublicSuffix(host) {
			return "a wildcard over a public suffix matches every site under it"
		}
	}
	o.host = host
	return ""
}

// nonASCIIHost asks for the punycode form of an internationalized host, the
// form browsers put in the Origin header.
func nonASCIIHost(host string) string {
	ascii, err := idna.Lookup.ToASCII(strings.TrimPrefix(host, "*."))
	if err != nil {
		return "non-ASCII host; write its punycode (xn--) form"
	}
	if strings.HasPrefix(host, "*.") {
		ascii = "*." + ascii
	}
	return "non-ASCII host; write its punycode form " + quote(ascii)
}

// checkDomain validates a lower-case host name. For http and https a host
// ending in a number is an IPv4 address (WHATWG URL, "ends in a number"), and
// must be written the way browsers serialize it.
func checkDomain(host string, special bool) string {
	if strings.HasSuffix(host, ".") {
		return "remove the trailing dot of the host"
	}
	if len(host) > 253 {
		return "host name longer than 253 characters"
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" {
			return "empty label in host " + quote(host)
		}
		if len(l) > 63 {
			return "host label longer than 63 characters"
		}
		for i := 0; i < len(l); i++ {
			if !isHostChar(l[i]) {
				return "invalid character " + quote(l[i:i+1]) + " in host"
			}
		}
	}
	if special && isNumeric(labels[len(labels)-1]) {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is4() {
			return "invalid IPv4 address " + quote(host)
		}
	}
	return ""
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

// isLoopback reports whether a pattern's host can only be this machine:
// localhost, *.localhost, 127.0.0.0/8 or [::1]. Plain-http origins on these
// are not exposed to the network.
func (o originPattern) isLoopback() bool {
	return isLoopbackHost(o.host)
}

// isLoopbackHost reports whether a lower-case host can only be this
// machine: localhost, *.localhost, 127.0.0.0/8 or [::1].
func isLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "[::1]" {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Is4() && addr.IsLoopback()
}

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

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
