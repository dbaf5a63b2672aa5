package policy

import (
	"regexp"
	"slices"
	"strings"
)

// maxOriginLength bounds the Origin values the policy looks at. A serialized
// origin is a scheme, a host of at most 253 bytes and a port; anything much
// longer is not one, and is refused without being scanned further.
const maxOriginLength = 1024

// requestOrigin is an Origin header value split into its parts. The parts
// are substrings of the header value: splitting does not allocate.
type requestOrigin struct {
	scheme, host, port string
}

// parseRequestOrigin checks that s is a serialized tuple origin (Fetch
// §3.1.1 / HTML "serialization of an origin"): scheme "://" host [":" port],
// lower case, no default port, nothing after. Browsers send exactly this, so
// anything else is treated as a disallowed origin rather than normalized.
func parseRequestOrigin(s string) (requestOrigin, bool) {
	var o requestOrigin
	if len(s) > maxOriginLength {
		return o, false
	}
	sep := strings.Index(s, "://")
	if sep < 1 || !validScheme(s[:sep]) {
		return o, false
	}
	o.scheme = s[:sep]
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
	o.host = rest[:hostEnd]
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
	if n > 65535 || n == defaultPort(o.scheme) {
		return o, false
	}
	o.port = port
	return o, true
}

// hostPattern is a wildcard allow_origins entry, stored under its host.
type hostPattern struct {
	scheme  string
	port    string
	anyPort bool
}

func (h hostPattern) matches(o requestOrigin) bool {
	return h.scheme == o.scheme && (h.anyPort || h.port == o.port)
}

// originSet is the compiled form of allow_origins and allow_origin_regexes.
// Exact origins are one hash lookup; wildcards are one lookup per label of
// the request's host; regular expressions, the only linear part, are tried
// last.
type originSet struct {
	any   bool
	null  bool
	exact map[string]struct{}
	// ports holds port wildcards on an exact host ("http://localhost:*"),
	// keyed by host.
	ports map[string][]hostPattern
	// subdomains holds subdomain wildcards ("https://*.example.com"), keyed
	// by the base domain; baseLabels lists the label counts of those base
	// domains in increasing order, so a request's host is looked up only by
	// the suffixes that could be one.
	subdomains map[string][]hostPattern
	baseLabels []int
	regexes    []*regexp.Regexp
}

func newOriginSet() *originSet {
	return &originSet{
		exact:      make(map[string]struct{}),
		ports:      make(map[string][]hostPattern),
		subdomains: make(map[string][]hostPattern),
	}
}

func (s *originSet) add(o originPattern) {
	switch {
	case o.kind == originAny:
		s.any = true
	case o.kind == originNull:
		s.null = true
	case o.kind == originExact:
		s.exact[o.String()] = struct{}{}
	case o.subdomains:
		s.subdomains[o.host] = append(s.subdomains[o.host], hostPattern{o.scheme, o.port, o.anyPort})
		n := strings.Count(o.host, ".") + 1
		if i, found := slices.BinarySearch(s.baseLabels, n); !found {
			s.baseLabels = slices.Insert(s.baseLabels, i, n)
		}
	default:
		s.ports[o.host] = append(s.ports[o.host], hostPattern{o.scheme, o.port, o.anyPort})
	}
}

// empty reports whether the set allows no origin at all.
func (s *originSet) empty() bool {
	return !s.any && !s.null && len(s.exact) == 0 && len(s.ports) == 0 &&
		len(s.subdomains) == 0 && len(s.regexes) == 0
}

// match reports whether the Origin header value is allowed, and whether it
// is a serialized origin at all. The value is compared byte for byte with
// the normalized entries: browsers send origins in exactly that form.
func (s *originSet) match(origin string) (allowed, wellFormed bool) {
	if origin == "null" {
		return s.any || s.null || s.matchRegex(origin), true
	}
	o, ok := parseRequestOrigin(origin)
	if !ok {
		return false, false
	}
	if s.any {
		return true, true
	}
	if _, ok := s.exact[origin]; ok {
		return true, true
	}
	for _, h := range s.ports[o.host] {
		if h.matches(o) {
			return true, true
		}
	}
	if len(s.baseLabels) > 0 && o.host[0] != '[' && s.matchSubdomain(o) {
		return true, true
	}
	return s.matchRegex(origin), true
}

// matchSubdomain looks up the proper suffixes of the host that have as many
// labels as some wildcard's base domain: for a.b.example.com and a base of
// two labels, example.com. The host is scanned once from the right; a long
// hostile host costs that scan, not a lookup per label.
func (s *originSet) matchSubdomain(o requestOrigin) bool {
	labels, next := 1, 0
	for i := len(o.host) - 1; i > 0 && next < len(s.baseLabels); i-- {
		if o.host[i] != '.' {
			continue
		}
		if labels == s.baseLabels[next] {
			for _, h := range s.subdomains[o.host[i+1:]] {
				if h.matches(o) {
					return true
				}
			}
			next++
		}
		labels++
	}
	return false
}

func (s *originSet) matchRegex(origin string) bool {
	for _, re := range s.regexes {
		if re.MatchString(origin) {
			return true
		}
	}
	return false
}
