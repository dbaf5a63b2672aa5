package filter

import "github.com/corswasm/corswasm/internal/engine"

// Counter names. Envoy shows them under the "wasmcustom." prefix, e.g.
// wasmcustom.corswasm.preflight.allowed.
const (
	MetricPreflightAllowed   = "corswasm.preflight.allowed"
	MetricPreflightRejected  = "corswasm.preflight.rejected"
	MetricPreflightForwarded = "corswasm.preflight.forwarded"
	MetricActualAllowed      = "corswasm.actual.allowed"
	MetricActualDisallowed   = "corswasm.actual.disallowed"
	MetricActualRejected     = "corswasm.actual.rejected"
	MetricNonCORS            = "corswasm.non_cors"
	MetricDisabled           = "corswasm.disabled"
	MetricPanics             = "corswasm.panics"
	// MetricAuditAgreements counts CORS requests in audit mode where the
	// upstream answered as the policy would have.
	MetricAuditAgreements = "corswasm.audit.agreements"
	// MetricAuditDisagreementsPrefix, followed by a kind
	// (engine.Disagreement's String, e.g. "preflight_methods"), counts the
	// disagreements of that kind.
	MetricAuditDisagreementsPrefix = "corswasm.audit.disagreements."
	// MetricAuditObservationsLogged counts the distinct observations
	// logged, and MetricAuditObservationsDropped the audited requests
	// whose observation the VM's full table could not record (requests,
	// not distinct observations: a full table remembers only what it
	// recorded). Defined only when observations are on.
	MetricAuditObservationsLogged  = "corswasm.audit.observations.logged"
	MetricAuditObservationsDropped = "corswasm.audit.observations.dropped"
	// MetricRolloutEnforced and MetricRolloutAudited count the CORS
	// requests a policy enforcing a share of its requests (enforce_percent
	// between 1 and 99) enforced and audited. Defined only when some
	// policy does.
	MetricRolloutEnforced = "corswasm.rollout.enforced"
	MetricRolloutAudited  = "corswasm.rollout.audited"
)

// auditPolicyMetric names the per-policy audit counters: for the top-level
// policy corswasm.audit.top.<what>, for a rule
// corswasm.audit.rule.<name>.<what>, where what is "agreements" or
// "disagreements" (requests with at least one disagreement).
func auditPolicyMetric(rule, what string) string {
	if rule == "" {
		return "corswasm.audit.top." + what
	}
	return "corswasm.audit.rule." + rule + "." + what
}

// counter identifies one of the filter's counters.
type counter int

const (
	preflightAllowed counter = iota
	preflightRejected
	preflightForwarded
	actualAllowed
	actualDisallowed
	actualRejected
	nonCORS
	disabled
	panics
	auditAgreements
	numCounters
)

var counterNames = [numCounters]string{
	MetricPreflightAllowed, MetricPreflightRejected, MetricPreflightForwarded,
	MetricActualAllowed, MetricActualDisallowed, MetricActualRejected,
	MetricNonCORS, MetricDisabled, MetricPanics, MetricAuditAgreements,
}

// metricID is a counter the host defined; ok is false when the definition
// failed, and the counter is then never incremented.
type metricID struct {
	id uint32
	ok bool
}

func defineCounter(name string) metricID {
	id, err := hostDefineCounter(name)
	if err != nil {
		logf(logWarn, "corswasm: cannot define counter %s: %v", name, err)
		return metricID{}
	}
	return metricID{id, true}
}

func (m metricID) inc() {
	if m.ok {
		hostIncrement(m.id)
	}
}

// metrics holds the filter's counters.
type metrics struct {
	fixed [numCounters]metricID
	// disagreements[i] counts disagreements of kind 1<<i.
	disagreements [8]metricID
	// auditByPolicy[RuleIndex] holds the agreements and disagreements of
	// each policy in audit mode.
	auditByPolicy [][2]metricID
	// observations holds the logged and dropped observations counters.
	observations [2]metricID
	// rollout holds the enforced and audited counters of enforce_percent.
	rollout [2]metricID
}

// define asks the host for every counter. Envoy returns the same counter to
// every VM that defines a name, so counts add up across worker threads.
func (m *metrics) define(p *engine.Policy) {
	for i, name := range counterNames {
		m.fixed[i] = defineCounter(name)
	}
	for i, k := range engine.AllDisagreements.Kinds() {
		m.disagreements[i] = defineCounter(MetricAuditDisagreementsPrefix + k.String())
	}
	if p.Observations().MaxEntries > 0 {
		m.observations = [2]metricID{defineCounter(MetricAuditObservationsLogged), defineCounter(MetricAuditObservationsDropped)}
	}
	if p.RollsOut() {
		m.rollout = [2]metricID{defineCounter(MetricRolloutEnforced), defineCounter(MetricRolloutAudited)}
	}
	names := append([]string{""}, p.RuleNames()...)
	m.auditByPolicy = make([][2]metricID, len(names))
	for _, i := range p.Audited() {
		m.auditByPolicy[i] = [2]metricID{
			defineCounter(auditPolicyMetric(names[i], "agreements")),
			defineCounter(auditPolicyMetric(names[i], "disagreements")),
		}
	}
}

func (m *metrics) inc(c counter) {
	if m != nil {
		m.fixed[c].inc()
	}
}

// rolledOut counts a CORS request enforce_percent chose to enforce or
// audit.
func (m *metrics) rolledOut(r engine.Rollout) {
	if r == engine.RolloutEnforced {
		m.rollout[0].inc()
	} else {
		m.rollout[1].inc()
	}
}

// audited counts an audited request: an agreement, or each kind of
// disagreement, globally and for its policy.
func (m *metrics) audited(ruleIndex int, k engine.Disagreement) {
	perPolicy := [2]metricID{}
	if ruleIndex < len(m.auditByPolicy) {
		perPolicy = m.auditByPolicy[ruleIndex]
	}
	if k == 0 {
		m.inc(auditAgreements)
		perPolicy[0].inc()
		return
	}
	for i := range m.disagreements {
		if k&(1<<i) != 0 {
			m.disagreements[i].inc()
		}
	}
	perPolicy[1].inc()
}

// counterFor names the counter a decision increments.
func counterFor(d *engine.Decision) counter {
	switch d.Kind() {
	case engine.PreflightAllowed:
		return preflightAllowed
	case engine.PreflightRefused:
		if d.Reply() {
			return preflightRejected
		}
		return preflightForwarded
	case engine.ActualAllowed:
		return actualAllowed
	case engine.ActualDisallowed:
		if d.Reply() {
			return actualRejected
		}
		return actualDisallowed
	}
	return nonCORS
}
