package filter

import (
	"encoding/binary"
	"unsafe"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
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

// httpContext is one HTTP stream. It keeps, between the request and the
// response, only what the response needs, in its own memory: what the host
// returned is reused by the next callback. Contexts are reused: a deleted
// stream's context serves a later one (pluginContext.RecycleHttpContext).
type httpContext struct {
	types.DefaultHttpContext
	plugin *pluginContext
	state  streamState

	// plan is what the response phase does to the upstream's response.
	plan engine.ResponsePlan
	// audit is set while a policy in audit mode decided the stream; its
	// space stays with the context for later streams.
	audit *auditState
	// kept holds copies of the request's bytes that the response needs
	// (the origin Access-Control-Allow-Origin echoes, what audit mode
	// compares).
	kept []byte
}

var _ types.HttpContext = (*httpContext)(nil)

// maxKeptRetained bounds the copy space a context keeps for later streams;
// an unusual request that needed more gives it back when its stream ends.
const maxKeptRetained = 16 << 10

// reset empties the context of a deleted stream for a later one, keeping
// its space. Field by field, leaving the plan's header array (read only up
// to its count), rather than clearing the whole context on every request.
func (c *httpContext) reset() {
	c.state = awaitingRequest
	c.plan.Clear()
	c.kept = c.kept[:0]
	if cap(c.kept) > maxKeptRetained {
		c.kept = nil
	}
	if c.audit != nil {
		c.audit.clear()
	}
}

// OnHttpRequestHeaders classifies the request, answers a preflight (or a
// rejected request) locally, and remembers what the response needs.
func (c *httpContext) OnHttpRequestHeaders(numHeaders int, endOfStream bool) (action types.Action) {
	action = types.ActionContinue
	defer c.recoverPanic("request headers", &action)
	if c.state != awaitingRequest {
		return action
	}
	c.state = done
	callTestHook(phaseRequest)
	action = c.requestHeaders()
	c.plugin.dropRequestViews()
	return action
}

// requestHeaders is OnHttpRequestHeaders's work for a new stream.
func (c *httpContext) requestHeaders() types.Action {
	action := types.ActionContinue
	p := c.plugin
	r := &p.request
	if err := r.fetch(p.ruleInputs, &p.pairs); err != nil {
		hostError("read request headers", "", err)
		return action
	}
	d := &p.decision
	p.policy.Evaluate(&r.req, d)
	if d.Rollout() != engine.NoRollout {
		p.metrics.rolledOut(d.Rollout())
	}
	switch {
	case d.Disabled():
		p.metrics.inc(disabled)
		return action
	case d.Audit():
		// Audit mode changes nothing: the response is only compared.
		if d.Kind() != engine.NotCORS {
			c.startAudit(r, d)
			c.state = auditing
			p.publishVerdict(d, verdictPending, 0)
		}
		return action
	}
	p.metrics.inc(counterFor(d))
	if d.Kind() != engine.NotCORS {
		p.publishVerdict(d, verdictEnforced, 0)
	}
	if d.Reason() != engine.NoReason {
		p.logRefusal(r, d)
	}
	if d.Reply() {
		if err := c.reply(d); err != nil {
			hostError("send the local reply", "", err)
			return action
		}
		c.state = answered
		return types.ActionPause
	}
	if d.Kind() == engine.PreflightRefused {
		// Forwarded untouched: the upstream answers it as it likes.
		return action
	}
	c.state = forwarded
	c.plan.Reset(d)
	c.keepValues(c.plan.Headers())
	return action
}

// keepValues copies the header values that are views of the host's
// request headers (the origin, echoed) into the context's own space.
func (c *httpContext) keepValues(hs []engine.Header) {
	need := 0
	for i := range hs {
		need += len(hs[i].Value)
	}
	reserved := false
	for i := range hs {
		if hostOwned(hs[i].Value) {
			if !reserved {
				c.reserve(need)
				reserved = true
			}
			hs[i].Value = c.keep(hs[i].Value)
		}
	}
}

// reserve empties the copy space and makes room for n bytes, so that the
// copies that follow never move it.
func (c *httpContext) reserve(n int) {
	if cap(c.kept) < n {
		c.kept = make([]byte, 0, max(n, 256))
	}
	c.kept = c.kept[:0]
}

// keep copies s into the copy space (reserved beforehand) and returns the
// copy.
func (c *httpContext) keep(s string) string {
	if s == "" {
		return ""
	}
	start := len(c.kept)
	c.kept = append(c.kept, s...)
	return unsafe.String(&c.kept[start], len(s))
}

// reply sends the decision as a local reply: its status, its headers, the
// Vary value of the request headers its answer depends on, and no body.
func (c *httpContext) reply(d *engine.Decision) error {
	p := c.plugin
	p.reply = appendReplyHeaders(p.reply[:0], d.Headers(), d.VaryValue())
	details := "cors_preflight_allowed"
	switch {
	case d.Kind() == engine.PreflightRefused:
		details = "cors_preflight_rejected"
	case d.Kind() == engine.ActualDisallowed:
		details = "cors_origin_rejected"
	}
	return hostSendLocalReply(d.Status(), details, p.reply)
}

// appendReplyHeaders appends the proxy-wasm serialization of hs, and of
// Vary when vary is not empty, to dst (see package headermap). Headers are
// reached through pointers, not copied (see internal/abi's doc.go).
func appendReplyHeaders(dst []byte, hs []engine.Header, vary string) []byte {
	n := len(hs)
	if vary != "" {
		n++
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	for i := range hs {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(hs[i].Name)))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(valueLen(&hs[i])))
	}
	if vary != "" {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(engine.HeaderVary)))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vary)))
	}
	for i := range hs {
		h := &hs[i]
		dst = append(dst, h.Name...)
		dst = append(dst, 0)
		dst = h.AppendValue(dst)
		dst = append(dst, 0)
	}
	if vary != "" {
		dst = append(dst, engine.HeaderVary...)
		dst = append(dst, 0)
		dst = append(dst, vary...)
		dst = append(dst, 0)
	}
	return dst
}

