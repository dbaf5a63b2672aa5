package engine

import (
	"slices"
	"strconv"
)

// Kind classifies a request and the policy's verdict on it.
type Kind uint8

// The kinds of decision.
const (
	// NotCORS: no Origin header; the request passes untouched.
	NotCORS Kind = iota
	// PreflightAllowed: a preflight every check of which passed.
	PreflightAllowed
	// PreflightRefused: a preflight that failed a check (see Reason).
	PreflightRefused
	// ActualAllowed: a CORS request from an allowed origin.
	ActualAllowed
	// ActualDisallowed: a CORS request from a disallowed origin.
	ActualDisallowed
)

var kindNames = [...]string{"not CORS", "preflight allowed", "preflight refused", "actual allowed", "actual disallowed"}

// String names the kind for logs; a value that is no kind is named
// "Kind(n)".
func (k Kind) String() string { return enumName(kindNames[:], k, "Kind") }

// Reason says why a request was refused or disallowed.
type Reason uint8

// The reasons for a refusal.
const (
	NoReason Reason = iota
	OriginNotAllowed
	MalformedOrigin
	MethodNotAllowed
	MalformedMethod
	HeaderNotAllowed
	MalformedHeaders
	TooManyHeaders
	PrivateNetworkNotAllowed
	// MethodTooLong: an Access-Control-Request-Method longer than
	// MaxMethodLength, refused before any of its bytes is read.
	MethodTooLong
)

var reasonNames = [...]string{
	"", "origin not allowed", "malformed origin", "method not allowed", "malformed method",
	"header not allowed", "malformed access-control-request-headers",
	"access-control-request-headers too large", "private network not allowed",
	"method too long",
}

// String gives the reason in a short, fixed vocabulary, safe to log or
// send; a value that is no reason is named "Reason(n)".
func (r Reason) String() string { return enumName(reasonNames[:], r, "Reason") }

