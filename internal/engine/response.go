package engine

import (
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/httpfield"
)

// The response phase, in one place: what the filter does to an upstream's
// response for a decision it forwarded. The filter keeps a ResponsePlan per
// stream, learns ResponseFacts from the response's headers, and applies
// the ResponseEdits the plan makes of them; Outcome (the corswasm command's
// explanation) runs the very same code. Nothing here allocates.

// maxPlannedHeaders is the most headers a forwarded request's response gets
// from its decision: Access-Control-Allow-Origin, -Allow-Credentials,
// -Expose-Headers and Timing-Allow-Origin.
const maxPlannedHeaders = 4

// isolationHeaderNames are the cross-origin isolation headers a policy may add.
var isolationHeaderNames = []string{HeaderCrossOriginResourcePolicy, HeaderCrossOriginEmbedderPolicy, HeaderCrossOriginOpenerPolicy}

// IsolationHeaders returns the cross-origin isolation headers a policy may
// add, in the order of ResponseFacts.Isolation's bits. The slice is the
// caller's.
func IsolationHeaders() []string { return slices.Clone(isolationHeaderNames) }

// ResponsePlan is what a decision asks of the upstream's response: small,
// so that a filter keeps one per stream. Its header values may be views of
// the request's bytes (an echoed origin): a filter that outlives them
// copies them (Headers gives them to it).
type ResponsePlan struct {
	headers  [maxPlannedHeaders]Header
	nHeaders int
	// vary: the response must vary on Origin.
	vary      bool
	upstream  UpstreamHandling
	isolation []Header
}

// ResponsePlan returns what the response phase does for a forwarded
// request. It is empty for a local reply, an audited or disabled decision,
// and a refused preflight forwarded untouched: their responses pass as they
// are.
func (d *Decision) ResponsePlan() ResponsePlan {
	var p ResponsePlan
	p.Reset(d)
	return p
}

// Reset makes p, in place, the plan ResponsePlan returns for d: a filter
// keeping a plan per stream sets it without copying one.
func (p *ResponsePlan) Reset(d *Decision) {
	p.Clear()
	v := d.verdict()
	if v.reply || v.audit || v.disabled || v.kind == PreflightRefused {
		return
	}
	p.vary, p.upstream, p.isolation = v.vary&varyOnOrigin != 0, v.upstream, v.isolation
	p.nHeaders = copy(p.headers[:], v.list())
}

// Clear makes p the empty plan. Its header array is only read up to
// nHeaders: only the headers in use are cleared.
func (p *ResponsePlan) Clear() {
	clearHeaders(p.headers[:p.nHeaders])
	p.nHeaders, p.vary, p.upstream, p.isolation = 0, false, LeaveUpstream, nil
}

// Headers returns the headers the plan adds (when the upstream lets it),
// for a caller to copy their values into memory of its own.
func (p *ResponsePlan) Headers() []Header { return p.headers[:p.nHeaders] }

// Empty reports whether the plan changes nothing whatever the response.
func (p *ResponsePlan) Empty() bool {
	return p.nHeaders == 0 && !p.vary && p.upstream == LeaveUpstream && len(p.isolation) == 0
}

// OnlyVary reports whether Vary is all the plan needs to know of the
// response: then the facts of the Vary lines alone decide the edits.
func (p *ResponsePlan) OnlyVary() bool {
	return p.nHeaders == 0 && p.upstream == LeaveUpstream && len(p.isolation) == 0
}

// ResponseFacts is what the response phase needs to know of the upstream's
// response headers. Observe each header (name in lower case) to fill it.
type ResponseFacts struct {
	// CORS has bit i set when the upstream sent UpstreamCORSHeaders()[i].
	CORS uint32
	// VaryCoversOrigin is set when a Vary line lists Origin or is "*"
	// (RFC 9110 §12.5.5).
	VaryCoversOrigin bool
	// Isolation has bit i set when the upstream sent IsolationHeaders()[i].
	Isolation uint8
}

