package filter

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// auditState is what audit mode keeps of a CORS request until its response:
// the request's values and the decision the policy made but did not
// enforce, with every string the host returned copied into the stream's own
// space. A context allocates it on its first audited stream and keeps it.
type auditState struct {
	req     engine.Request
	path    string
	host    string // :authority, kept when observations are on
	d       engine.Decision
	origins [2]string
	lines   [engine.MaxRequestHeadersLines + 1]string
}

// clear drops the views into a finished stream's space.
func (a *auditState) clear() { *a = auditState{} }

// startAudit keeps what the response phase compares: the request's origin,
// Access-Control-Request-* values and path (for the log line, cut to what
// the lines show), and the decision; for an observation also the method and
// :authority.
func (c *httpContext) startAudit(r *requestHeaders, d *engine.Decision) {
	a := c.audit
	if a == nil {
		a = &auditState{}
		c.audit = a
	}
	// Longer than the log lines show: cut, keeping one more byte, so that
	// the lines can tell it was cut.
	const shown = max(maxLoggedValue, maxObservedValue) + 1
	a.path = cutTo(pathOnly(r.req.Path), shown)
	a.d = *d
	// engine.CompareUpstream reads these fields of the request.
	a.req = engine.Request{
		RequestMethod: r.req.RequestMethod, RequestPrivateNetwork: r.req.RequestPrivateNetwork,
	}
	if c.plugin.observer != nil {
		a.req.Method = r.req.Method
		a.host = cutTo(r.req.Authority, shown)
	}
	a.req.Origins = a.origins[:copy(a.origins[:], r.req.Origins)]
	a.req.RequestHeaders = a.lines[:copy(a.lines[:], r.req.RequestHeaders)]
	var kept [5 + len(a.origins) + len(a.lines) + maxDecisionViews]*string
	ks := append(kept[:0], &a.req.RequestMethod, &a.req.RequestPrivateNetwork, &a.path, &a.req.Method, &a.host)
	for i := range a.req.Origins {
		ks = append(ks, &a.req.Origins[i])
	}
	for i := range a.req.RequestHeaders {
		ks = append(ks, &a.req.RequestHeaders[i])
	}
	views := len(ks)
	ks = a.d.AppendViews(ks)
	// Of the decision's strings, only those of the request's bytes.
	n := views
	for _, s := range ks[views:] {
		if hostOwned(*s) {
			ks[n] = s
			n++
		}
	}
	ks = ks[:n]
	need := 0
	for _, s := range ks {
		need += len(*s)
	}
	c.reserve(need)
	for _, s := range ks {
		*s = c.keep(*s)
	}
}

// cutTo returns s cut to at most n bytes.
func cutTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// maxDecisionViews bounds the strings engine.Decision.AppendViews gives:
// the refused token, and the value and detail of each of its headers (six,
// and Access-Control-Allow-Headers echoed once per request line).
const maxDecisionViews = 1 + 2*(6+engine.MaxRequestHeadersLines)

// compare counts and logs how the upstream's answer differs from what the
// policy would have sent, and records the observation (observe.go). It
// changes nothing in the response.
func (a *auditState) compare(p *pluginContext, m headermap.Map) {
	u := &p.upstream
	lengths := answerLengths
	if p.observer != nil {
		lengths = observedLengths
	}
	readUpstreamAnswer(m, u, &p.pairs, lengths)
	k := engine.CompareUpstream(&a.req, &a.d, u)
	p.metrics.audited(a.d.RuleIndex(), k)
	p.publishVerdict(&a.d, verdictCompared, k)
	p.auditLog.flush(now())
	// Each line goes after the previous one in the reused buffer, so that
	// a host that kept a view of the last line (the SDK's emulator does)
	// still reads it whole.
	b := p.logBuf[:0]
	for kind := engine.Disagreement(1); kind != 0 && kind <= k; kind <<= 1 {
		if k&kind == 0 || !p.auditLog.allow(now()) {
			continue
		}
		start := len(b)
		b = append(b, "corswasm: audit: "...)
		if a.d.Rule() == "" {
			b = append(b, "top-level policy"...)
		} else {
			b = strconv.AppendQuote(append(b, "rule "...), a.d.Rule())
		}
		b = append(b, " disagrees ("...)
		b = append(b, kind.String()...)
		b = append(b, "): origin "...)
		b = appendLoggable(b, a.req.Origin())
		b = append(b, ", path "...)
		b = appendLoggable(b, a.path)
		b = append(b, ": "...)
		b = engine.AppendDescription(b, kind, &a.d, u)
		hostLog(logInfo, unsafe.String(&b[start], len(b)-start))
	}
	p.logBuf = b
	if p.observer != nil {
		p.observer.observe(a, u, p.pairs)
	}
	u.Reset()
}

