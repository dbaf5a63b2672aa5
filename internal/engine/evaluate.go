package engine

import (
	"strings"

	"github.com/corswasm/corswasm/internal/httpfield"
)

// Evaluate decides what to do with a request and sets d to the verdict. It
// does not allocate for exact origins, wildcard origins and the usual
// preflights; its cost does not grow with the number of exact origins.
//
// The first rule whose match holds decides; a request no rule matches uses
// the top-level policy. Choosing the rule costs a hash lookup per host form
// and a walk along the path, whatever the number of rules.
//
// A request without Origin, most of a service's requests, is not
// evaluated: its verdict depends on nothing but the deciding policy, and
// was computed when the policy was compiled. d then refers to that
// verdict, which no method of d changes (see Decision).
func (p *Policy) Evaluate(r *Request, d *Decision) {
	s := p.top
	if len(p.rules) > 0 {
		s = p.scopeOf(r)
	}
	if len(r.Origins) == 0 {
		if d.shared == nil {
			// The previous request's verdict: let go of its bytes.
			d.own.reset()
		}
		d.shared = &s.withoutOrigin
		return
	}
	d.shared = nil
	s.decide(r, &d.own)
}

// scopeOf returns the policy deciding r when there are rules: the first
// rule whose match holds, or the top-level policy.
func (p *Policy) scopeOf(r *Request) *scope {
	i := p.index.find(r.Authority, r.Path)
	if p.routes != nil {
		i = first(i, p.routes.find(r))
	}
	if i >= 0 {
		return p.rules[i]
	}
	return p.top
}

// decide writes s's verdict on r into v.
func (s *scope) decide(r *Request, v *verdict) {
	v.reset()
	v.rule, v.ruleIndex = s.name, s.index
	if !s.enabled {
		v.disabled = true
		return
	}
	v.audit = s.audit
	if s.rollout && len(r.Origins) > 0 {
		s.choose(r, v)
	}
	v.isolation = s.isolation
	v.credentials = s.credentials
	s.evaluate(r, v)
}

func (s *scope) evaluate(r *Request, v *verdict) {
	// Fetch §3.2.1: a CORS request is an HTTP request that includes an
	// Origin header. Without one, only the cache needs telling that the
	// response would differ for a CORS request.
	if len(r.Origins) == 0 {
		v.kind = NotCORS
		if s.varyOrigin {
			v.vary = varyOnOrigin
		} else {
			// Fetch §3.2.5: with "*" and no credentials the answer does not
			// depend on the origin, so it goes on every response, and a
			// cache may serve any of them to any request.
			v.upstream = s.upstream
			s.addActualHeaders(v, "*")
		}
		return
	}
	allowed, reason := s.checkOrigin(r)
	// Fetch §3.2.2: a CORS-preflight request is an OPTIONS request with an
	// Origin and an Access-Control-Request-Method.
	if r.Method == "OPTIONS" && r.RequestMethod != "" {
		s.preflight(r, v, allowed, reason)
		return
	}
	s.actual(r, v, allowed, reason)
}

// checkOrigin decides whether the request's origin is allowed. A second
// Origin line, or a value that is not a serialized origin, is never allowed
// (and so never reflected).
func (s *scope) checkOrigin(r *Request) (bool, Reason) {
	if len(r.Origins) > 1 {
		return false, MalformedOrigin
	}
	allowed, wellFormed := s.origins.Match(r.Origins[0])
	switch {
	case !wellFormed:
		return false, MalformedOrigin
	case !allowed:
		return false, OriginNotAllowed
	}
	return true, NoReason
}

// allowOrigin is the Access-Control-Allow-Origin value for an allowed origin
// (Fetch §3.2.3): "*" only for any origin without credentials, otherwise
// the origin itself, which matched the policy and is therefore safe to echo.
func (s *scope) allowOrigin(r *Request) string {
	if s.origins.Any() && !s.credentials {
		return "*"
	}
	return r.Origins[0]
}