// Observe records one response header. Names are lower case, as Envoy
// passes them.
func (f *ResponseFacts) Observe(name, value string) {
	if name == HeaderVary {
		f.VaryCoversOrigin = f.VaryCoversOrigin || varyCoversOrigin(value)
		return
	}
	for i, h := range upstreamCORSHeaders {
		if name == h {
			f.CORS |= 1 << i
			return
		}
	}
	for i, h := range isolationHeaderNames {
		if name == h {
			f.Isolation |= 1 << i
			return
		}
	}
}

// varyCoversOrigin reports whether a Vary line lists Origin or is "*". A
// malformed element names no header: it is skipped.
func varyCoversOrigin(v string) bool {
	sc := httpfield.NewScanner(v)
	for {
		item, ok := sc.Next()
		switch {
		case !ok:
			return false
		case item == "*", strings.EqualFold(item, "origin"):
			return true
		}
	}
}

// has reports whether the upstream sent the CORS or isolation header name.
func (f *ResponseFacts) has(name string) bool {
	for i, h := range upstreamCORSHeaders {
		if name == h {
			return f.CORS&(1<<i) != 0
		}
	}
	for i, h := range isolationHeaderNames {
		if name == h {
			return f.Isolation&(1<<i) != 0
		}
	}
	return false
}

// ResponseEdits are the edits of one response, in order: remove every line
// of each Removed header, then add each Added header. Its storage is its
// own: a caller reusing one allocates nothing.
type ResponseEdits struct {
	removed  [8]string
	nRemoved int
	added    [maxPlannedHeaders + 1 + 3]Header
	nAdded   int
}

// Removed lists the upstream's headers to remove.
func (e *ResponseEdits) Removed() []string { return e.removed[:e.nRemoved] }

// Added lists the headers to add, in order.
func (e *ResponseEdits) Added() []Header { return e.added[:e.nAdded] }

// add appends a copy of *h, field by field (why: internal/abi's package doc).
func (e *ResponseEdits) add(h *Header) {
	a := &e.added[e.nAdded]
	a.Name, a.Value, a.Detail = h.Name, h.Value, h.Detail
	e.nAdded++
}

// varyOrigin is the Vary line a response gets when the plan varies on Origin.
var varyOrigin = Header{Name: HeaderVary, Value: "Origin"}

// Edit computes the edits of a response with the facts f into e.
func (p *ResponsePlan) Edit(f ResponseFacts, e *ResponseEdits) {
	// The arrays are only read up to the counts; the previous response's
	// headers are dropped (the names removed are constants).
	clearHeaders(e.added[:e.nAdded])
	e.nRemoved, e.nAdded = 0, 0
	add := true
	switch p.upstream {
	case ReplaceUpstream:
		// Each CORS header then has the policy's value or none (Fetch
		// §3.2.3 reads a header's lines joined: two values fail the check).
		for i, name := range upstreamCORSHeaders {
			if f.CORS&(1<<i) != 0 {
				e.removed[e.nRemoved] = name
				e.nRemoved++
			}
		}
	case KeepUpstream:
		// The upstream answered CORS itself: its headers stay as they are,
		// and a header it set never gets a second value from the policy.
		add = !f.has(HeaderAllowOrigin)
	}
	for i := range p.headers[:p.nHeaders] {
		if h := &p.headers[i]; add && !(p.upstream == KeepUpstream && f.has(h.Name)) {
			e.add(h)
		}
	}
	// Vary is appended to the upstream's, never replacing it; "Vary: *"
	// already covers Origin.
	if p.vary && !f.VaryCoversOrigin {
		e.add(&varyOrigin)
	}
	// Isolation headers the upstream set itself are left as they are.
	for i := range p.isolation {
		if h := &p.isolation[i]; !f.has(h.Name) {
			e.add(h)
		}
	}
}
