//go:build !wasip1

package e2e

import (
	"maps"
	"testing"
)

// The edge configuration (testdata/edge.json) is a gateway's: a top-level
// policy for www with isolation headers and Timing-Allow-Origin, and rules
// for health checks (disabled), a partner API (by host and path, its own
// origin with credentials, debug reasons) and a service being migrated
// (audit mode).
const (
	www     = "https://www.example.com"
	partner = "https://portal.partner.example"
	// partnerHost is the host the partner-api rule matches.
	partnerHost = "partner.example.com"
)

// isolation are the headers the edge configuration's isolation settings add.
var isolation = map[string][]string{
	"cross-origin-resource-policy": {"same-site"},
	"cross-origin-embedder-policy": {"require-corp"},
	"cross-origin-opener-policy":   {"same-origin"},
}

// noIsolation says that none of the isolation headers is there.
var noIsolation = map[string][]string{
	"cross-origin-resource-policy": nil, "cross-origin-embedder-policy": nil, "cross-origin-opener-policy": nil,
}

// with returns the union of header expectations; later ones win.
func with(sets ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

func TestRules(t *testing.T) { runExchanges(t, rules()) }

func rules() []exchange {
	partnerAllowed := map[string][]string{"access-control-allow-origin": {partner}, "access-control-allow-credentials": {"true"}}
	return []exchange{
		{
			desc: "the top level decides what no rule matches", config: "edge", method: "GET", path: "/x", headers: []string{"Origin", www},
			status: 200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {www}}, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
			verdict:  "kind=actual verdict=allowed mode=enforce",
		},
		{
			desc: "a disabled rule passes a request untouched", config: "edge", method: "GET", path: "/healthz", headers: []string{"Origin", www},
			status: 200, by: byUpstream, others: with(noIsolation, map[string][]string{"timing-allow-origin": nil}),
			counters: []string{"corswasm.disabled"},
		},
		{
			desc: "a disabled rule forwards a preflight", config: "edge", method: "OPTIONS", path: "/healthz/live",
			headers: []string{"Origin", www, "Access-Control-Request-Method", "PUT"},
			status:  200, by: byUpstream, others: noIsolation,
			counters: []string{"corswasm.disabled"},
		},
		{
			desc: "a rule by host and path allows its own origin with credentials", config: "edge", method: "GET", path: "/partner/orders",
			authority: partnerHost, headers: []string{"Origin", partner},
			status: 200, by: byUpstream, access: partnerAllowed, vary: []string{"Origin"},
			others:   map[string][]string{"timing-allow-origin": {partner}},
			counters: []string{"corswasm.actual.allowed"},
			verdict:  "kind=actual verdict=allowed rule=partner-api mode=enforce",
		},
		{
			desc: "a rule's host compared without case, port and trailing dot", config: "edge", method: "GET", path: "/partner/orders",
			authority: "Partner.EXAMPLE.com.:8443", headers: []string{"Origin", partner},
			status: 200, by: byUpstream, access: partnerAllowed, vary: []string{"Origin"},
			others:   map[string][]string{"timing-allow-origin": {partner}},
			counters: []string{"corswasm.actual.allowed"},
			verdict:  "kind=actual verdict=allowed rule=partner-api mode=enforce",
		},
		{
			desc: "a rule's preflight inherits methods, headers and max_age", config: "edge", method: "OPTIONS", path: "/partner/orders",
			authority: partnerHost, headers: []string{"Origin", partner, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"},
			status: 204, by: byFilter, vary: []string{"Origin"}, emptyBody: true,
			access: with(partnerAllowed, map[string][]string{
				"access-control-allow-methods": {"PUT, DELETE"},
				"access-control-allow-headers": {"content-type"},
				"access-control-max-age":       {"600"},
			}),
			counters: []string{"corswasm.preflight.allowed"},
			verdict:  "kind=preflight verdict=allowed rule=partner-api mode=enforce",
		},
		{
			desc: "a rule with debug says why it refused", config: "edge", method: "OPTIONS", path: "/partner/orders",
			authority: partnerHost, headers: []string{"Origin", www, "Access-Control-Request-Method", "PUT"},
			status: 403, by: byFilter, vary: []string{"Origin"}, emptyBody: true,
			others:   map[string][]string{"x-cors-reason": {"origin not allowed"}},
			counters: []string{"corswasm.preflight.rejected"},
			verdict:  "kind=preflight verdict=rejected reason=origin_not_allowed rule=partner-api mode=enforce",
			logs:     []string{`corswasm: preflight refused (origin not allowed): origin "` + www + `", method "OPTIONS", path "/partner/orders"`},
		},
		{
			desc: "the top level, without debug, does not", config: "edge", method: "OPTIONS", path: "/x",
			headers: []string{"Origin", evil, "Access-Control-Request-Method", "PUT"},
			status:  403, by: byFilter, vary: []string{"Origin"}, emptyBody: true,
			others:   map[string][]string{"x-cors-reason": nil},
			counters: []string{"corswasm.preflight.rejected"},
			verdict:  "kind=preflight verdict=rejected reason=origin_not_allowed mode=enforce",
		},
		{
			desc: "the rule's host on another path: the top level", config: "edge", method: "GET", path: "/other",
			authority: partnerHost, headers: []string{"Origin", partner},
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
			verdict:  "kind=actual verdict=disallowed reason=origin_not_allowed mode=enforce",
		},
	}
}

// In audit mode the filter changes nothing and compares the upstream's
// answer with the policy's; each distinct request and answer is logged as
// an observation once per VM (TestObservationsInOneVM shows the once).
func TestAuditMode(t *testing.T) { runExchanges(t, auditMode()) }

func auditMode() []exchange {
	upstreamPreflight := []string{"access-control-allow-origin", www, "access-control-allow-methods", "PUT, DELETE",
		"access-control-allow-headers", "content-type", "access-control-max-age", "600"}
	return []exchange{
		{
			desc: "an upstream that agrees", config: "edge", method: "GET", path: "/billing/invoices", headers: []string{"Origin", www},
			upstream: []string{"access-control-allow-origin", www},
			status:   200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {www}},
			others:   with(noIsolation, map[string][]string{"timing-allow-origin": nil}),
			counters: []string{"corswasm.audit.agreements", "corswasm.audit.rule.legacy-billing.agreements", observationsLogged},
			verdict:  "kind=actual verdict=allowed rule=legacy-billing mode=audit audit=agree",
			logs: []string{`,"rule":"legacy-billing","path":"/billing/","kind":"actual","origin":"` + www + `","method":"GET","status":200,` +
				`"answer":{"access-control-allow-origin":["` + www + `"]}}`},
		},
		{
			desc: "an upstream that disagrees: counted and logged", config: "edge", method: "GET", path: "/billing/invoices", headers: []string{"Origin", www},
			status: 200, by: byUpstream, others: noIsolation,
			counters: []string{"corswasm.audit.disagreements.actual_origin", "corswasm.audit.rule.legacy-billing.disagreements", observationsLogged},
			verdict:  "kind=actual verdict=allowed rule=legacy-billing mode=audit audit=actual_origin",
			logs: []string{`corswasm: audit: rule "legacy-billing" disagrees (actual_origin): origin "` + www + `", path "/billing/invoices"`,
				`"kind":"actual","origin":"` + www + `","method":"GET","status":200,"answer":{}}`},
		},
		{
			desc: "a preflight goes to the upstream", config: "edge", method: "OPTIONS", path: "/billing/invoices",
			headers:  []string{"Origin", www, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"},
			upstream: upstreamPreflight,
			status:   200, by: byUpstream,
			access: map[string][]string{
				"access-control-allow-origin":  {www},
				"access-control-allow-methods": {"PUT, DELETE"},
				"access-control-allow-headers": {"content-type"},
				"access-control-max-age":       {"600"},
			},
			counters: []string{"corswasm.audit.agreements", "corswasm.audit.rule.legacy-billing.agreements", observationsLogged},
			verdict:  "kind=preflight verdict=allowed rule=legacy-billing mode=audit audit=agree",
			logs: []string{`,"rule":"legacy-billing","path":"/billing/","kind":"preflight","origin":"` + www + `","method":"PUT","request_headers":"content-type",` +
				`"status":200,"answer":{"access-control-allow-origin":["` + www + `"],"access-control-allow-methods":["PUT, DELETE"],` +
				`"access-control-allow-headers":["content-type"],"access-control-max-age":["600"]}}`},
		},
		{
			desc: "an upstream accepting a preflight the policy would refuse", config: "edge", method: "OPTIONS", path: "/billing/invoices",
			headers:  []string{"Origin", evil, "Access-Control-Request-Method", "PUT"},
			upstream: []string{"access-control-allow-origin", evil, "access-control-allow-methods", "PUT"},
			status:   200, by: byUpstream,
			access: map[string][]string{
				"access-control-allow-origin":  {evil},
				"access-control-allow-methods": {"PUT"},
			},
			counters: []string{"corswasm.audit.disagreements.preflight_verdict", "corswasm.audit.rule.legacy-billing.disagreements", observationsLogged},
			verdict:  "kind=preflight verdict=rejected reason=origin_not_allowed rule=legacy-billing mode=audit audit=preflight_verdict",
			logs:     []string{`corswasm: audit: rule "legacy-billing" disagrees (preflight_verdict): origin "` + evil + `"`, `corswasm: observation {"v":1,"host":`},
		},
	}
}

// observationsLogged counts audit mode's distinct observations.
const observationsLogged = "corswasm.audit.observations.logged"

// Isolation headers go on upstream responses the enforcing policy decides,
// unless the upstream set its own; never on the filter's local replies.
func TestIsolationHeaders(t *testing.T) { runExchanges(t, isolationHeaders()) }

func isolationHeaders() []exchange {
	return []exchange{
		{
			desc: "an allowed actual response, with Timing-Allow-Origin", config: "edge", method: "GET", path: "/x", headers: []string{"Origin", www},
			status: 200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {www}}, vary: []string{"Origin"},
			others:   with(isolation, map[string][]string{"timing-allow-origin": {www}}),
			counters: []string{"corswasm.actual.allowed"},
			verdict:  "kind=actual verdict=allowed mode=enforce",
		},
		{
			desc: "a disallowed origin's response, without Timing-Allow-Origin", config: "edge", method: "GET", path: "/x", headers: []string{"Origin", evil},
			status: 200, by: byUpstream, vary: []string{"Origin"},
			others:   with(isolation, map[string][]string{"timing-allow-origin": nil}),
			counters: []string{"corswasm.actual.disallowed"},
			verdict:  "kind=actual verdict=disallowed reason=origin_not_allowed mode=enforce",
		},
		{
			desc: "a non-CORS response", config: "edge", method: "GET", path: "/x",
			status: 200, by: byUpstream, vary: []string{"Origin"}, others: isolation,
			counters: []string{"corswasm.non_cors"},
		},
		{
			desc: "the upstream's own header kept", config: "edge", method: "GET", path: "/x", headers: []string{"Origin", www},
			upstream: []string{"cross-origin-resource-policy", "cross-origin"},
			status:   200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {www}}, vary: []string{"Origin"},
			others:   with(isolation, map[string][]string{"cross-origin-resource-policy": {"cross-origin"}}),
			counters: []string{"corswasm.actual.allowed"},
			verdict:  "kind=actual verdict=allowed mode=enforce",
		},
		{
			desc: "not on the filter's preflight reply", config: "edge", method: "OPTIONS", path: "/x",
			headers: []string{"Origin", www, "Access-Control-Request-Method", "PUT"},
			status:  204, by: byFilter, vary: []string{"Origin"}, emptyBody: true, others: noIsolation,
			access: map[string][]string{
				"access-control-allow-origin":  {www},
				"access-control-allow-methods": {"PUT, DELETE"},
				"access-control-allow-headers": {"content-type"},
				"access-control-max-age":       {"600"},
			},
			counters: []string{"corswasm.preflight.allowed"},
			verdict:  "kind=preflight verdict=allowed mode=enforce",
		},
	}
}
