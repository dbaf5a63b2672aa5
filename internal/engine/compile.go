package engine

import (
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
	"github.com/corswasm/corswasm/internal/httpfield"
)

// scope is one compiled policy: everything Evaluate needs, with every header
// value that does not depend on the request computed once.
type scope struct {
	origins     *origin.Set
	credentials bool
	// withoutOrigin is the verdict on every request without Origin,
	// computed once the scope is compiled (see Policy.Evaluate).
	withoutOrigin verdict

	anyMethod bool
	methods   tokenSet
	acam      string // Access-Control-Allow-Methods, "" for none or when echoed

	anyHeader bool
	headers   tokenSet // lower case
	acah      string   // Access-Control-Allow-Headers, "" for none or when echoed

	aceh           string // Access-Control-Expose-Headers, "" for none
	acma           string // Access-Control-Max-Age, "" for none
	privateNetwork bool

	preflightStatus  int
	forwarding       preflightForwarding
	rejectDisallowed bool
	upstream         UpstreamHandling
	// varyOrigin is set when the response headers depend on the Origin, which
	// is always the case except for "*" without credentials.
	varyOrigin bool

	name    string // the rule's name; "" for the top-level policy
	index   int    // 0 for the top-level policy, i+1 for rules[i]
	enabled bool
	audit   bool
	// enforcePercent is the share of CORS requests enforced, and rollout
	// is set when it is neither 0 nor 100 (see rollout.go).
	enforcePercent    int
	rollout           bool
	debug             bool
	timingAllowOrigin bool
	isolation         []Header
}

// compiler compiles one Config into a scope, reporting problems under a
// path prefix.
type compiler struct {
	c      *Config
	p      *problems // where problems are reported
	prefix string
	// own is the rule's own Config when c is a rule's effective policy,
	// nil for the top level, and ownPrefix the path prefix of the rule's
	// fields; parsed holds the problems Parse reported.
	own       *Config
	ownPrefix string
	parsed    *problems
	// originSets holds the origin sets compiled from the top-level lists.
	originSets map[originInputs]*compiledOrigins
	// regexAnalyses holds the analyses of every list's regexes.
	regexAnalyses *regexAnalyses
}

// problem records an error (or, with warn, a warning) about a policy field
// or, with i >= 0, its element i.
func (k *compiler) problem(warn bool, code Code, field string, i int, value, reason string) {
	path := field
	if i >= 0 {
		path = indexPath(field, i)
	}
	e := &FieldError{Path: k.prefix + path, Value: value, Reason: reason, Code: code, field: field}
	if warn {
		k.p.warn(e)
		return
	}
	k.p.error(e)
}

func (k *compiler) errorf(code Code, field string, i int, value, reason string) {
	k.problem(false, code, field, i, value, reason)
}

func (k *compiler) warnf(code Code, field string, i int, value, reason string) {
	k.problem(true, code, field, i, value, reason)
}

// skip reports whether element i of a list field had the wrong JSON type:
// Parse reported it where the value was written, in the rule or at the top
// level.
func (k *compiler) skip(field string, i int) bool {
	src := ""
	if f, ok := policyField(field); ok && k.own != nil && f.isSet(k.own) {
		src = k.ownPrefix
	}
	return k.parsed.reported(src + indexPath(field, i))
}

func (k *compiler) compile() *scope {
	c := k.c
	s := &scope{
		credentials:     isTrue(c.AllowCredentials),
		privateNetwork:  isTrue(c.AllowPrivateNetwork),
		preflightStatus: 204,
		forwarding:      forwardingOf(c.OnUnmatchedPreflight),
		// "omit" is the default; "" means unset.
		rejectDisallowed: c.OnDisallowedOrigin == Reject,
		upstream:         ReplaceUpstream,
	}
	if c.UpstreamCORSHeaders == Keep {
		s.upstream = KeepUpstream
	}
	s.enabled = c.Enabled == nil || *c.Enabled
	s.audit = c.Mode == Audit
	k.enforcement(s)
	s.debug = isTrue(c.Debug)
	s.timingAllowOrigin = isTrue(c.TimingAllowOrigin)
	s.isolation = isolationHeaders(c.Isolation)
	s.origins = k.originSet(s.enabled)
	k.methods(s)
	k.allowHeaders(s)
	k.exposeHeaders(s)
	if c.MaxAge != nil {
		switch n := *c.MaxAge; {
		case n < 0 || n > MaxMaxAge:
			k.errorf(CodeOutOfRange, "max_age", -1, strconv.Itoa(n), "must be between 0 and 86400 seconds")
		default:
			if n > chromiumMaxAge {
				k.warnf(CodeMaxAgeCapped, "max_age", -1, strconv.Itoa(n), "Chromium caps Access-Control-Max-Age at 7200 seconds; Firefox at 86400")
			}
			s.acma = strconv.Itoa(n)
		}
	}
	if c.PreflightStatus != nil {
		switch n := *c.PreflightStatus; n {
		case 200, 204:
			s.preflightStatus = n
		default:
			k.errorf(CodeInvalidValue, "preflight_status", -1, strconv.Itoa(n), "must be 200 or 204")
		}
	}
	if isTrue(c.DangerouslyAllowInsecureOrigins) && !s.credentials {
		k.warnf(CodeNoEffect, "dangerously_allow_insecure_origins", -1, "true", "has no effect without allow_credentials")
	}
	// "*" without credentials answers every origin alike (Fetch §3.2.5), so
	// a cache may serve it to any request, unless enforce_percent audits some
	// origins: their responses are the upstream's, so a cache must key on
	// Origin.
	s.varyOrigin = !(s.origins.Any() && !s.credentials) || s.rollout
	return s
}