// answerLengths selects the names readUpstreamAnswer reads.
var answerLengths = headermap.Lengths(":status", engine.HeaderAllowOrigin, engine.HeaderAllowCredentials,
	engine.HeaderAllowMethods, engine.HeaderAllowHeaders, engine.HeaderAllowPrivateNetwork)

// readUpstreamAnswer collects what audit mode compares in a response, into
// u's reused space, leaving in *pairs the pairs whose names have a length
// in lengths (answerLengths, or observedLengths for an observation).
func readUpstreamAnswer(m headermap.Map, u *engine.UpstreamAnswer, pairs *[]headermap.Pair, lengths uint64) {
	u.Reset()
	lines := [...]*[]string{&u.AllowOrigin, &u.AllowCredentials, &u.AllowMethods, &u.AllowHeaders, &u.AllowPrivateNetwork}
	readPairs(pairs, m, lengths)
	for _, p := range *pairs {
		if p.Name == ":status" {
			u.Status = parseStatus(p.Value)
			continue
		}
		for i, name := range answerNames {
			if p.Name == name {
				*lines[i] = append(*lines[i], p.Value)
			}
		}
	}
}

// answerNames are the headers of an UpstreamAnswer, in the order of
// readUpstreamAnswer's lines.
var answerNames = [...]string{engine.HeaderAllowOrigin, engine.HeaderAllowCredentials,
	engine.HeaderAllowMethods, engine.HeaderAllowHeaders, engine.HeaderAllowPrivateNetwork}

// parseStatus reads a :status value, 0 when it is not a number (as
// strconv.Atoi's failure did, without the error value it allocates).
func parseStatus(v string) int {
	if v == "" || len(v) > maxStatusDigits {
		return 0
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0
		}
		n = n*10 + int(v[i]-'0')
	}
	return n
}

// AuditLogsPerSecond is how many audit disagreement lines each VM logs per
// second at most; the rest are counted and reported as suppressed.
const AuditLogsPerSecond = 10

// now is the filter's clock; tests replace it.
var now = time.Now

// flush starts a new window once a second has passed, first reporting the
// lines the last one suppressed. The filter calls it on every audited
// request, so a count is reported even when disagreements stop.
func (l *logLimiter) flush(t time.Time) {
	n := t.UnixNano()
	if elapsed := n - l.window; elapsed >= 0 && elapsed < int64(time.Second) {
		return
	}
	if l.suppressed > 0 {
		b := strconv.AppendInt(append(l.buf[:0], "corswasm: audit: "...), int64(l.suppressed), 10)
		b = append(b, " disagreement line(s) suppressed in the last second (at most "...)
		b = strconv.AppendInt(b, AuditLogsPerSecond, 10)
		b = append(b, " per second)"...)
		l.buf = b
		hostLog(logInfo, unsafe.String(unsafe.SliceData(b), len(b)))
	}
	*l = logLimiter{window: n, buf: l.buf}
}

// logLimiter lets through at most AuditLogsPerSecond lines per one-second
// window, and logs how many it suppressed when the next window starts. It
// needs no timer: it looks at the clock when a line is offered.
type logLimiter struct {
	window     int64 // start of the window, in Unix nanoseconds
	logged     int
	suppressed int
	buf        []byte // the suppressed-lines line, reused
}

func (l *logLimiter) allow(t time.Time) bool {
	l.flush(t)
	if l.logged < AuditLogsPerSecond {
		l.logged++
		return true
	}
	l.suppressed++
	return false
}