// preflight answers a CORS-preflight request (Fetch §4.8, "CORS-preflight
// fetch", seen from the server): the reply must let every check the browser
// makes pass, or fail them all.
func (s *scope) preflight(r *Request, v *verdict, allowed bool, reason Reason) {
	if !allowed {
		s.refusePreflight(v, reason, "")
		return
	}
	// Fetch §4.8 step 7.7: the method must be CORS-safelisted or in
	// Access-Control-Allow-Methods, compared case-sensitively; "*" counts
	// only without credentials (we echo the method when there are). Its
	// length is checked before any of its bytes is read: no real method is
	// near MaxMethodLength, and a hostile one costs a comparison, not a scan,
	// a hash and an echo.
	m := r.RequestMethod
	if len(m) > MaxMethodLength {
		s.refusePreflight(v, MethodTooLong, "")
		return
	}
	if !httpfield.IsToken(m) {
		s.refusePreflight(v, MalformedMethod, "")
		return
	}
	if !s.anyMethod && !s.methods.has(m) && !isSafelistedMethod(m) {
		s.refusePreflight(v, MethodNotAllowed, m)
		return
	}
	if reason, name := s.checkRequestHeaders(r.RequestHeaders); reason != NoReason {
		s.refusePreflight(v, reason, name)
		return
	}
	// Private Network Access: a preflight that asks for private network
	// access must get it explicitly.
	pna := r.RequestPrivateNetwork == "true"
	if pna && !s.privateNetwork {
		s.refusePreflight(v, PrivateNetworkNotAllowed, "")
		return
	}

	v.kind = PreflightAllowed
	v.reply = true
	v.status = s.preflightStatus
	v.vary = s.preflightVary()
	v.add(HeaderAllowOrigin, s.allowOrigin(r))
	if s.credentials {
		v.add(HeaderAllowCredentials, "true")
	}
	switch {
	case s.acam != "":
		v.add(HeaderAllowMethods, s.acam)
	case s.anyMethod:
		// With credentials "*" is a method name to the browser: echo the
		// requested method, a validated token.
		v.add(HeaderAllowMethods, m)
	}
	switch {
	case s.acah != "":
		v.add(HeaderAllowHeaders, s.acah)
	case s.anyHeader:
		// With credentials, echo the requested names: every line was just
		// validated as a list of tokens.
		for _, line := range r.RequestHeaders {
			if httpfield.HasToken(line) {
				v.add(HeaderAllowHeaders, line)
			}
		}
	}
	if s.acma != "" {
		v.add(HeaderMaxAge, s.acma)
	}
	if pna {
		v.add(HeaderAllowPrivateNetwork, "true")
	}
}

// refusePreflight records a failed check. detail is the refused method or
// header name, a validated token, cut to maxReasonDetail bytes so that
// neither x-cors-reason nor a log line carries more of the request.
func (s *scope) refusePreflight(v *verdict, reason Reason, detail string) {
	v.kind = PreflightRefused
	v.reason = reason
	if len(detail) > maxReasonDetail {
		detail = detail[:maxReasonDetail]
	}
	v.detail = detail
	if !s.forwards(reason) {
		v.reply = true
		v.status = 403
		v.vary = s.refusalVary(reason)
		s.addReason(v)
		return
	}
	v.upstream = LeaveUpstream
}

// maxReasonDetail bounds the detail (a validated token) x-cors-reason shows.
const maxReasonDetail = 64

// addReason adds x-cors-reason to a refusal when the policy has debug on:
// the reason's fixed text and, for a method or header, the token that was
// refused, as the Header's Detail (the header's value is "reason: detail";
// kept in two parts, it costs no allocation). Only tokens the request
// parsers validated ever appear in it, never raw request bytes.
func (s *scope) addReason(v *verdict) {
	if !s.debug {
		return
	}
	v.addDetailed(HeaderReason, v.reason.String(), v.detail)
}

