package policy

// Request holds what the policy needs to know of a request: a few header
// values, as the proxy received them. Strings are not copied; evaluating a
// Request does not allocate for the common cases.
type Request struct {
	// Method is the request method (:method).
	Method string
	// Origin is the value of the first Origin header line.
	Origin string
	// OriginCount is the number of Origin header lines; 0 means the request
	// is not a CORS request.
	OriginCount int
	// RequestMethod is Access-Control-Request-Method ("" when absent).
	RequestMethod string
	// RequestHeaders holds every Access-Control-Request-Headers line.
	RequestHeaders []string
	// RequestPrivateNetwork is Access-Control-Request-Private-Network.
	RequestPrivateNetwork string
	// Scheme and Authority are the request's :scheme and :authority, used to
	// recognize a same-origin request and to choose a rule.
	Scheme, Authority string
	// Path is the request's :path, used to choose a rule.
	Path string
}

// Reset empties r for the next request, field by field: in a wasm module
// assigning Request{} is a memory.fill, a call out of the compiled code.
// TestRequestReset keeps the list whole.
func (r *Request) Reset() {
	r.Method, r.Origin, r.OriginCount = "", "", 0
	r.RequestMethod, r.RequestHeaders, r.RequestPrivateNetwork = "", nil, ""
	r.Scheme, r.Authority, r.Path = "", "", ""
}

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

// String names the kind for logs.
func (k Kind) String() string { return kindNames[k] }

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

// String gives the reason in a short, fixed vocabulary, safe to log or send.
func (r Reason) String() string { return reasonNames[r] }

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

// Decision is the policy's verdict on a request. The caller owns it and may
// reuse it across requests: Evaluate sets every field anew (its header
// storage is only read up to the count it sets).
type Decision struct {
	// Kind classifies the request and the verdict.
	Kind Kind
	// Reason says why a request was refused or disallowed.
	Reason Reason
	// Detail adds to Reason a token of the request that passed validation
	// (the method or header name that is not allowed), cut to 64 bytes;
	// never raw request bytes.
	Detail string
	// Reply is set when the proxy must answer locally with Status and
	// Headers instead of forwarding the request.
	Reply bool
	// Status is the status of the local reply.
	Status int
	// Vary is set when the response (local or upstream) must carry
	// `Vary: Origin`. A local reply may vary on more request headers: see
	// VaryValue.
	Vary bool
	// vary is every request header the response depends on.
	vary varySet
	// Upstream says what to do with the upstream's own CORS headers.
	Upstream UpstreamHandling

	// Rule names the rule that decided ("" for the top-level policy);
	// RuleIndex is 0 for the top-level policy and i+1 for rules[i].
	Rule      string
	RuleIndex int
	// Disabled is set when the deciding policy has enabled: false: the
	// request and its response pass through untouched.
	Disabled bool
	// Audit is set when the deciding policy is in audit mode: the filter
	// changes nothing, and compares the decision with the upstream's answer
	// (see CompareUpstream).
	Audit bool
	// Isolation lists the cross-origin isolation headers to add to the
	// upstream's response where it lacks them. The slice is shared: do not
	// modify it.
	Isolation []Header

	// credentials records the deciding policy's allow_credentials, which
	// the browser-side checks of CompareUpstream depend on.
	credentials bool
	headers     [maxDecisionHeaders]Header
	nHeaders    int
}

// reset makes d an empty verdict, as Decision{} but for the header array,
// which is only ever read up to nHeaders: clearing its 16 headers on every
// request was a bulk memory operation, and in a wasm module each is a call
// out of the compiled code; only the headers in use are cleared.
// TestDecisionReset keeps the list whole.
func (d *Decision) reset() {
	d.Kind, d.Reason, d.Detail = 0, NoReason, ""
	d.Reply, d.Status = false, 0
	d.Vary, d.vary, d.Upstream = false, 0, LeaveUpstream
	d.Rule, d.RuleIndex = "", 0
	d.Disabled, d.Audit, d.Isolation, d.credentials = false, false, nil, false
	clearHeaders(d.headers[:d.nHeaders])
	d.nHeaders = 0
}

// clearHeaders drops the strings of headers no longer in use, field by
// field (a Header cleared whole is a memory.fill in a wasm module): a
// reused array would otherwise keep an earlier request's bytes (an echoed
// origin or header name) alive after a request with fewer headers.
func clearHeaders(hs []Header) {
	for i := range hs {
		h := &hs[i]
		h.Name, h.Value, h.Detail = "", "", ""
	}
}

// Headers returns the Access-Control-* headers to add: to the local reply
// when Reply is set, otherwise to the upstream's response. Vary is not
// among them (see Vary).
func (d *Decision) Headers() []Header {
	return d.headers[:d.nHeaders]
}

// add appends a header to the verdict. Its fields are set one by one: in
// the wasm module a copy of a Header (48 bytes) is a memory.copy, which the
// runtime runs as a call out of the compiled code.
func (d *Decision) add(name, value string) { d.addDetailed(name, value, "") }

func (d *Decision) addDetailed(name, value, detail string) {
	if d.nHeaders < len(d.headers) {
		h := &d.headers[d.nHeaders]
		h.Name, h.Value, h.Detail = name, value, detail
		d.nHeaders++
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

// UpstreamCORSHeaders are the headers ReplaceUpstream removes from an
// upstream response, and KeepUpstream leaves as the upstream set them.
// Timing-Allow-Origin is among them: a browser's TAO check (Fetch, "TAO check")
// combines every value, so an upstream "*" beside the policy's origin
// would widen the policy's grant to every origin.
var UpstreamCORSHeaders = []string{
	HeaderAllowOrigin, HeaderAllowCredentials, HeaderAllowMethods,
	HeaderAllowHeaders, HeaderMaxAge, HeaderExposeHeaders, HeaderTimingAllowOrigin,
}
