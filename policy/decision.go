package policy

import "unsafe"

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
)

var reasonNames = [...]string{
	"", "origin not allowed", "malformed origin", "method not allowed", "malformed method",
	"header not allowed", "malformed access-control-request-headers",
	"access-control-request-headers too large", "private network not allowed",
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
	// ReplaceUpstream removes the upstream's Access-Control-Allow-Origin,
	// -Credentials, -Methods, -Headers, -Max-Age and -Expose-Headers before
	// the policy's headers are added.
	ReplaceUpstream
	// KeepUpstream adds the policy's headers only when the upstream response
	// has no Access-Control-Allow-Origin.
	KeepUpstream
)

// Header is one response header to send. Names are lower case, as Envoy
// passes them.
type Header struct {
	Name, Value string
}

// maxDecisionHeaders is the most headers a decision carries: the six
// Access-Control-* headers of a preflight reply, where
// Access-Control-Allow-Headers may be echoed once per request line, and
// x-cors-reason.
const maxDecisionHeaders = 6 + MaxRequestHeadersLines

// Decision is the policy's verdict on a request. The caller owns it and may
// reuse it across requests; Evaluate overwrites it entirely.
type Decision struct {
	// Kind classifies the request and the verdict.
	Kind Kind
	// Reason says why a request was refused or disallowed.
	Reason Reason
	// Detail adds to Reason a token of the request that passed validation
	// (the header name that is not allowed); never raw request bytes.
	Detail string
	// Reply is set when the proxy must answer locally with Status and
	// Headers instead of forwarding the request.
	Reply bool
	// Status is the status of the local reply.
	Status int
	// Vary is set when the response (local or upstream) must carry
	// `Vary: Origin`.
	Vary bool
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
	// reason holds the x-cors-reason value when it names a refused token
	// (reasonLen > 0), at headers[reasonAt]; Headers points that header at
	// this Decision's own copy, so a copied Decision stays right.
	reason    [maxReasonValue]byte
	reasonLen int
	reasonAt  int
}

// Headers returns the Access-Control-* headers to add: to the local reply
// when Reply is set, otherwise to the upstream's response. Vary is not
// among them (see Vary).
func (d *Decision) Headers() []Header {
	if d.reasonLen > 0 {
		d.headers[d.reasonAt].Value = unsafe.String(&d.reason[0], d.reasonLen)
	}
	return d.headers[:d.nHeaders]
}

func (d *Decision) add(name, value string) {
	if d.nHeaders < len(d.headers) {
		d.headers[d.nHeaders] = Header{name, value}
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
// upstream response.
var UpstreamCORSHeaders = []string{
	HeaderAllowOrigin, HeaderAllowCredentials, HeaderAllowMethods,
	HeaderAllowHeaders, HeaderMaxAge, HeaderExposeHeaders,
}
