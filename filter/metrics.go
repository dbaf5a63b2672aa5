package filter

import "github.com/corswasm/corswasm/policy"

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
	MetricPanics             = "corswasm.panics"
)

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
	panics
	numCounters
)

var counterNames = [numCounters]string{
	MetricPreflightAllowed, MetricPreflightRejected, MetricPreflightForwarded,
	MetricActualAllowed, MetricActualDisallowed, MetricActualRejected,
	MetricNonCORS, MetricPanics,
}

// metrics holds the host's ids for the counters. A counter whose definition
// failed keeps ok=false and is never incremented.
type metrics struct {
	ids [numCounters]uint32
	ok  [numCounters]bool
}

// define asks the host for every counter. Envoy returns the same counter to
// every VM that defines a name, so counts add up across worker threads.
func (m *metrics) define() {
	for i, name := range counterNames {
		id, err := hostDefineCounter(name)
		if err != nil {
			logf(logWarn, "corswasm: cannot define counter %s: %v", name, err)
			continue
		}
		m.ids[i], m.ok[i] = id, true
	}
}

func (m *metrics) inc(c counter) {
	if m != nil && m.ok[c] {
		hostIncrement(m.ids[c])
	}
}

// counterFor names the counter a decision increments.
func counterFor(d *policy.Decision) counter {
	switch d.Kind {
	case policy.PreflightAllowed:
		return preflightAllowed
	case policy.PreflightRefused:
		if d.Reply {
			return preflightRejected
		}
		return preflightForwarded
	case policy.ActualAllowed:
		return actualAllowed
	case policy.ActualDisallowed:
		if d.Reply {
			return actualRejected
		}
		return actualDisallowed
	}
	return nonCORS
}
