package origin

// portScheme is what a wildcard entry requires besides its host.
type portScheme struct {
	scheme  string
	port    string
	anyPort bool
}

func (w portScheme) matches(o Origin) bool {
	return w.scheme == o.Scheme && (w.anyPort || w.port == o.Port)
}

// Set is the compiled form of allow_origins and allow_origin_regexes.
// Exact origins are one hash lookup (a few are compared one by one); wildcards are one lookup per indexed
// label count of the request's host; regular expressions are tried last,
// only those indexed under a domain the host lies at or under, each at
// most a table lookup a byte of the host and port. A Set is immutable once
// built; Match only reads it.
type Set struct {
	any   bool
	null  bool
	exact map[string]struct{}
	// exactList lists exact's keys while there are at most maxScannedExact
	// of them (see hasExact).
	exactList []string
	// unmatchable counts the exact entries left out of exact because no
	// request's value can match them (see Add); Empty still counts them,
	// so that a configuration of only such entries reads as before.
	unmatchable int
	// ports holds port wildcards on an exact host ("http://localhost:*"),
	// keyed by host.
	ports map[string][]portScheme
	// subdomains holds subdomain wildcards ("https://*.example.com") under
	// their base domain.
	subdomains Suffixes[[]portScheme]
	// regexes holds allow_origin_regexes under the anchors of the sites
	// their proof found (anchor.go): every host a pattern matches lies at
	// or under one of them, so a request tries only the patterns indexed
	// under its host or a domain above it.
	regexes Suffixes[[]regexEntry]
	// regexNull: a pattern matches "null"; regexCount counts the patterns.
	regexNull  bool
	regexCount int
}

// regexEntry is a pattern under one of its anchors, for one of its
// schemes.
type regexEntry struct {
	scheme string
	match  *matcher
	start  uint16 // the state after "scheme://"
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{exact: make(map[string]struct{}), ports: make(map[string][]portScheme)}
}

// Add adds a parsed allow_origins entry.
func (s *Set) Add(p Pattern) {
	ps := portScheme{p.Scheme, p.Port, p.AnyPort}
	switch {
	case p.Kind == Any:
		s.any = true
	case p.Kind == Null:
		s.null = true
	case p.Kind == Exact:
		// Only a key Parse accepts: Match looks the request's value up
		// before parsing it, and a hit must mean what parsing first and
		// then looking up meant. A key Parse refused could never match.
		if key := p.String(); isSerializedOrigin(key) {
			s.addExact(key)
		} else {
			s.unmatchable++
		}
	case p.Host.Subdomains:
		list, _ := s.subdomains.Get(p.Host.Name)
		s.subdomains.Set(p.Host.Name, append(list, ps))
	default:
		s.ports[p.Host.Name] = append(s.ports[p.Host.Name], ps)
	}
}

// maxScannedExact is the most exact origins hasExact compares one by one.
const maxScannedExact = 8

// addExact adds an exact origin, once.
func (s *Set) addExact(key string) {
	if _, dup := s.exact[key]; dup {
		return
	}
	s.exact[key] = struct{}{}
	if len(s.exact) <= maxScannedExact {
		s.exactList = append(s.exactList, key)
	} else {
		s.exactList = nil
	}
}

// hasExact reports whether origin is an exact entry. A few entries, the
// usual allow_origins, are compared one by one rather than hashed: in the
// wasm module a Go map lookup hashes the key in software (wasm has no AES
// instructions for the runtime's hash) before it compares, where a scan
// compares lengths and, on a length match, bytes.
func (s *Set) hasExact(origin string) bool {
	if len(s.exact) > maxScannedExact {
		_, ok := s.exact[origin]
		return ok
	}
	for _, e := range s.exactList {
		if e == origin {
			return true
		}
	}
	return false
}

// AddRegex adds an accepted allow_origin_regexes entry (see CompileRegex).
func (s *Set) AddRegex(r *Regex) {
	s.regexCount++
	s.regexNull = s.regexNull || r.Null
	for i, scheme := range r.Schemes {
		for _, anchor := range r.anchors[scheme] {
			list, _ := s.regexes.Get(anchor)
			s.regexes.Set(anchor, append(list, regexEntry{scheme, r.match, r.starts[i]}))
		}
	}
}

// Any reports whether the set allows every origin ("*").
func (s *Set) Any() bool { return s.any }

// Empty reports whether the set allows no origin at all.
func (s *Set) Empty() bool {
	return !s.any && !s.null && len(s.exact) == 0 && s.unmatchable == 0 && len(s.ports) == 0 &&
		s.subdomains.Len() == 0 && s.regexCount == 0
}

// Match reports whether the Origin header value is allowed, and whether it
// is "null" or a serialized origin at all. The value is compared byte for
// byte with the normalized entries: browsers send origins in exactly that
// form.
func (s *Set) Match(origin string) (allowed, wellFormed bool) {
	if origin == "null" {
		return s.any || s.null || s.regexNull, true
	}
	// An exact entry first: one hash lookup, and a hit needs no parsing,
	// since every key is a serialized origin Parse accepts (see Add). This
	// is the usual request, and parsing costs more than the lookup.
	if s.hasExact(origin) {
		return true, true
	}
	o, ok := Parse(origin)
	if !ok {
		return false, false
	}
	if s.any {
		return true, true
	}
	for _, w := range s.ports[o.Host] {
		if w.matches(o) {
			return true, true
		}
	}
	if s.subdomains.Len() > 0 && o.Host[0] != '[' && s.matchSubdomain(o) {
		return true, true
	}
	if s.regexes.Len() == 0 {
		return false, true
	}
	matched, _ := s.matchRegex(o, origin)
	return matched, true
}

// matchSubdomain looks the host up under the subdomain wildcards.
func (s *Set) matchSubdomain(o Origin) bool {
	scan := Under(&s.subdomains, o.Host)
	for {
		list, ok := scan.Next()
		if !ok {
			return false
		}
		for _, w := range list {
			if w.matches(o) {
				return true
			}
		}
	}
}

// matchRegex tries the patterns indexed under the domains the host lies at
// or under (one right-to-left scan of the host, as for subdomain
// wildcards, and a lookup of the host itself) on the origin after its
// "scheme://", until one matches: for each, at most a table lookup a byte
// of the host and port. It returns the lookups too, which the bound on
// what a request costs is stated in (TestRegexMatchBounded).
func (s *Set) matchRegex(o Origin, origin string) (matched bool, lookups int) {
	rest := origin[len(o.Scheme)+len("://"):]
	scan := AtOrUnder(&s.regexes, o.Host)
	for {
		list, ok := scan.Next()
		if !ok {
			return false, lookups
		}
		for _, e := range list {
			if e.scheme != o.Scheme {
				continue
			}
			matched, n := e.match.matches(e.start, rest)
			if lookups += n; matched {
				return true, lookups
			}
		}
	}
}

// isSerializedOrigin reports whether Parse accepts s.
func isSerializedOrigin(s string) bool {
	_, ok := Parse(s)
	return ok
}
