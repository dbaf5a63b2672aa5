package policy

import (
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/corswasm/corswasm/internal/httpfield"
)

// UpstreamAnswer is what an upstream answered to a CORS request, as audit
// mode compares it with the policy: the status and every line of the
// Access-Control-* headers a browser reads.
//
// CompareUpstream and AppendDescription work in scratch space kept in the
// UpstreamAnswer: a caller that reuses one UpstreamAnswer compares without
// allocating once that space has grown.
type UpstreamAnswer struct {
	Status              int
	AllowOrigin         []string
	AllowCredentials    []string
	AllowMethods        []string
	AllowHeaders        []string
	AllowPrivateNetwork []string

	scratch auditScratch
}

// auditScratch is the reusable space of the comparisons: two joined header
// values and the items of two lists.
type auditScratch struct {
	joined [2][]byte
	items  [2][]string
}

// Reset empties u for the next answer, keeping its space.
func (u *UpstreamAnswer) Reset() {
	clear(u.AllowOrigin)
	clear(u.AllowCredentials)
	clear(u.AllowMethods)
	clear(u.AllowHeaders)
	clear(u.AllowPrivateNetwork)
	*u = UpstreamAnswer{
		AllowOrigin: u.AllowOrigin[:0], AllowCredentials: u.AllowCredentials[:0],
		AllowMethods: u.AllowMethods[:0], AllowHeaders: u.AllowHeaders[:0],
		AllowPrivateNetwork: u.AllowPrivateNetwork[:0], scratch: u.scratch,
	}
}

// Disagreement is a set of ways an upstream's answer differs from what the
// policy would have sent.
type Disagreement uint8

// The kinds of disagreement.
const (
	// PreflightVerdict: the browser would accept one preflight answer and
	// refuse the other.
	PreflightVerdict Disagreement = 1 << iota
	// PreflightOrigin: both accepted, with different
	// Access-Control-Allow-Origin values.
	PreflightOrigin
	// PreflightMethods: both accepted, allowing different methods.
	PreflightMethods
	// PreflightHeaders: both accepted, allowing different headers.
	PreflightHeaders
	// ActualOrigin: different Access-Control-Allow-Origin on an actual
	// request's response.
	ActualOrigin
	// ActualCredentials: different Access-Control-Allow-Credentials.
	ActualCredentials

	numDisagreements = iota
)

var disagreementNames = [numDisagreements]string{
	"preflight_verdict", "preflight_origin", "preflight_methods", "preflight_headers",
	"actual_origin", "actual_credentials",
}

// Kinds lists the kinds of disagreement, in order; their names (String)
// are the suffixes of the audit counters.
func (k Disagreement) Kinds() []Disagreement {
	var out []Disagreement
	for i := range numDisagreements {
		if k&(1<<i) != 0 {
			out = append(out, 1<<i)
		}
	}
	return out
}

// AllDisagreements is the set of every kind.
const AllDisagreements Disagreement = 1<<numDisagreements - 1

// String names a kind, e.g. "preflight_methods"; a set of several kinds
// is named by its kinds joined with "|".
func (k Disagreement) String() string {
	for i := range numDisagreements {
		if k == 1<<i {
			return disagreementNames[i]
		}
	}
	var names []string
	for _, kind := range k.Kinds() {
		names = append(names, kind.String())
	}
	return strings.Join(names, "|")
}

// CompareUpstream compares the upstream's answer to a CORS request with the
// decision the policy made for it (which audit mode did not enforce). For a
// preflight it asks whether the browser would accept each answer for this
// request (Fetch §4.8 and the CORS check of §4.9) and, when both would,
// whether they allow the same origin, methods and headers; for an actual
// request it compares Access-Control-Allow-Origin and -Credentials. The
// browser's credentials mode is assumed to be the policy's
// allow_credentials.
func CompareUpstream(r *Request, d *Decision, u *UpstreamAnswer) Disagreement {
	// Where enforcing would pass the upstream's answer through unchanged (a
	// failing preflight forwarded, CORS headers the upstream set kept), that
	// answer is the policy's own outcome.
	if d.Kind == PreflightRefused && !d.Reply || d.Upstream == KeepUpstream && len(u.AllowOrigin) > 0 {
		return 0
	}
	s := &u.scratch
	var k Disagreement
	switch d.Kind {
	case PreflightAllowed, PreflightRefused:
		policyOK := d.Kind == PreflightAllowed
		upstreamOK := acceptsPreflight(r, d.credentials, u)
		switch {
		case policyOK != upstreamOK:
			k |= PreflightVerdict
		case policyOK:
			if !s.sameValue(d, HeaderAllowOrigin, u.AllowOrigin) {
				k |= PreflightOrigin
			}
			if !s.sameList(d, HeaderAllowMethods, u.AllowMethods, false) {
				k |= PreflightMethods
			}
			if !s.sameList(d, HeaderAllowHeaders, u.AllowHeaders, true) {
				k |= PreflightHeaders
			}
		}
	case ActualAllowed, ActualDisallowed:
		if !s.sameValue(d, HeaderAllowOrigin, u.AllowOrigin) {
			k |= ActualOrigin
		}
		if s.decisionIsTrue(d, HeaderAllowCredentials) != s.isTrue(u.AllowCredentials) {
			k |= ActualCredentials
		}
	}
	return k
}

