package learn

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/psl"
)

// serializedOrigin is an Origin value split as a browser serializes an
// origin (HTML "serialization of an origin"): scheme "://" host [":" port].
type serializedOrigin struct {
	scheme, host string
	port         string // "" for the scheme's default
}

// parseOrigin reports whether s is an origin as a browser sends it: a
// lower-case scheme, "://", a lower-case ASCII host (a domain, an IPv4
// address or a bracketed IPv6 address) and a port only when it is not the
// scheme's default, and nothing else. "null" is not one (it is the opaque
// origin's serialization).
func parseOrigin(s string) (serializedOrigin, bool) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !isScheme(scheme) {
		return serializedOrigin{}, false
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' || defaultPort(scheme) == port {
			return serializedOrigin{}, false
		}
	}
	if !isOriginHost(host) {
		return serializedOrigin{}, false
	}
	return serializedOrigin{scheme: scheme, host: host, port: port}, true
}

func isScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// isOriginHost reports whether h is a host as a URL parser serializes it.
func isOriginHost(h string) bool {
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		return err == nil && a.Is6() && a.Zone() == "" && "["+a.String()+"]" == h
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Is4() && a.String() == h
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return len(h) <= 253
}

// loopback reports whether the origin's host is loopback or localhost,
// which corswasm accepts over http with credentials.
func (o serializedOrigin) loopback() bool {
	h := strings.TrimSuffix(o.host, ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil && a.IsLoopback()
}

// site is the origin's registrable domain (its "site" for telling
// unrelated origins apart), or its host when it is an IP address or has
// none.
func (o serializedOrigin) site() string {
	h := strings.TrimSuffix(o.host, ".")
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return h
	}
	labels := strings.Split(h, ".")
	for k := 1; k <= len(labels); k++ {
		suffix := strings.Join(labels[len(labels)-k:], ".")
		if !psl.IsPublicSuffix(suffix) {
			return suffix
		}
	}
	return h
}

// plausible reports whether a site could be one an operator meant to
// allow: its host is an IP address, or its top-level label is one the
// Public Suffix List names or one reserved for private use other than
// "invalid", which never resolves. A probe such as https://x.invalid or a
// made-up top-level name is not.
func (o serializedOrigin) plausible() bool {
	h := strings.TrimSuffix(o.host, ".")
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return true
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if tld == "invalid" {
		return false
	}
	return !psl.ByDefaultRule(tld)
}
