package policy

import "github.com/corswasm/corswasm/internal/engine"

// Policy is a compiled, immutable CORS policy. It is safe for concurrent use;
// Evaluate only reads it.
type Policy engine.Policy

// Evaluate decides what to do with a request and sets d to the verdict. It
// does not allocate for exact origins, wildcard origins and the usual
// preflights; its cost grows neither with the number of exact origins nor
// with the number of rules. The first rule whose match holds decides; a
// request no rule matches uses the top-level policy.
func (p *Policy) Evaluate(r *Request, d *Decision) {
	(*engine.Policy)(p).Evaluate(r, (*engine.Decision)(d))
}

// Warnings lists what was accepted but is probably not what the operator
// meant: duplicates, redundant entries, entries without effect, a policy
// that allows no origin. The list and its errors are the caller's.
func (p *Policy) Warnings() []*FieldError { return (*engine.Policy)(p).Warnings() }

// Request holds what the policy needs to know of a request: Method, the
// Origin lines (Origins: none for a request that is not a CORS request), the
// Access-Control-Request-* values, and the Scheme, Authority and Path that
// recognize a same-origin request and choose a rule. Strings are not copied.
type Request = engine.Request

// Header is one response header to send, its name in lower case. The value
// to send is Value, or, when Detail is not empty (only x-cors-reason has
// one), Value + ": " + Detail, which AppendValue writes.
type Header = engine.Header

// Decision is the policy's verdict on a request, which Evaluate sets and its
// methods read. The caller owns it and may reuse it across requests.
type Decision engine.Decision

// e is d as the engine's Decision: the same memory.
func (d *Decision) e() *engine.Decision { return (*engine.Decision)(d) }

// Kind classifies the request and the verdict.
func (d *Decision) Kind() Kind { return d.e().Kind() }

// Reason says why a request was refused or disallowed (NoReason otherwise).
func (d *Decision) Reason() Reason { return d.e().Reason() }

// Detail adds to Reason a token of the request that passed validation (the
// method or header name that is not allowed), cut to 64 bytes.
func (d *Decision) Detail() string { return d.e().Detail() }

// Reply reports whether to answer locally with Status and Headers instead of
// passing the request on.
func (d *Decision) Reply() bool { return d.e().Reply() }

// Status is the status of the local reply.
func (d *Decision) Status() int { return d.e().Status() }

// Headers returns the Access-Control-* headers to add: to the local reply
// when Reply is set, otherwise to the response. Vary is not among them. They
// are d's own until the next Evaluate.
func (d *Decision) Headers() []Header { return d.e().Headers() }

// Vary reports whether the response, local or not, must carry
// `Vary: Origin`, merged with the response's own Vary.
func (d *Decision) Vary() bool { return d.e().Vary() }

// VaryValue is the Vary value of a local reply: "Origin" when the answer
// depends on the origin and, on a preflight, the Access-Control-Request-*
// headers the answer depends on; "" when it depends on none.
func (d *Decision) VaryValue() string { return d.e().VaryValue() }

// Rule names the rule that decided ("" for the top-level policy).
func (d *Decision) Rule() string { return d.e().Rule() }

// Disabled reports whether the deciding policy has enabled: false: the
// request and its response pass through untouched.
func (d *Decision) Disabled() bool { return d.e().Disabled() }

// Audit reports whether the deciding policy is in audit mode: nothing is to
// be changed, the decision only says what enforcing would do.
func (d *Decision) Audit() bool { return d.e().Audit() }

// Reset empties d, letting go of the request's bytes its verdict refers to,
// for a caller that keeps d between requests.
func (d *Decision) Reset() { d.e().Reset() }

// Kind classifies a request and the policy's verdict on it.
type Kind = engine.Kind

// The kinds of decision.
const (
	NotCORS          Kind = engine.NotCORS          // no Origin header; the request passes untouched
	PreflightAllowed Kind = engine.PreflightAllowed // a preflight every check of which passed
	PreflightRefused Kind = engine.PreflightRefused // a preflight that failed a check (see Reason)
	ActualAllowed    Kind = engine.ActualAllowed    // a CORS request from an allowed origin
	ActualDisallowed Kind = engine.ActualDisallowed // a CORS request from a disallowed origin
)

// Reason says why a request was refused or disallowed.
type Reason = engine.Reason

// The reasons for a refusal.
const (
	NoReason                 Reason = engine.NoReason
	OriginNotAllowed         Reason = engine.OriginNotAllowed
	MalformedOrigin          Reason = engine.MalformedOrigin
	MethodNotAllowed         Reason = engine.MethodNotAllowed
	MalformedMethod          Reason = engine.MalformedMethod
	HeaderNotAllowed         Reason = engine.HeaderNotAllowed
	MalformedHeaders         Reason = engine.MalformedHeaders
	TooManyHeaders           Reason = engine.TooManyHeaders
	PrivateNetworkNotAllowed Reason = engine.PrivateNetworkNotAllowed
	MethodTooLong            Reason = engine.MethodTooLong
)