// Describe renders, for one kind of disagreement, what the policy would
// have done and what the upstream did, as phrases for a log line: "policy
// would " + policy + "; upstream " + upstream.
func Describe(k Disagreement, d *Decision, u *UpstreamAnswer) (policy, upstream string) {
	return string(appendPolicyPhrase(nil, k, d, u)), string(appendUpstreamPhrase(nil, k, d, u))
}

// AppendDescription appends Describe's phrases to b as a log line has
// them: "policy would " + policy + "; upstream " + upstream. It allocates
// nothing when b has room and u has been used before.
func AppendDescription(b []byte, k Disagreement, d *Decision, u *UpstreamAnswer) []byte {
	b = append(b, "policy would "...)
	b = appendPolicyPhrase(b, k, d, u)
	b = append(b, "; upstream "...)
	return appendUpstreamPhrase(b, k, d, u)
}

// describedHeader is the header a kind of disagreement is about, and the
// upstream's lines of it.
func describedHeader(k Disagreement, u *UpstreamAnswer) (string, []string) {
	switch k {
	case PreflightOrigin, ActualOrigin:
		return HeaderAllowOrigin, u.AllowOrigin
	case PreflightMethods:
		return HeaderAllowMethods, u.AllowMethods
	case PreflightHeaders:
		return HeaderAllowHeaders, u.AllowHeaders
	case ActualCredentials:
		return HeaderAllowCredentials, u.AllowCredentials
	}
	return "", nil
}

func appendPolicyPhrase(b []byte, k Disagreement, d *Decision, u *UpstreamAnswer) []byte {
	if k == PreflightVerdict {
		if d.Kind == PreflightAllowed {
			return append(b, "allow the preflight"...)
		}
		b = append(b, "refuse the preflight ("...)
		b = append(b, d.Reason.String()...)
		return append(b, ')')
	}
	name, _ := describedHeader(k, u)
	if name == "" {
		return b
	}
	b = append(b, "send "...)
	b = append(b, name...)
	b = append(b, ": "...)
	s := &u.scratch
	s.joined[1] = d.appendJoined(s.joined[1][:0], name)
	return s.appendQuoteOrNone(b)
}

func appendUpstreamPhrase(b []byte, k Disagreement, d *Decision, u *UpstreamAnswer) []byte {
	if k == PreflightVerdict {
		if d.Kind == PreflightAllowed {
			b = append(b, "sent an answer the browser would refuse (status "...)
			b = strconv.AppendInt(b, int64(u.Status), 10)
			b = append(b, ", access-control-allow-origin: "...)
			u.scratch.joined[1] = appendJoined(u.scratch.joined[1][:0], u.AllowOrigin)
			b = u.scratch.appendQuoteOrNone(b)
			return append(b, ')')
		}
		return append(b, "sent an answer the browser would accept"...)
	}
	name, lines := describedHeader(k, u)
	if name == "" {
		return b
	}
	b = append(b, "sent "...)
	b = append(b, name...)
	b = append(b, ": "...)
	u.scratch.joined[1] = appendJoined(u.scratch.joined[1][:0], lines)
	return u.scratch.appendQuoteOrNone(b)
}

// acceptsPreflight reports whether a browser would accept the upstream's
// answer as the preflight of r.
func acceptsPreflight(r *Request, credentials bool, u *UpstreamAnswer) bool {
	// Fetch §4.8: a preflight's response must have an ok status and pass
	// the CORS check (§4.9).
	if u.Status < 200 || u.Status > 299 || len(u.AllowOrigin) != 1 {
		return false
	}
	acao := u.AllowOrigin[0]
	if acao != r.Origin && (acao != "*" || credentials) {
		return false
	}
	s := &u.scratch
	if credentials && !s.isTrue(u.AllowCredentials) {
		return false
	}
	// The method must be safelisted or listed; "*" counts only without
	// credentials.
	s.joined[0] = appendJoined(s.joined[0][:0], u.AllowMethods)
	methods, ok := s.listItems(0)
	if !ok {
		return false
	}
	m := r.RequestMethod
	if !isSafelistedMethod(m) && !slices.Contains(methods, m) && (credentials || !slices.Contains(methods, "*")) {
		return false
	}
	// Every requested header must be listed; "*" counts only without
	// credentials and never for Authorization.
	s.joined[1] = appendJoined(s.joined[1][:0], u.AllowHeaders)
	allowed, ok := s.listItems(1)
	if !ok {
		return false
	}
	for _, line := range r.RequestHeaders {
		sc := httpfield.NewScanner(line)
		for {
			name, more := sc.Next()
			if sc.Invalid() {
				return false
			}
			if !more {
				break
			}
			if !containsFold(allowed, name) &&
				(credentials || !slices.Contains(allowed, "*") || strings.EqualFold(name, "authorization")) {
				return false
			}
		}
	}
	// Private Network Access: the answer must grant it when asked.
	if r.RequestPrivateNetwork == "true" && !s.isTrue(u.AllowPrivateNetwork) {
		return false
	}
	return true
}

