package policy

import (
	"strconv"
	"strings"
	"unsafe"
)

// scope is one compiled policy: everything Evaluate needs, with every header
// value that does not depend on the request computed once.
type scope struct {
	origins     *originSet
	credentials bool

	anyMethod bool
	methods   map[string]struct{}
	acam      string // Access-Control-Allow-Methods, "" for none or when echoed

	anyHeader bool
	headers   map[string]struct{} // lower case
	acah      string              // Access-Control-Allow-Headers, "" for none or when echoed

	aceh           string // Access-Control-Expose-Headers, "" for none
	acma           string // Access-Control-Max-Age, "" for none
	privateNetwork bool

	preflightStatus  int
	rejectPreflight  bool
	rejectDisallowed bool
	upstream         UpstreamHandling
	// varyOrigin is set when the response headers depend on the Origin, which
	// is always the case except for "*" without credentials.
	varyOrigin bool

	name              string // the rule's name; "" for the top-level policy
	index             int    // 0 for the top-level policy, i+1 for rules[i]
	enabled           bool
	audit             bool
	debug             bool
	timingAllowOrigin bool
	isolation         []Header
}

// compiler compiles one Config into a scope, collecting problems under a path
// prefix.
type compiler struct {
	c      *Config
	p      *problems
	prefix string
	cache  *originCache
}

// originCache shares compiled origin sets between the top-level policy and
// the rules that inherit its origins: with 10,000 origins and 100 rules,
// each set is built and validated once.
type originCache map[originKey]*originSet

// originKey identifies the inputs of an origin set: the same slices (a rule
// that does not set them shares the top-level ones) and the same flags give
// the same set, and the same problems.
type originKey struct {
	origins, regexes      *string
	nOrigins, nRegexes    int
	credentials, insecure bool
}

func (k *compiler) errorf(field, value, reason string) { k.p.errorf(k.prefix+field, value, reason) }
func (k *compiler) warnf(field, value, reason string)  { k.p.warnf(k.prefix+field, value, reason) }

func (k *compiler) compile() *scope {
	c := k.c
	s := &scope{
		credentials:     isTrue(c.AllowCredentials),
		privateNetwork:  isTrue(c.AllowPrivateNetwork),
		preflightStatus: 204,
		rejectPreflight: c.OnUnmatchedPreflight != Forward,
		// "omit" is the default; "" means unset.
		rejectDisallowed: c.OnDisallowedOrigin == Reject,
		upstream:         ReplaceUpstream,
	}
	if c.UpstreamCORSHeaders == Keep {
		s.upstream = KeepUpstream
	}
	s.enabled = c.Enabled == nil || *c.Enabled
	s.audit = c.Mode == Audit
	s.debug = isTrue(c.Debug)
	s.timingAllowOrigin = isTrue(c.TimingAllowOrigin)
	s.isolation = isolationHeaders(c.Isolation)
	key := originKey{
		origins: unsafe.SliceData(c.AllowOrigins), nOrigins: len(c.AllowOrigins),
		regexes: unsafe.SliceData(c.AllowOriginRegexes), nRegexes: len(c.AllowOriginRegexes),
		credentials: s.credentials, insecure: isTrue(c.DangerouslyAllowInsecureOrigins),
	}
	if set, ok := (*k.cache)[key]; ok {
		s.origins = set
	} else {
		k.origins(s)
		k.regexes(s)
		(*k.cache)[key] = s.origins
		if s.origins.empty() && s.enabled {
			reason := "no origin is allowed: every CORS request will be refused"
			if len(c.Rules) > 0 {
				reason = "no origin is allowed: every CORS request no rule matches will be refused"
			}
			k.warnf("allow_origins", "", reason)
		}
	}
	k.methods(s)
	k.allowHeaders(s)
	k.exposeHeaders(s)
	if c.MaxAge != nil {
		switch n := *c.MaxAge; {
		case n < 0 || n > MaxMaxAge:
			k.errorf("max_age", strconv.Itoa(n), "must be between 0 and 86400 seconds")
		default:
			if n > chromiumMaxAge {
				k.warnf("max_age", strconv.Itoa(n), "Chromium caps Access-Control-Max-Age at 7200 seconds; Firefox at 86400")
			}
			s.acma = strconv.Itoa(n)
		}
	}
	if c.PreflightStatus != nil {
		switch n := *c.PreflightStatus; n {
		case 200, 204:
			s.preflightStatus = n
		default:
			k.errorf("preflight_status", strconv.Itoa(n), "must be 200 or 204")
		}
	}
	if isTrue(c.DangerouslyAllowInsecureOrigins) && !s.credentials {
		k.warnf("dangerously_allow_insecure_origins", "true", "has no effect without allow_credentials")
	}
	s.varyOrigin = !(s.origins.any && !s.credentials)
	return s
}

