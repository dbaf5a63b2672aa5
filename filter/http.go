package filter

import (
	"unsafe"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/policy"
)

// streamState is where an HTTP stream is in the filter's handling.
type streamState uint8

const (
	// awaitingRequest: request headers not seen yet.
	awaitingRequest streamState = iota
	// forwarded: the request went upstream; its response gets edited.
	forwarded
	// answered: the filter sent a local reply. Envoy runs this filter's
	// response callback on that reply too; it must add nothing to it and
	// send nothing more.
	answered
	// auditing: a policy in audit mode decided; the response is compared,
	// never changed.
	auditing
	// done: nothing left to do (response edited, or failed after a panic).
	done
)

// maxResponseHeaders is the most headers an actual request's response gets
// from the decision: Access-Control-Allow-Origin, -Allow-Credentials,
// -Expose-Headers and Timing-Allow-Origin.
const maxResponseHeaders = 4

// httpContext is one HTTP stream. It keeps, between the request and the
// response, only what the response needs.
type httpContext struct {
	types.DefaultHttpContext
	plugin *pluginContext
	state  streamState

	// headers are the name and value of each header the response gets
	// (policy.Header's Detail is for local replies only): two strings, not
	// a policy.Header, to keep the context of every stream small.
	headers   [maxResponseHeaders][2]string
	nHeaders  int
	vary      bool
	upstream  policy.UpstreamHandling
	isolation []policy.Header
	audit     *auditState
}

var _ types.HttpContext = (*httpContext)(nil)

// OnHttpRequestHeaders classifies the request, answers a preflight (or a
// rejected request) locally, and remembers what the response needs.
func (c *httpContext) OnHttpRequestHeaders(numHeaders int, endOfStream bool) (action types.Action) {
	action = types.ActionContinue
	defer c.recoverPanic("request headers", &action)
	if c.state != awaitingRequest {
		return action
	}
	c.state = done
	m, err := hostRequestHeaders()
	if err != nil {
		logf(logError, "corswasm: cannot read request headers: %v", err)
		return action
	}
	callTestHook(phaseRequest, m)

	p := c.plugin
	r := &p.request
	r.read(m)
	d := &p.decision
	p.policy.Evaluate(&r.req, d)
	switch {
	case d.Disabled:
		p.metrics.inc(disabled)
		return action
	case d.Audit:
		// Audit mode changes nothing: the response is only compared.
		if d.Kind != policy.NotCORS {
			c.audit = newAuditState(r, d)
			c.state = auditing
		}
		return action
	}
	p.metrics.inc(counterFor(d))
	if d.Reason != policy.NoReason {
		p.logRefusal(r, d)
	}
	if d.Reply {
		if err := c.reply(d); err != nil {
			logf(logError, "corswasm: cannot send the local reply: %v", err)
			return action
		}
		c.state = answered
		return types.ActionPause
	}
	if d.Kind == policy.PreflightRefused {
		// Forwarded untouched: the upstream answers it as it likes.
		return action
	}
	c.state = forwarded
	c.vary = d.Vary
	c.upstream = d.Upstream
	c.isolation = d.Isolation
	hs := d.Headers()
	c.nHeaders = min(len(hs), len(c.headers))
	for i := range c.nHeaders {
		c.headers[i] = [2]string{hs[i].Name, hs[i].Value}
	}
	return action
}

// reply sends the decision as a local reply: its status, its headers, the
// Vary value of the request headers its answer depends on, and no body.
func (c *httpContext) reply(d *policy.Decision) error {
	hs := d.Headers()
	vary := d.VaryValue()
	n := len(hs)
	if vary != "" {
		n++
	}
	p := c.plugin
	p.reply = headermap.Append(p.reply[:0], n, func(i int) (string, string) {
		switch {
		case i == len(hs):
			return policy.HeaderVary, vary
		case hs[i].Detail != "":
			// x-cors-reason: "reason: detail", joined in reusable scratch
			// space; Append copies it before asking for the next pair.
			p.value = hs[i].AppendValue(p.value[:0])
			return hs[i].Name, unsafe.String(unsafe.SliceData(p.value), len(p.value))
		}
		return hs[i].Name, hs[i].Value
	})
	details := "cors_preflight_allowed"
	switch {
	case d.Kind == policy.PreflightRefused:
		details = "cors_preflight_rejected"
	case d.Kind == policy.ActualDisallowed:
		details = "cors_origin_rejected"
	}
	return hostSendLocalReply(d.Status, details, p.reply)
}

// OnHttpResponseHeaders adds the policy's headers to the upstream's response
// (Fetch §3.2.3), and Vary. It does nothing on the filter's own local reply,
// which Envoy passes through this callback too.
func (c *httpContext) OnHttpResponseHeaders(numHeaders int, endOfStream bool) (action types.Action) {
	action = types.ActionContinue
	defer c.recoverPanic("response headers", &action)
	state := c.state
	c.state = done
	switch {
	case state == auditing:
	case state != forwarded:
		return action
	case c.nHeaders == 0 && !c.vary && c.upstream == policy.LeaveUpstream && len(c.isolation) == 0:
		return action
	}
	m, err := hostResponseHeaders()
	if err != nil {
		logf(logError, "corswasm: cannot read response headers: %v", err)
		return action
	}
	callTestHook(phaseResponse, m)
	if state == auditing {
		c.audit.compare(c.plugin, m)
		c.audit = nil
		return action
	}
	seen := scanResponse(m)
	add := true
	switch c.upstream {
	case policy.ReplaceUpstream:
		for i, name := range policy.UpstreamCORSHeaders {
			if seen.cors&(1<<i) != 0 {
				if err := hostRemoveResponseHeader(name); err != nil {
					logf(logError, "corswasm: cannot remove %s: %v", name, err)
				}
			}
		}
	case policy.KeepUpstream:
		// The upstream answered CORS itself: leave its headers as they are.
		add = seen.cors&allowOriginBit == 0
	}
	if add {
		for _, h := range c.headers[:c.nHeaders] {
			if c.upstream == policy.KeepUpstream && seen.hasCORS(h[0]) {
				continue // keep: the upstream's own header stays its only value
			}
			if err := hostAddResponseHeader(h[0], h[1]); err != nil {
				logf(logError, "corswasm: cannot add %s: %v", h[0], err)
			}
		}
	}
	// Vary is appended to what the upstream sent, never replacing it;
	// "Vary: *" already covers Origin.
	if c.vary && !seen.varyOrigin && !seen.varyStar {
		if err := hostAddResponseHeader(policy.HeaderVary, "Origin"); err != nil {
			logf(logError, "corswasm: cannot add vary: %v", err)
		}
	}
	// Isolation headers the upstream set itself are left as they are.
	for _, h := range c.isolation {
		if !seen.has(h.Name) {
			if err := hostAddResponseHeader(h.Name, h.Value); err != nil {
				logf(logError, "corswasm: cannot add %s: %v", h.Name, err)
			}
		}
	}
	return action
}

// recoverPanic keeps a panic inside a callback from killing the VM (in Envoy
// that would fail every later request): it logs and counts it, and lets the
// request continue without CORS headers, which the browser then blocks.
func (c *httpContext) recoverPanic(phase string, action *types.Action) {
	r := recover()
	if r == nil {
		return
	}
	c.state = done
	*action = types.ActionContinue
	c.plugin.metrics.inc(panics)
	logf(logCritical, "corswasm: recovered from a panic in the %s callback: %v; the request continues without CORS headers", phase, r)
}