func (k *compiler) methods(s *scope) {
	var list []string
	for i, m := range k.c.AllowMethods {
		const field = "allow_methods"
		switch {
		case k.skip(field, i):
			continue
		case m == "*":
			s.anyMethod = true
			continue
		case !httpfield.IsToken(m):
			k.errorf(CodeInvalidToken, field, i, quote(m), "not a method name (an HTTP token)")
			continue
		case len(m) > MaxMethodLength:
			// A request method this long is refused unread: listing it
			// could never allow anything.
			k.errorf(CodeTooLong, field, i, quote(m), "method longer than 64 bytes")
			continue
		}
		upper := strings.ToUpper(m)
		if contains(forbiddenMethods, upper) {
			k.errorf(CodeForbiddenMethod, field, i, quote(m), "a forbidden method (Fetch §2.2.1): browsers never let scripts send it")
			continue
		}
		if m != upper && contains(normalizedMethods, upper) {
			k.errorf(CodeMethodCase, field, i, quote(m), "browsers always send this method as "+quote(upper)+", and methods compare case-sensitively; write "+quote(upper))
			continue
		}
		if !s.methods.add(m) {
			k.warnf(CodeDuplicate, field, i, quote(m), "duplicate; remove it")
			continue
		}
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
	var list []string
	for i, h := range k.c.AllowHeaders {
		const field = "allow_headers"
		switch {
		case k.skip(field, i):
			continue
		case h == "*":
			s.anyHeader = true
			continue
		case !httpfield.IsToken(h):
			k.errorf(CodeInvalidToken, field, i, quote(h), "not a header name (an HTTP token)")
			continue
		case len(h) > maxHeaderNameLength:
			k.errorf(CodeTooLong, field, i, quote(h), "header name longer than 256 bytes")
			continue
		}
		lower := strings.ToLower(h)
		if isForbiddenRequestHeader(lower) {
			k.errorf(CodeForbiddenHeader, field, i, quote(h), "a forbidden request header (Fetch §2.2.2): browsers never let scripts send it, so it never needs allowing")
			continue
		}
		if !s.headers.add(lower) {
			k.warnf(CodeDuplicate, field, i, quote(h), "duplicate (header names are case-insensitive); remove it")
			continue
		}
		list = append(list, lower)
	}
	if !s.anyHeader {
		s.acah = strings.Join(list, ", ")
		return
	}
	auth := s.headers.has("authorization")
	if len(list) > 1 || len(list) == 1 && !auth {
		k.warnf(CodeRedundant, "allow_headers", -1, "", "\"*\" allows every header but authorization; the other names are redundant")
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
		const field = "expose_headers"
		switch {
		case k.skip(field, i):
			continue
		case h == "*" && s.credentials:
			k.errorf(CodeCredentialsExposeAny, field, i, quote(h), "cannot be used with allow_credentials: browsers then read it as a header named \"*\"; list the headers instead")
			continue
		case h == "*":
			anyHeader = true
			continue
		case !httpfield.IsToken(h):
			k.errorf(CodeInvalidToken, field, i, quote(h), "not a header name (an HTTP token)")
			continue
		}
		lower := strings.ToLower(h)
		switch {
		case contains(forbiddenResponseHeaders, lower):
			k.warnf(CodeNoEffect, field, i, quote(h), "browsers never expose this header to scripts; listing it has no effect")
			continue
		case contains(safelistedResponseHeaders, lower):
			k.warnf(CodeNoEffect, field, i, quote(h), "a CORS-safelisted response header, always exposed; listing it has no effect")
			continue
		case seen[lower]:
			k.warnf(CodeDuplicate, field, i, quote(h), "duplicate (header names are case-insensitive); remove it")
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
		{Name: HeaderCrossOriginResourcePolicy, Value: iso.CrossOriginResourcePolicy},
		{Name: HeaderCrossOriginEmbedderPolicy, Value: iso.CrossOriginEmbedderPolicy},
		{Name: HeaderCrossOriginOpenerPolicy, Value: iso.CrossOriginOpenerPolicy},
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
