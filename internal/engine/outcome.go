package engine

import "strings"

// Action is what the filter does with a request, given its Decision.
type Action uint8

// The filter's actions.
const (
	// PassThrough: the request and its response pass untouched (a policy
	// with enabled: false).
	PassThrough Action = iota
	// AuditOnly: the request and its response pass untouched; the
	// response is compared with the decision (audit mode).
	AuditOnly
	// LocalReply: the filter answers locally with Status and Headers; the
	// request never reaches the upstream.
	LocalReply
	// ForwardUntouched: a failing preflight goes to the upstream, and its
	// response passes untouched (on_unmatched_preflight: forward, or
	// forward_disallowed_origin for a refused origin).
	ForwardUntouched
	// ForwardEdited: the request goes to the upstream; its response loses
	// the headers in Removed and gains those in Headers.
	ForwardEdited
)

var actionNames = [...]string{"pass through", "audit only", "local reply", "forward untouched", "forward, edit the response"}

// String names the action; a value that is no action is named
// "Action(n)".
func (a Action) String() string { return enumName(actionNames[:], a, "Action") }

// Outcome is exactly what the filter does to a request and its response:
// the response phase of the filter (filter/http.go) applied to a
// Decision and the upstream's response headers. A test runs both on the
// same requests and checks that they agree.
type Outcome struct {
	Action Action
	// Status is the status of the local reply.
	Status int
	// Headers are the headers of the local reply, or those added to the
	// upstream's response, in the order the filter adds them; Vary and the
	// isolation headers included.
	Headers []Header
	// Removed lists the upstream's headers the filter removes (every line
	// of each), before adding Headers.
	Removed []string
	// KeptUpstream is set when upstream_cors_headers "keep" left the
	// upstream's own CORS headers in place, adding none of the policy's.
	KeptUpstream bool
}

// Outcome returns what the filter does with the request d was decided for,
// when the upstream answers with the headers upstream (names in any case;
// ignored when the filter replies locally). Envoy runs the filter's
// response callback on its own local reply too; the filter adds nothing
// there, so the reply is exactly Status and Headers.
func (d *Decision) Outcome(upstream []Header) Outcome {
	if d.Audit() {
		return Outcome{Action: AuditOnly}
	}
	return d.outcome(upstream)
}

// EnforcedOutcome is Outcome as if the deciding policy were not in audit
// mode: what audit mode compares the upstream's answer with.
func (d *Decision) EnforcedOutcome(upstream []Header) Outcome {
	var enforcing Decision
	enforcing.own = *d.verdict()
	enforcing.own.audit = false
	return enforcing.outcome(upstream)
}

// outcome is Outcome for a decision not in audit mode.
func (d *Decision) outcome(upstream []Header) Outcome {
	switch {
	case d.Disabled():
		return Outcome{Action: PassThrough}
	case d.Reply():
		var hs []Header
		for _, h := range d.verdict().list() {
			hs = append(hs, Header{Name: h.Name, Value: string(h.AppendValue(nil))})
		}
		if v := d.VaryValue(); v != "" {
			hs = append(hs, Header{Name: HeaderVary, Value: v})
		}
		return Outcome{Action: LocalReply, Status: d.Status(), Headers: hs}
	case d.Kind() == PreflightRefused:
		return Outcome{Action: ForwardUntouched}
	}
	var f ResponseFacts
	for _, h := range upstream {
		f.Observe(strings.ToLower(h.Name), h.Value)
	}
	plan := d.ResponsePlan()
	var e ResponseEdits
	plan.Edit(f, &e)
	return Outcome{
		Action:       ForwardEdited,
		Headers:      append([]Header(nil), e.Added()...),
		Removed:      append([]string(nil), e.Removed()...),
		KeptUpstream: d.Upstream() == KeepUpstream && f.has(HeaderAllowOrigin),
	}
}

// Apply returns the response the browser receives: the local reply's
// headers, or the upstream's after the filter's edits. Removed headers are
// dropped wherever they are; added ones come last, in order.
func (o Outcome) Apply(upstream []Header) []Header {
	if o.Action == LocalReply {
		return append([]Header(nil), o.Headers...)
	}
	var out []Header
	for _, h := range upstream {
		removed := false
		for _, name := range o.Removed {
			if strings.EqualFold(h.Name, name) {
				removed = true
			}
		}
		if !removed {
			out = append(out, h)
		}
	}
	return append(out, o.Headers...)
}
