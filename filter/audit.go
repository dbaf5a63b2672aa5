package filter

import (
	"strconv"
	"time"

	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/policy"
)

// auditState is what audit mode keeps of a CORS request until its response:
// the request's values and the decision the policy made but did not
// enforce. It is allocated only for requests a policy in audit mode decides.
type auditState struct {
	req  policy.Request
	path string
	d    policy.Decision
}

func newAuditState(r *requestHeaders, d *policy.Decision) *auditState {
	a := &auditState{req: r.req, path: r.path, d: *d}
	// The lines' backing array is the plugin's scratch space, reused by the
	// next request: keep a copy (the strings themselves stay valid).
	a.req.RequestHeaders = append([]string(nil), r.req.RequestHeaders...)
	return a
}

// compare counts and logs how the upstream's answer differs from what the
// policy would have sent. It changes nothing in the response.
func (a *auditState) compare(p *pluginContext, m headermap.Map) {
	u := readUpstreamAnswer(m)
	k := policy.CompareUpstream(&a.req, &a.d, &u)
	p.metrics.audited(a.d.RuleIndex, k)
	p.auditLog.flush(now())
	for _, kind := range k.Kinds() {
		if !p.auditLog.allow(now()) {
			continue
		}
		pol, up := policy.Describe(kind, &a.d, &u)
		rule := "top-level policy"
		if a.d.Rule != "" {
			rule = "rule " + strconv.Quote(a.d.Rule)
		}
		logf(logInfo, "corswasm: audit: %s disagrees (%s): origin %s, path %s: policy would %s; upstream %s",
			rule, kind, loggable(a.req.Origin), loggable(pathOnly(a.path)), pol, up)
	}
}

// readUpstreamAnswer collects what audit mode compares in a response.
func readUpstreamAnswer(m headermap.Map) policy.UpstreamAnswer {
	var u policy.UpstreamAnswer
	for name, value := range m.All() {
		switch name {
		case ":status":
			u.Status, _ = strconv.Atoi(value)
		case policy.HeaderAllowOrigin:
			u.AllowOrigin = append(u.AllowOrigin, value)
		case policy.HeaderAllowCredentials:
			u.AllowCredentials = append(u.AllowCredentials, value)
		case policy.HeaderAllowMethods:
			u.AllowMethods = append(u.AllowMethods, value)
		case policy.HeaderAllowHeaders:
			u.AllowHeaders = append(u.AllowHeaders, value)
		case policy.HeaderAllowPrivateNetwork:
			u.AllowPrivateNetwork = append(u.AllowPrivateNetwork, value)
		}
	}
	return u
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
	if t.Sub(l.window) < time.Second && !t.Before(l.window) {
		return
	}
	if l.suppressed > 0 {
		logf(logInfo, "corswasm: audit: %d disagreement line(s) suppressed in the last second (at most %d per second)", l.suppressed, AuditLogsPerSecond)
	}
	*l = logLimiter{window: t}
}

// logLimiter lets through at most AuditLogsPerSecond lines per one-second
// window, and logs how many it suppressed when the next window starts. It
// needs no timer: it looks at the clock when a line is offered.
type logLimiter struct {
	window     time.Time
	logged     int
	suppressed int
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
