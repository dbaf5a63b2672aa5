//go:build !wasip1

package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// rolloutHost is the :authority of the rollout cases: the share a request
// falls in depends on it.
const rolloutHost = "rollout.example.com"

// rolloutOrigins returns an origin the edge configuration's rule
// "rollout" (enforce_percent 50) enforces for rolloutHost, and one it
// audits, as the policy chooses them.
func rolloutOrigins() (enforced, audited string) {
	data, err := os.ReadFile(configPath("edge"))
	if err != nil {
		panic(err)
	}
	p, err := engine.Load(data)
	if err != nil {
		panic(err)
	}
	var d engine.Decision
	for i := 0; enforced == "" || audited == ""; i++ {
		origin := fmt.Sprintf("https://site%d.example", i)
		p.Evaluate(&engine.Request{Method: "GET", Origins: []string{origin}, Authority: rolloutHost, Path: "/rollout/x"}, &d)
		switch {
		case d.Rollout() == engine.RolloutEnforced && enforced == "":
			enforced = origin
		case d.Rollout() == engine.RolloutAudited && audited == "":
			audited = origin
		}
	}
	return enforced, audited
}

// enforce_percent: the origins in the enforced share get the policy's
// answer, the others the upstream's untouched, compared as in audit mode;
// a preflight is treated as its actual requests are. The verdict property
// says which.
func TestRollout(t *testing.T) { runExchanges(t, rollouts()) }

func rollouts() []exchange {
	enforced, audited := rolloutOrigins()
	const path = "/rollout/x"
	return []exchange{
		{
			desc: "an origin in the enforced share", config: "edge", method: "GET", path: path, authority: rolloutHost,
			headers: []string{"Origin", enforced},
			status:  200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {"*"}},
			// "*" varies by Origin under enforce_percent: the audited share's
			// responses are the upstream's.
			vary:     []string{"Origin"},
			counters: []string{"corswasm.actual.allowed", "corswasm.rollout.enforced"},
			verdict:  "kind=actual verdict=allowed rule=rollout mode=enforce percent=50",
		},
		{
			desc: "its preflight, answered by the filter", config: "edge", method: "OPTIONS", path: path, authority: rolloutHost,
			headers: []string{"Origin", enforced, "Access-Control-Request-Method", "PUT"},
			status:  204, by: byFilter, emptyBody: true,
			access: map[string][]string{
				"access-control-allow-origin":  {"*"},
				"access-control-allow-methods": {"PUT, DELETE"},
				"access-control-allow-headers": {"content-type"},
				"access-control-max-age":       {"600"},
			},
			vary:     []string{"Origin"},
			counters: []string{"corswasm.preflight.allowed", "corswasm.rollout.enforced"},
			verdict:  "kind=preflight verdict=allowed rule=rollout mode=enforce percent=50",
		},
		{
			desc: "an origin outside it: audited", config: "edge", method: "GET", path: path, authority: rolloutHost,
			headers: []string{"Origin", audited},
			status:  200, by: byUpstream, others: noIsolation,
			counters: []string{"corswasm.rollout.audited", "corswasm.audit.disagreements.actual_origin",
				"corswasm.audit.rule.rollout.disagreements", observationsLogged},
			verdict: "kind=actual verdict=allowed rule=rollout mode=audit percent=50 audit=actual_origin",
		},
		{
			desc: "its preflight, forwarded and compared", config: "edge", method: "OPTIONS", path: path, authority: rolloutHost,
			headers: []string{"Origin", audited, "Access-Control-Request-Method", "PUT"},
			status:  200, by: byUpstream,
			counters: []string{"corswasm.rollout.audited", "corswasm.audit.disagreements.preflight_verdict",
				"corswasm.audit.rule.rollout.disagreements", observationsLogged},
			verdict: "kind=preflight verdict=allowed rule=rollout mode=audit percent=50 audit=preflight_verdict",
		},
	}
}
