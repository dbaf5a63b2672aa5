package origin

import (
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/psl"
)

// Kind says what an allow_origins entry matches.
type Kind uint8

// The kinds of allow_origins entry.
const (
	Exact    Kind = iota // one serialized origin
	Any                  // "*": every origin
	Null                 // "null": the opaque origin
	Wildcard             // a subdomain and/or port wildcard
)

// Pattern is a parsed, normalized allow_origins entry.
type Pattern struct {
	Kind   Kind
	Scheme string // lower case
	// Host is the lower-case host; for a subdomain wildcard, the base
	// domain (Host.Subdomains is then set).
	Host Host
	// Port is "" for the scheme's default port; AnyPort is set for ":*",
	// any port, the default one included.
	Port    string
	AnyPort bool
}

// String renders the pattern in its canonical form, the form browsers use
// for the origins it matches.
func (p Pattern) String() string {
	switch p.Kind {
	case Any:
		return "*"
	case Null:
		return "null"
	}
	s := p.Scheme + "://"
	if p.Host.Subdomains {
		s += "*."
	}
	s += p.Host.Name
	switch {
	case p.AnyPort:
		s += ":*"
	case p.Port != "":
		s += ":" + p.Port
	}
	return s
}

// IsLoopback reports whether the pattern's host can only be this machine.
func (p Pattern) IsLoopback() bool { return IsLoopbackHost(p.Host.Name) }

// ParsePattern parses an allow_origins entry: an origin, a wildcard
// ("https://*.example.com", "http://localhost:*"), "*" or "null".
func ParsePattern(s string) (Pattern, *Error) {
	switch s {
	case "*":
		return Pattern{Kind: Any}, nil
	case "null":
		return Pattern{Kind: Null}, nil
	case "":
		return Pattern{}, fail(FaultEmpty, "an origin cannot be empty")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return Pattern{}, fail(FaultWhitespace, "contains whitespace or a control character; remove it")
		}
	}
	sep := strings.Index(s, "://")
	if sep < 0 {
		return Pattern{}, fail(FaultMissingScheme, "missing scheme; write it as "+strconv.Quote("https://"+strings.TrimLeft(s, ":/")))
	}
	p := Pattern{Kind: Exact, Scheme: strings.ToLower(s[:sep])}
	if !validScheme(p.Scheme) {
		return Pattern{}, fail(FaultInvalidScheme, "invalid scheme "+strconv.Quote(s[:sep]))
	}
	rest := s[sep+3:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return Pattern{}, fail(FaultNotBare, "an origin has no "+urlParts(rest[i:])+"; remove "+strconv.Quote(rest[i:]))
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		return Pattern{}, fail(FaultUserInfo, "an origin has no user info; remove "+strconv.Quote(rest[:i+1]))
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return Pattern{}, err
	}
	if err := p.setPort(port); err != nil {
		return Pattern{}, err
	}
	if strings.ToLower(host) == "*" {
		return Pattern{}, fail(FaultMisplacedWildcard, "\"*\" must be the leftmost label of a domain, as in \"https://*.example.com\"; use \"*\" on its own to allow every origin")
	}
	if p.Host, err = ParseHost(host, isSpecial(p.Scheme)); err != nil {
		if err.Fault == FaultMisplacedWildcard {
			err.Reason = "\"*\" is only allowed as the whole leftmost label, as in \"https://*.example.com\""
		}
		return Pattern{}, err
	}
	// A wildcard over an ICANN suffix ("com", "co.uk"), a listed private
	// one ("github.io") or any unlisted top-level domain ("za", by the
	// list's default rule) covers sites of unrelated owners.
	if p.Host.Subdomains && psl.IsPublicSuffix(p.Host.Name) {
		return Pattern{}, fail(FaultPublicSuffix, "a wildcard over a public suffix matches every site under it"+defaultRuleNote(p.Host.Name))
	}
	// Nor one over a domain with public suffixes under it: anyone can have
	// a site under s3.amazonaws.com, which "*.amazonaws.com" covers.
	if rule, ok := psl.RuleBelow(p.Host.Name); ok && p.Host.Subdomains {
		return Pattern{}, fail(FaultPublicSuffix, "a wildcard over a domain with public suffixes under it, such as "+
			strconv.Quote(rule)+", matches sites of unrelated owners there; list the subdomains you mean")
	}
	if p.Host.Subdomains || p.AnyPort {
		p.Kind = Wildcard
	}
	return p, nil
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

// splitHostPort splits an authority into host and port ("" when absent;
// the colon must then be absent too).
func splitHostPort(a string) (host, port string, err *Error) {
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", fail(FaultInvalidHost, "unclosed \"[\" in an IPv6 host")
		}
		host, a = a[:end+1], a[end+1:]
		if a == "" {
			return host, "", nil
		}
		if a[0] != ':' {
			return "", "", fail(FaultInvalidHost, "unexpected "+strconv.Quote(a)+" after the IPv6 host")
		}
		return host, a[1:], checkPortPresent(a[1:])
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return a, "", nil
	}
	return a[:i], a[i+1:], checkPortPresent(a[i+1:])
}

func checkPortPresent(port string) *Error {
	if port == "" {
		return fail(FaultInvalidPort, "empty port after \":\"; remove the colon or give a port")
	}
	return nil
}

// setPort validates and normalizes the port: leading zeros go, and the
// scheme's default port is dropped, as browsers serialize origins.
func (p *Pattern) setPort(port string) *Error {
	switch port {
	case "":
		return nil
	case "*":
		p.AnyPort = true
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
		return fail(FaultInvalidPort, "invalid port "+strconv.Quote(port)+"; use 1-65535 or \"*\"")
	}
	if n != defaultPort(p.Scheme) {
		p.Port = strconv.Itoa(n)
	}
	return nil
}
