package filter

import (
	"strconv"

	"github.com/corswasm/corswasm/internal/engine"
)

// VerdictProperty is the property the filter sets, with
// verdict_filter_state, to each CORS request's verdict. Envoy keeps it in
// the stream's filter state as "wasm.corswasm.verdict" (the key is "wasm."
// followed by the path as the module sent it: Envoy
// source/extensions/common/wasm/context.cc, Context::setProperty), where an
// access log reads it with %FILTER_STATE(wasm.corswasm.verdict:PLAIN)%
// (PLAIN: the value as set; without it Envoy prints a serialized
// google.protobuf.BytesValue), and a later filter as the attribute
// filter_state["wasm.corswasm.verdict"].
//
// The value is space-separated key=value fields, in this order, each
// value one token:
//
//	kind=preflight|actual
//	verdict=allowed|rejected|forwarded|disallowed   (what the policy does, or would do in audit mode)
//	reason=<code>       only when refused or disallowed: engine.Reason.Code
//	rule=<name>         only when a rule decided (none: the top-level policy)
//	mode=enforce|audit
//	percent=<1-99>      only when enforce_percent chose the mode
//	audit=pending|agree|<kind>[,<kind>...]   only in audit mode: pending until
//	                    the upstream's answer is compared, then the agreement
//	                    or the kinds of disagreement
//
// It never holds request bytes: a rule name is the configuration's, a
// reason and a kind come from fixed vocabularies.
const VerdictProperty = "corswasm.verdict"

// maxVerdictLength bounds the value: the longest of each field, a rule
// name of 64 bytes, and every kind of disagreement.
const maxVerdictLength = 512

// verdictStage says what a published verdict knows of audit mode's
// comparison.
type verdictStage uint8

const (
	// verdictEnforced: the policy enforced the decision.
	verdictEnforced verdictStage = iota
	// verdictPending: audited, the upstream's answer not compared yet.
	verdictPending
	// verdictCompared: audited and compared; the disagreement is known.
	verdictCompared
)

// publishVerdict sets VerdictProperty to the verdict on a CORS request, when
// verdict_filter_state is on; otherwise it does nothing. One host call: the
// request phase publishes every CORS request's verdict, and audit mode's
// response phase publishes it again with the comparison.
func (p *pluginContext) publishVerdict(d *engine.Decision, stage verdictStage, k engine.Disagreement) {
	if p.verdictBuf == nil {
		return
	}
	p.verdictBuf = appendVerdict(p.verdictBuf[:0], d, stage, k)
	if err := hostSetProperty(VerdictProperty, p.verdictBuf); err != nil {
		hostError("set the property", VerdictProperty, err)
	}
}

// appendVerdict appends the value of VerdictProperty to b.
func appendVerdict(b []byte, d *engine.Decision, stage verdictStage, k engine.Disagreement) []byte {
	kind := "actual"
	if d.Kind() == engine.PreflightAllowed || d.Kind() == engine.PreflightRefused {
		kind = "preflight"
	}
	b = append(append(b, "kind="...), kind...)
	b = append(append(b, " verdict="...), verdictWords[counterFor(d)]...)
	if r := d.Reason(); r != engine.NoReason {
		b = append(append(b, " reason="...), r.Code()...)
	}
	if rule := d.Rule(); rule != "" {
		b = append(append(b, " rule="...), rule...)
	}
	if stage == verdictEnforced {
		b = append(b, " mode=enforce"...)
	} else {
		b = append(b, " mode=audit"...)
	}
	if d.Rollout() != engine.NoRollout {
		b = strconv.AppendInt(append(b, " percent="...), int64(d.EnforcePercent()), 10)
	}
	switch {
	case stage == verdictPending:
		b = append(b, " audit=pending"...)
	case stage == verdictCompared && k == 0:
		b = append(b, " audit=agree"...)
	case stage == verdictCompared:
		b = append(b, " audit="...)
		first := true
		for kind := engine.Disagreement(1); kind != 0 && kind <= k; kind <<= 1 {
			if k&kind == 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, kind.String()...)
		}
	}
	return b
}

// verdictWords name the verdict of each CORS counter, as the counters'
// last segment does.
var verdictWords = [numCounters]string{
	preflightAllowed: "allowed", preflightRejected: "rejected", preflightForwarded: "forwarded",
	actualAllowed: "allowed", actualDisallowed: "disallowed", actualRejected: "rejected",
}