// appendJoined appends the decision's lines of header name joined, as a
// browser reads them ("" when absent).
func (d *Decision) appendJoined(b []byte, name string) []byte {
	first := true
	for _, h := range d.Headers() {
		if h.Name == name {
			if !first {
				b = append(b, ", "...)
			}
			b = append(b, h.Value...)
			first = false
		}
	}
	return b
}

// appendJoined appends lines joined as join does.
func appendJoined(b []byte, lines []string) []byte {
	for i, l := range lines {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, l...)
	}
	return b
}

// value returns the value of a header of the decision, "" when absent
// (lines of the same name joined, as a browser reads them).
func (d *Decision) value(name string) string { return string(d.appendJoined(nil, name)) }

// view is a string over b, valid while b is not written again.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// sameValue reports whether the decision's header name, joined, equals the
// joined lines.
func (s *auditScratch) sameValue(d *Decision, name string, lines []string) bool {
	s.joined[0] = d.appendJoined(s.joined[0][:0], name)
	s.joined[1] = appendJoined(s.joined[1][:0], lines)
	return string(s.joined[0]) == string(s.joined[1])
}

// isTrue reports whether lines, joined, are exactly "true".
func (s *auditScratch) isTrue(lines []string) bool {
	s.joined[0] = appendJoined(s.joined[0][:0], lines)
	return string(s.joined[0]) == "true"
}

// decisionIsTrue reports whether the decision's header name is "true".
func (s *auditScratch) decisionIsTrue(d *Decision, name string) bool {
	s.joined[0] = d.appendJoined(s.joined[0][:0], name)
	return string(s.joined[0]) == "true"
}

// listItems splits the value in scratch slot i into a comma-separated list
// of tokens (Fetch "extracting header list values"), ignoring empty
// elements; ok is false if an element is not a token. The items are views
// of the slot, valid until it is written again.
func (s *auditScratch) listItems(i int) (items []string, ok bool) {
	s.items[i] = s.items[i][:0]
	sc := httpfield.NewScanner(view(s.joined[i]))
	for {
		item, more := sc.Next()
		if sc.Invalid() {
			return nil, false
		}
		if !more {
			return s.items[i], true
		}
		s.items[i] = append(s.items[i], item)
	}
}

// sameList reports whether the decision's header name and the upstream's
// lines allow the same things: as sets, case-insensitively for header names
// (fold), leaving out the safelisted methods a preflight never needs. An
// invalid list allows nothing.
func (s *auditScratch) sameList(d *Decision, name string, lines []string, fold bool) bool {
	s.joined[0] = d.appendJoined(s.joined[0][:0], name)
	s.joined[1] = appendJoined(s.joined[1][:0], lines)
	a, _ := s.listItems(0)
	b, _ := s.listItems(1)
	a, b = normalizeList(a, fold), normalizeList(b, fold)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if fold && !strings.EqualFold(a[i], b[i]) || !fold && a[i] != b[i] {
			return false
		}
	}
	return true
}

// normalizeList turns list items into a sorted set, in place: without the
// safelisted methods (methods), or compared case-insensitively (fold;
// items are tokens, so ASCII case folding is all there is).
func normalizeList(items []string, fold bool) []string {
	if !fold {
		n := 0
		for _, it := range items {
			if !isSafelistedMethod(it) {
				items[n] = it
				n++
			}
		}
		items = items[:n]
	}
	cmp := strings.Compare
	if fold {
		cmp = compareFold
	}
	sortStrings(items, cmp)
	n := 0
	for i, it := range items {
		if i == 0 || cmp(items[n-1], it) != 0 {
			items[n] = it
			n++
		}
	}
	return items[:n]
}

// sortStrings sorts in place, in O(n log n) (heapsort): a small function
// instead of the generic sort's instantiations, for lists that are short
// but come from the upstream.
func sortStrings(a []string, cmp func(a, b string) int) {
	down := func(i, n int) {
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && cmp(a[c+1], a[c]) > 0 {
				c++
			}
			if cmp(a[i], a[c]) >= 0 {
				return
			}
			a[i], a[c] = a[c], a[i]
			i = c
		}
	}
	for i := len(a)/2 - 1; i >= 0; i-- {
		down(i, len(a))
	}
	for n := len(a) - 1; n > 0; n-- {
		a[0], a[n] = a[n], a[0]
		down(0, n)
	}
}

// compareFold orders ASCII strings ignoring case.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// maxDescribed bounds the length of a header value Describe shows.
const maxDescribed = 128

// appendQuoteOrNone appends the value in scratch slot 1 quoted and
// truncated, or "(none)".
func (s *auditScratch) appendQuoteOrNone(b []byte) []byte {
	v := view(s.joined[1])
	switch {
	case v == "":
		return append(b, "(none)"...)
	case len(v) > maxDescribed:
		return append(strconv.AppendQuote(b, v[:maxDescribed]), "…"...)
	}
	return strconv.AppendQuote(b, v)
}