// enumName is names[v], or "Type(v)" for a value past the names: a value
// converted from a number is a valid Go value, and naming it in a log line
// must not panic.
func enumName[E ~uint8](names []string, v E, typ string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// UpstreamHandling says what the response phase does with the CORS headers
// the upstream set itself.
type UpstreamHandling uint8

// The ways of handling upstream CORS headers.
const (
	// LeaveUpstream leaves the upstream's headers alone (non-CORS requests,
	// forwarded preflights).
	LeaveUpstream UpstreamHandling = iota
	// ReplaceUpstream removes the upstream's UpstreamCORSHeaders
	// (Access-Control-Allow-Origin, -Credentials, -Methods, -Headers,
	// -Max-Age, -Expose-Headers and Timing-Allow-Origin) before the policy's
	// headers are added, whether or not the policy adds them: each then has
	// the policy's value or none.
	ReplaceUpstream
	// KeepUpstream adds the policy's headers only when the upstream response
	// has no Access-Control-Allow-Origin, and then only those of the
	// UpstreamCORSHeaders the upstream did not set itself: a header never
	// gets two values, one from each.
	KeepUpstream
)

// Header is one response header to send. Names are lower case, as Envoy
// passes them.
//
// The value sent is Value, or, when Detail is not empty, Value + ": " +
// Detail (AppendValue writes it). Only x-cors-reason has a Detail: the
// reason's fixed text and the refused token are kept apart so that
// Evaluate never concatenates strings, which would allocate.
type Header struct {
	Name, Value string
	// Detail is the refused method or header name of an x-cors-reason:
	// a token the request parsers validated, at most 64 bytes.
	Detail string
}

// AppendValue appends the value to send (Value, then ": " and Detail if
// there is one) to b.
func (h *Header) AppendValue(b []byte) []byte {
	b = append(b, h.Value...)
	if h.Detail != "" {
		b = append(b, ": "...)
		b = append(b, h.Detail...)
	}
	return b
}

// maxDecisionHeaders is the most headers a decision carries: the six
// Access-Control-* headers of a preflight reply, where
// Access-Control-Allow-Headers may be echoed once per request line, and
// x-cors-reason.
const maxDecisionHeaders = 6 + MaxRequestHeadersLines

// Decision is the policy's verdict on a request, which Evaluate sets and
// its methods read. The caller owns it and may reuse it across requests
// (and copy it): Evaluate sets it anew.
//
// Nothing an importer can do to a Decision changes another one, nor the
// policy: the verdict on a request without Origin, compiled with the
// policy and shared by every such request, is only ever read (Headers
// copies it into the Decision first), and every other verdict is written
// into the Decision itself.
type Decision struct {
	// shared is the compiled verdict on a request without Origin, nil when
	// own holds the verdict: Evaluate sets one pointer rather than
	// writing a verdict for the most common request.
	shared *verdict
	own    verdict
}

// verdict is what a Decision says.
type verdict struct {
	kind   Kind
	reason Reason
	// detail is a token of the request that passed validation, cut to
	// maxReasonDetail bytes.
	detail string
	reply  bool
	status int
	// vary is every request header the response depends on.
	vary     varySet
	upstream UpstreamHandling
	rule     string
	// ruleIndex is 0 for the top-level policy and i+1 for rules[i].
	ruleIndex int
	disabled  bool
	audit     bool
	// rollout says how enforce_percent chose audit or enforce, and
	// percent is that share (see rollout.go).
	rollout Rollout
	percent uint8
	// isolation is the deciding policy's, shared with it: only read.
	isolation []Header
	// credentials records the deciding policy's allow_credentials, which
	// the browser-side checks of CompareUpstream depend on.
	credentials bool
	headers     [maxDecisionHeaders]Header
	nHeaders    int
}

// reset makes v an empty verdict, field by field but for the header array,
// which is only ever read up to nHeaders: only the headers in use are
// cleared (why not in bulk: internal/abi's package doc).
// TestVerdictReset keeps the list whole.
func (v *verdict) reset() {
	v.kind, v.reason, v.detail = 0, NoReason, ""
	v.reply, v.status = false, 0
	v.vary, v.upstream = 0, LeaveUpstream
	v.rule, v.ruleIndex = "", 0
	v.disabled, v.audit, v.isolation, v.credentials = false, false, nil, false
	v.rollout, v.percent = NoRollout, 0
	clearHeaders(v.headers[:v.nHeaders])
	v.nHeaders = 0
}

// clearHeaders drops the strings of headers no longer in use, field by
// field (why: internal/abi's package doc): a
// reused array would otherwise keep an earlier request's bytes (an echoed
// origin or header name) alive after a request with fewer headers.
func clearHeaders(hs []Header) {
	for i := range hs {
		h := &hs[i]
		h.Name, h.Value, h.Detail = "", "", ""
	}
}

// verdict returns what d says.
func (d *Decision) verdict() *verdict {
	if d.shared != nil {
		return d.shared
	}
	return &d.own
}

// Kind classifies the request and the verdict.
func (d *Decision) Kind() Kind { return d.verdict().kind }

// Reason says why a request was refused or disallowed (NoReason
// otherwise).
func (d *Decision) Reason() Reason { return d.verdict().reason }

// Detail adds to Reason a token of the request that passed validation (the
// method or header name that is not allowed), cut to 64 bytes; never raw
// request bytes.
func (d *Decision) Detail() string { return d.verdict().detail }

// Reply reports whether the proxy must answer locally with Status and
// Headers instead of forwarding the request.
func (d *Decision) Reply() bool { return d.verdict().reply }

// Status is the status of the local reply.
func (d *Decision) Status() int { return d.verdict().status }

// Vary reports whether the response (local or upstream) must carry
// `Vary: Origin`. A local reply may vary on more request headers: see
// VaryValue.
func (d *Decision) Vary() bool { return d.verdict().vary&varyOnOrigin != 0 }

// Upstream says what to do with the upstream's own CORS headers.
func (d *Decision) Upstream() UpstreamHandling { return d.verdict().upstream }

// Rule names the rule that decided ("" for the top-level policy).
func (d *Decision) Rule() string { return d.verdict().rule }

// RuleIndex is 0 for the top-level policy and i+1 for rules[i] (see
// Policy.RuleNames).
func (d *Decision) RuleIndex() int { return d.verdict().ruleIndex }

// Disabled reports whether the deciding policy has enabled: false: the
// request and its response pass through untouched.
func (d *Decision) Disabled() bool { return d.verdict().disabled }

// Audit reports whether the deciding policy is in audit mode: the filter
// changes nothing, and compares the decision with the upstream's answer
// (see CompareUpstream).
func (d *Decision) Audit() bool { return d.verdict().audit }

// Headers returns the Access-Control-* headers to add: to the local reply
// when Reply is set, otherwise to the upstream's response. Vary is not
// among them (see Vary), nor are the isolation headers (see Outcome).
//
// They are d's own: a caller may change them (to copy a value into memory
// of its own, say), which changes d alone, until the next Evaluate. For a
// verdict shared with other requests, Headers first copies it into d.
func (d *Decision) Headers() []Header {
	if d.shared != nil {
		d.own = *d.shared
		d.shared = nil
	}
	return d.own.headers[:d.own.nHeaders]
}

// Reset empties d, letting go of the request's bytes its verdict refers to
// (an echoed origin or header name, a refused token), for a caller that
// keeps d between requests.
func (d *Decision) Reset() {
	d.shared = nil
	d.own.reset()
}

// AppendViews appends to dst a pointer to each string of d that may be a
// view of the request's bytes (the refused token; the values and details of
// headers, which may echo the request), for a caller that keeps d after
// those bytes are gone, to point them at copies of its own. A verdict
// shared with other requests refers to no request: nothing is appended.
func (d *Decision) AppendViews(dst []*string) []*string {
	if d.shared != nil {
		return dst
	}
	v := &d.own
	dst = append(dst, &v.detail)
	for i := range v.nHeaders {
		h := &v.headers[i]
		dst = append(dst, &h.Value, &h.Detail)
	}
	return dst
}

// list returns the verdict's headers, for the package to read.
func (v *verdict) list() []Header { return v.headers[:v.nHeaders] }

// add appends a header to the verdict, field by field (why: internal/abi's
// package doc).
func (v *verdict) add(name, value string) { v.addDetailed(name, value, "") }

func (v *verdict) addDetailed(name, value, detail string) {
	if v.nHeaders < len(v.headers) {
		h := &v.headers[v.nHeaders]
		h.Name, h.Value, h.Detail = name, value, detail
		v.nHeaders++
	}
}

// Header names, lower case as on the wire in HTTP/2 and in Envoy.
const (
	HeaderOrigin                    = "origin"
	HeaderVary                      = "vary"
	HeaderRequestMethod             = "access-control-request-method"
	HeaderRequestHeaders            = "access-control-request-headers"
	HeaderRequestPrivateNetwork     = "access-control-request-private-network"
	HeaderAllowOrigin               = "access-control-allow-origin"
	HeaderAllowCredentials          = "access-control-allow-credentials"
	HeaderAllowMethods              = "access-control-allow-methods"
	HeaderAllowHeaders              = "access-control-allow-headers"
	HeaderMaxAge                    = "access-control-max-age"
	HeaderExposeHeaders             = "access-control-expose-headers"
	HeaderAllowPrivateNetwork       = "access-control-allow-private-network"
	HeaderTimingAllowOrigin         = "timing-allow-origin"
	HeaderReason                    = "x-cors-reason"
	HeaderCrossOriginResourcePolicy = "cross-origin-resource-policy"
	HeaderCrossOriginEmbedderPolicy = "cross-origin-embedder-policy"
	HeaderCrossOriginOpenerPolicy   = "cross-origin-opener-policy"
)

// upstreamCORSHeaders are the headers ReplaceUpstream removes from an
// upstream response, and KeepUpstream leaves as the upstream set them.
// Timing-Allow-Origin is among them: a browser's TAO check (Fetch, "TAO check")
// combines every value, so an upstream "*" beside the policy's origin
// would widen the policy's grant to every origin.
var upstreamCORSHeaders = []string{
	HeaderAllowOrigin, HeaderAllowCredentials, HeaderAllowMethods,
	HeaderAllowHeaders, HeaderMaxAge, HeaderExposeHeaders, HeaderTimingAllowOrigin,
}

// UpstreamCORSHeaders returns the headers ReplaceUpstream removes from an
// upstream response, and KeepUpstream leaves as the upstream set them, in
// the order of ResponseFacts.CORS's bits. The slice is the caller's.
func UpstreamCORSHeaders() []string { return slices.Clone(upstreamCORSHeaders) }