// OnHttpResponseHeaders adds the policy's headers to the upstream's response
// (Fetch §3.2.3), and Vary. It does nothing on the filter's own local reply,
// which Envoy passes through this callback too.
func (c *httpContext) OnHttpResponseHeaders(numHeaders int, endOfStream bool) (action types.Action) {
	action = types.ActionContinue
	defer c.recoverPanic("response headers", &action)
	action = c.responseHeaders()
	// The response's header pairs are views of the host's buffer.
	c.plugin.dropPairs()
	return action
}

// responseHeaders is OnHttpResponseHeaders's work.
func (c *httpContext) responseHeaders() types.Action {
	action := types.ActionContinue
	state := c.state
	c.state = done
	switch {
	case state == auditing:
		callTestHook(phaseResponse)
		m, err := hostResponseHeaders()
		if err != nil {
			hostError("read response headers", "", err)
			return action
		}
		c.audit.compare(c.plugin, m)
		return action
	case state != forwarded, c.plan.Empty():
		return action
	}
	callTestHook(phaseResponse)
	p := c.plugin
	var f engine.ResponseFacts
	var err error
	if c.plan.OnlyVary() {
		err = readVaryFacts(&f, &p.pairs)
	} else {
		var m headermap.Map
		if m, err = hostResponseHeaders(); err == nil {
			readResponseFacts(m, &p.pairs, &f)
		}
	}
	if err != nil {
		hostError("read response headers", "", err)
		return action
	}
	e := &p.edits
	c.plan.Edit(f, e)
	for _, name := range e.Removed() {
		if err := hostRemoveResponseHeader(name); err != nil {
			hostError("remove", name, err)
		}
	}
	for i := range e.Added() {
		h := &e.Added()[i]
		if err := hostAddResponseHeader(h.Name, h.Value); err != nil {
			hostError("add", h.Name, err)
		}
	}
	return action
}

// hostError logs a failed host call: "corswasm: cannot <what>[ <name>]:
// <err>".
func hostError(what, name string, err error) {
	if name != "" {
		what += " " + name
	}
	logf(logError, "corswasm: cannot %s: %v", what, err)
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
	// Nothing else recovers around these callbacks (vmContext declares
	// HttpContextsRecoverPanics): a panic while counting or logging this
	// one is dropped rather than let out to kill the VM.
	defer func() { _ = recover() }()
	c.plugin.metrics.inc(panics)
	logf(logCritical, "corswasm: recovered from a panic in the %s callback: %v; the request continues without CORS headers", phase, r)
}

// valueLen is the length of the value h.AppendValue writes.
func valueLen(h *engine.Header) int {
	if h.Detail == "" {
		return len(h.Value)
	}
	return len(h.Value) + len(": ") + len(h.Detail)
}