// checkRequestHeaders checks every name of Access-Control-Request-Headers
// (Fetch §4.8 step 7.8: each must be in Access-Control-Allow-Headers, where
// "*" counts only without credentials and never covers Authorization). The
// lines are bounded in size and name count before any name is looked at.
func (s *scope) checkRequestHeaders(lines []string) (Reason, string) {
	if len(lines) > MaxRequestHeadersLines {
		return TooManyHeaders, ""
	}
	total := 0
	for _, line := range lines {
		total += len(line)
	}
	if total > MaxRequestHeadersBytes {
		return TooManyHeaders, ""
	}
	count := 0
	for _, line := range lines {
		sc := httpfield.NewScanner(line)
		for {
			name, ok := sc.Next()
			if sc.Invalid() {
				return MalformedHeaders, ""
			}
			if !ok {
				break
			}
			if count++; count > MaxRequestHeaderNames {
				return TooManyHeaders, ""
			}
			if !s.headerAllowed(name) {
				return HeaderNotAllowed, name
			}
		}
	}
	return NoReason, ""
}

// headerAllowed reports whether a requested header name is allowed: names
// compare case-insensitively (RFC 9110 §5.1).
func (s *scope) headerAllowed(name string) bool {
	if s.anyHeader && !strings.EqualFold(name, "authorization") {
		return true
	}
	return s.headers.hasFold(name)
}

// actual handles a CORS request that is not a preflight (Fetch §3.2.3, the
// CORS check): the response tells the browser whether the origin may read
// it.
func (s *scope) actual(r *Request, v *verdict, allowed bool, reason Reason) {
	if s.varyOrigin {
		v.vary = varyOnOrigin
	}
	v.upstream = s.upstream
	if allowed {
		v.kind = ActualAllowed
		s.addActualHeaders(v, s.allowOrigin(r))
		return
	}
	v.kind = ActualDisallowed
	v.reason = reason
	// With "*" only a malformed Origin is disallowed, and its response,
	// unlike every other one, lacks Access-Control-Allow-Origin: a cache
	// must keep it for that Origin only.
	v.vary = varyOnOrigin
	// reject refuses every such request, whatever its mode: Fetch §3.1
	// ("append a request `Origin` header", steps 3-4) sends Origin on CORS
	// requests and on every request whose method is neither GET nor HEAD,
	// a cross-site form POST navigation included, the forgery reject exists
	// to stop (SECURITY.md, threat 9). Same-origin requests other than GET
	// and HEAD carry Origin too; they never need CORS and are never
	// rejected.
	if s.rejectDisallowed && !sameOrigin(r) {
		v.reply = true
		v.status = 403
		v.upstream = LeaveUpstream
		s.addReason(v)
	}
}

// addActualHeaders adds the headers of a response to an allowed origin
// (Fetch §3.2.3): origin is the Access-Control-Allow-Origin value.
func (s *scope) addActualHeaders(v *verdict, origin string) {
	v.add(HeaderAllowOrigin, origin)
	if s.credentials {
		v.add(HeaderAllowCredentials, "true")
	}
	if s.aceh != "" {
		v.add(HeaderExposeHeaders, s.aceh)
	}
	if s.timingAllowOrigin {
		// Resource Timing: the same origin may read detailed timings.
		v.add(HeaderTimingAllowOrigin, origin)
	}
}

// sameOrigin reports whether the Origin is the request's own origin:
// :scheme "://" :authority, the authority compared case-insensitively and
// without the scheme's default port.
func sameOrigin(r *Request) bool {
	if len(r.Origins) != 1 || r.Scheme == "" || r.Authority == "" {
		return false
	}
	o := r.Origins[0]
	if len(o) < len(r.Scheme)+3 || o[:len(r.Scheme)] != r.Scheme || o[len(r.Scheme):len(r.Scheme)+3] != "://" {
		return false
	}
	authority := r.Authority
	switch {
	case r.Scheme == "https" && strings.HasSuffix(authority, ":443"):
		authority = authority[:len(authority)-4]
	case r.Scheme == "http" && strings.HasSuffix(authority, ":80"):
		authority = authority[:len(authority)-3]
	}
	return strings.EqualFold(o[len(r.Scheme)+3:], authority)
}