func (k *compiler) origins(s *scope) {
	c := k.c
	s.origins = newOriginSet()
	insecureOK := isTrue(c.DangerouslyAllowInsecureOrigins)
	seen := make(map[string]int)
	anyAt := -1
	for i, raw := range c.AllowOrigins {
		field := indexPath("allow_origins", i)
		if c.unreadable[field] {
			continue
		}
		o, reason := parseOriginPattern(raw)
		if reason != "" {
			k.errorf(field, quote(raw), reason)
			continue
		}
		canon := o.String()
		if j, dup := seen[canon]; dup {
			k.warnf(field, quote(raw), "duplicate of "+indexPath("allow_origins", j)+"; remove it")
			continue
		}
		seen[canon] = i
		switch {
		case o.kind == originAny && s.credentials:
			k.errorf(field, quote(raw), "cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead")
			continue
		case o.kind == originNull && s.credentials:
			k.errorf(field, quote(raw), "cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send the origin \"null\"")
			continue
		case s.credentials && o.scheme == "http" && !o.isLoopback() && !insecureOK:
			k.errorf(field, quote(raw), "an http origin can be impersonated by anyone on the network path; with allow_credentials use https, or set dangerously_allow_insecure_origins")
			continue
		case o.kind == originAny:
			anyAt = i
		}
		s.origins.add(o)
	}
	if anyAt >= 0 && len(seen) > 1 {
		k.warnf(indexPath("allow_origins", anyAt), "\"*\"", "allows every origin; the other entries are redundant")
	}
}

func (k *compiler) regexes(s *scope) {
	seen := make(map[string]int)
	for i, pat := range k.c.AllowOriginRegexes {
		field := indexPath("allow_origin_regexes", i)
		if k.c.unreadable[field] {
			continue
		}
		if j, dup := seen[pat]; dup {
			k.warnf(field, quote(pat), "duplicate of "+indexPath("allow_origin_regexes", j)+"; remove it")
			continue
		}
		seen[pat] = i
		re, reason, warning := compileOriginRegex(pat, s.credentials, isTrue(k.c.DangerouslyAllowInsecureOrigins))
		if reason != "" {
			k.errorf(field, quote(pat), reason)
			continue
		}
		if warning != "" {
			k.warnf(field, quote(pat), warning)
		}
		s.origins.regexes = append(s.origins.regexes, re)
	}
}

func (k *compiler) methods(s *scope) {
	s.methods = make(map[string]struct{})
	var list []string
	for i, m := range k.c.AllowMethods {
		field := indexPath("allow_methods", i)
		switch {
		case k.c.unreadable[field]:
			continue
		case m == "*":
			s.anyMethod = true
			continue
		case !isToken(m):
			k.errorf(field, quote(m), "not a method name (an HTTP token)")
			continue
		}
		upper := strings.ToUpper(m)
		if contains(forbiddenMethods, upper) {
			k.errorf(field, quote(m), "a forbidden method (Fetch §2.2.1): browsers never let scripts send it")
			continue
		}
		if m != upper && contains(normalizedMethods, upper) {
			k.errorf(field, quote(m), "browsers always send this method as "+quote(upper)+", and methods compare case-sensitively; write "+quote(upper))
			continue
		}
		if _, dup := s.methods[m]; dup {
			k.warnf(field, quote(m), "duplicate; remove it")
			continue
		}
		s.methods[m] = struct{}{}
		list = append(list, m)
	}
	switch {
	case s.anyMethod && !s.credentials:
		// Fetch §3.2.3: "*" counts as a wildcard only without credentials.
		s.acam = "*"
	case s.anyMethod:
		// Echoed per request: with credentials "*" would be read as a method.
	default:
		s.acam = strings.Join(list, ", ")
	}
}

func (k *compiler) allowHeaders(s *scope) {
	s.headers = make(map[string]struct{})
	var list []string
	for i, h := range k.c.AllowHeaders {
		field := indexPath("allow_headers", i)
		switch {
		case k.c.unreadable[field]:
			continue
		case h == "*":
			s.anyHeader = true
			continue
		case !isToken(h):
			k.errorf(field, quote(h), "not a header name (an HTTP token)")
			continue
		case len(h) > maxHeaderNameLength:
			k.errorf(field, quote(h), "header name longer than 256 bytes")
			continue
		}
		lower := strings.ToLower(h)
		if isForbiddenRequestHeader(lower) {
			k.errorf(field, quote(h), "a forbidden request header (Fetch §2.2.2): browsers never let scripts send it, so it never needs allowing")
			continue
		}
		if _, dup := s.headers[lower]; dup {
			k.warnf(field, quote(h), "duplicate (header names are case-insensitive); remove it")
			continue
		}
		s.headers[lower] = struct{}{}
		list = append(list, lower)
	}
	if !s.anyHeader {
		s.acah = strings.Join(list, ", ")
		return
	}
	_, auth := s.headers["authorization"]
	if len(list) > 1 || len(list) == 1 && !auth {
		k.warnf("allow_headers", "", "\"*\" allows every header but authorization; the other names are redundant")
	}
	if !s.credentials {
		// Fetch §3.2.3: "*" never covers Authorization, which must be named.
		s.acah = "*"
		if auth {
			s.acah = "*, authorization"
		}
	}
}

func (k *compiler) exposeHeaders(s *scope) {
	seen := make(map[string]bool)
	var list []string
	anyHeader := false
	for i, h := range k.c.ExposeHeaders {
		field := indexPath("expose_headers", i)
		switch {
		case k.c.unreadable[field]:
			continue
		case h == "*" && s.credentials:
			k.errorf(field, quote(h), "cannot be used with allow_credentials: browsers then read it as a header named \"*\"; list the headers instead")
			continue
		case h == "*":
			anyHeader = true
			continue
		case !isToken(h):
			k.errorf(field, quote(h), "not a header name (an HTTP token)")
			continue
		}
		lower := strings.ToLower(h)
		switch {
		case forbiddenResponseHeaders[lower]:
			k.warnf(field, quote(h), "browsers never expose this header to scripts; listing it has no effect")
			continue
		case safelistedResponseHeaders[lower]:
			k.warnf(field, quote(h), "a CORS-safelisted response header, always exposed; listing it has no effect")
			continue
		case seen[lower]:
			k.warnf(field, quote(h), "duplicate (header names are case-insensitive); remove it")
			continue
		}
		seen[lower] = true
		list = append(list, lower)
	}
	if anyHeader {
		s.aceh = "*"
		return
	}
	s.aceh = strings.Join(list, ", ")
}

// isolationHeaders lists the isolation headers a policy sets.
func isolationHeaders(iso Isolation) []Header {
	var hs []Header
	for _, h := range []Header{
		{HeaderCrossOriginResourcePolicy, iso.CrossOriginResourcePolicy},
		{HeaderCrossOriginEmbedderPolicy, iso.CrossOriginEmbedderPolicy},
		{HeaderCrossOriginOpenerPolicy, iso.CrossOriginOpenerPolicy},
	} {
		if h.Value != "" {
			hs = append(hs, h)
		}
	}
	return hs
}

func isTrue(b *bool) bool { return b != nil && *b }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
