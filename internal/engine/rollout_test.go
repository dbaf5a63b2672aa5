package engine

import (
	"fmt"
	"slices"
	"testing"
)

const rolloutConfig = `{"allow_origins": ["*"], "allow_methods": ["PUT"], "enforce_percent": %d}`

// corsOn is an actual CORS request from origin to host.
func corsOn(origin, host string) *Request {
	return &Request{Method: "GET", Origins: []string{origin}, Authority: host, Path: "/"}
}

func TestEnforcePercentProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg, path string
		code      Code
		warn      bool
	}{
		{`{"allow_origins": ["https://a.example"], "enforce_percent": 101}`, "enforce_percent", CodeOutOfRange, false},
		{`{"allow_origins": ["https://a.example"], "enforce_percent": -1}`, "enforce_percent", CodeOutOfRange, false},
		{`{"allow_origins": ["https://a.example"], "enforce_percent": 5.5}`, "enforce_percent", CodeWrongType, false},
		{`{"allow_origins": ["https://a.example"], "mode": "audit", "enforce_percent": 10}`, "enforce_percent", CodeModeConflict, false},
		{`{"allow_origins": ["https://a.example"], "mode": "enforce", "enforce_percent": 0}`, "enforce_percent", CodeModeConflict, false},
		{`{"allow_origins": ["https://a.example"], "mode": "audit", "enforce_percent": 0}`, "enforce_percent", CodeRedundant, true},
		// A rule's mode and enforce_percent are its own, together.
		{`{"allow_origins": ["https://a.example"], "enforce_percent": 10, "rules": [{"name": "r", "match": {"hosts": ["a.example"]}, "mode": "audit", "enforce_percent": 50}]}`,
			`rules[0] "r": enforce_percent`, CodeModeConflict, false},
		{`{"allow_origins": ["https://a.example"], "verdict_filter_state": "yes"}`, "verdict_filter_state", CodeWrongType, false},
		{`{"allow_origins": ["https://a.example"], "rules": [{"name": "r", "match": {"hosts": ["a.example"]}, "verdict_filter_state": true}]}`,
			`rules[0] "r"`, CodeUnknownField, false},
	} {
		errs, warnings := Check([]byte(tc.cfg))
		list := errs
		if tc.warn {
			if len(errs) > 0 {
				t.Errorf("%s: errors %v; want none", tc.cfg, errs)
			}
			list = warnings
		}
		if !slices.ContainsFunc(list, func(e *FieldError) bool { return e.Path == tc.path && e.Code == tc.code }) {
			t.Errorf("%s: errors %v, warnings %v; want %s at %s", tc.cfg, errs, warnings, tc.code, tc.path)
		}
	}
}

// A rule that sets mode or enforce_percent takes neither from the top
// level; one that sets neither takes both.
func TestEnforcePercentInheritance(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["*"], "enforce_percent": 50, "rules": [
		{"name": "audited", "match": {"path_prefixes": ["/audit"]}, "mode": "audit"},
		{"name": "full", "match": {"path_prefixes": ["/full"]}, "mode": "enforce"},
		{"name": "inherits", "match": {"path_prefixes": ["/inherits"]}}]}`)
	q := mustLoad(t, `{"allow_origins": ["*"], "mode": "audit", "rules": [
		{"name": "tenth", "match": {"path_prefixes": ["/tenth"]}, "enforce_percent": 10}]}`)
	var d Decision
	for _, tc := range []struct {
		pol     *Policy
		path    string
		rollout bool // some origins enforced, some audited
		audit   bool // else: every origin audited, or none
	}{
		{p, "/audit", false, true},
		{p, "/full", false, false},
		{p, "/inherits", true, false},
		{p, "/", true, false},
		{q, "/tenth", true, false},
		{q, "/", false, true},
	} {
		seen := map[Rollout]int{}
		audits := 0
		for i := range 200 {
			r := corsOn(fmt.Sprintf("https://o%d.example", i), "api.example.com")
			r.Path = tc.path
			tc.pol.Evaluate(r, &d)
			seen[d.Rollout()]++
			if d.Audit() {
				audits++
			}
			if d.Audit() != (d.Rollout() == RolloutAudited) && d.Rollout() != NoRollout {
				t.Fatalf("%s: Audit %v with Rollout %v", tc.path, d.Audit(), d.Rollout())
			}
		}
		switch {
		case tc.rollout && (seen[RolloutEnforced] == 0 || seen[RolloutAudited] == 0 || seen[NoRollout] != 0):
			t.Errorf("%s: rollouts %v; want enforced and audited ones", tc.path, seen)
		case !tc.rollout && seen[NoRollout] != 200:
			t.Errorf("%s: rollouts %v; want none", tc.path, seen)
		case !tc.rollout && tc.audit != (audits == 200):
			t.Errorf("%s: %d of 200 audited; want audit %v", tc.path, audits, tc.audit)
		}
	}
}

// The choice depends on the origin and the host only: a preflight and its
// actual request agree, whatever the path, method or case of the host; the
// share is near the percentage; a larger percentage enforces a superset.
func TestEnforcePercentChoice(t *testing.T) {
	t.Parallel()
	const n = 2000
	enforced := map[int][]bool{}
	for _, pct := range []int{0, 1, 10, 50, 99, 100} {
		p := mustLoad(t, fmt.Sprintf(rolloutConfig, pct))
		if got, want := p.RollsOut(), pct > 0 && pct < 100; got != want {
			t.Errorf("%d%%: RollsOut %v; want %v", pct, got, want)
		}
		var d Decision
		count := 0
		for i := range n {
			origin := fmt.Sprintf("https://app%d.example.com", i)
			p.Evaluate(corsOn(origin, "api.example.com"), &d)
			on := !d.Audit()
			enforced[pct] = append(enforced[pct], on)
			if on {
				count++
			}
			wantRollout := NoRollout
			if pct > 0 && pct < 100 {
				wantRollout = RolloutAudited
				if on {
					wantRollout = RolloutEnforced
				}
				if d.EnforcePercent() != pct {
					t.Fatalf("%d%%: EnforcePercent %d", pct, d.EnforcePercent())
				}
			}
			if d.Rollout() != wantRollout {
				t.Fatalf("%d%% %s: Rollout %v; want %v", pct, origin, d.Rollout(), wantRollout)
			}
			pre := &Request{Method: "OPTIONS", Origins: []string{origin}, RequestMethod: "PUT", Authority: "API.Example.com", Path: "/other?x"}
			p.Evaluate(pre, &d)
			if d.Kind() != PreflightAllowed || d.Audit() == on {
				t.Fatalf("%d%% %s: the preflight (%v, audit %v) and the actual request (enforced %v) disagree", pct, origin, d.Kind(), d.Audit(), on)
			}
		}
		// The bucket is a hash: allow 3 points either way over 2000 origins.
		if lo, hi := n*pct/100-60, n*pct/100+60; count < lo || count > hi {
			t.Errorf("%d%%: %d of %d enforced; want about %d", pct, count, n, n*pct/100)
		}
	}
	for _, pair := range [][2]int{{1, 10}, {10, 50}, {50, 99}, {99, 100}, {0, 1}} {
		for i := range n {
			if enforced[pair[0]][i] && !enforced[pair[1]][i] {
				t.Fatalf("origin %d enforced at %d%% but not at %d%%", i, pair[0], pair[1])
			}
		}
	}
	// Another host puts the origins in other buckets.
	p := mustLoad(t, fmt.Sprintf(rolloutConfig, 50))
	var d Decision
	differ := 0
	for i := range 200 {
		p.Evaluate(corsOn(fmt.Sprintf("https://app%d.example.com", i), "www.example.com"), &d)
		if !d.Audit() != enforced[50][i] {
			differ++
		}
	}
	if differ == 0 {
		t.Error("the choice does not depend on the host")
	}
}

// Without Origin a request is not a CORS request: a policy enforcing a
// share treats it as enforcing (Vary: Origin, since responses to some
// origins carry the policy's headers), and chooses nothing.
func TestEnforcePercentNotCORS(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://a.example"], "enforce_percent": 30}`)
	var d Decision
	p.Evaluate(&Request{Method: "GET", Authority: "api.example.com", Path: "/"}, &d)
	if d.Audit() || d.Rollout() != NoRollout || !d.Vary() {
		t.Errorf("without Origin: audit %v, rollout %v, vary %v; want false, none, true", d.Audit(), d.Rollout(), d.Vary())
	}
	if !slices.Contains(p.Audited(), 0) {
		t.Errorf("Audited() = %v; want the top level, which audits a share", p.Audited())
	}
}

// Not parallel: testing.AllocsPerRun counts every allocation of the process.
func TestEnforcePercentDoesNotAllocate(t *testing.T) {
	p := mustLoad(t, fmt.Sprintf(rolloutConfig, 50))
	r := corsOn("https://app.example.com", "api.example.com")
	var d Decision
	if n := testing.AllocsPerRun(100, func() { p.Evaluate(r, &d) }); n != 0 {
		t.Errorf("Evaluate with enforce_percent allocates %v times per request", n)
	}
}

func TestReasonCodes(t *testing.T) {
	t.Parallel()
	if len(reasonCodes) != len(reasonNames) {
		t.Fatalf("%d reason codes for %d reasons", len(reasonCodes), len(reasonNames))
	}
	for r := Reason(1); int(r) < len(reasonCodes); r++ {
		c := r.Code()
		for i := 0; i < len(c); i++ {
			if !(c[i] >= 'a' && c[i] <= 'z' || c[i] == '_') {
				t.Errorf("%v: code %q is not snake case", r, c)
			}
		}
	}
	if NoReason.Code() != "" || Reason(200).Code() != "unknown" {
		t.Errorf("NoReason %q, Reason(200) %q", NoReason.Code(), Reason(200).Code())
	}
}

func TestVerdictFilterState(t *testing.T) {
	t.Parallel()
	if mustLoad(t, `{"allow_origins": ["https://a.example"]}`).VerdictFilterState() {
		t.Error("verdict_filter_state is on by default")
	}
	if !mustLoad(t, `{"allow_origins": ["https://a.example"], "verdict_filter_state": true}`).VerdictFilterState() {
		t.Error("verdict_filter_state: true is off")
	}
}

// Under enforce_percent even "*" without credentials varies by Origin: the
// audited share gets the upstream's answer untouched, the enforced share the
// policy's, so a shared cache must not serve one share's response to the
// other; requests without Origin get Vary: Origin (docs/operating.md,
// "Gradual enforcement").
func TestEnforcePercentAnyOriginVaries(t *testing.T) {
	p := mustLoad(t, `{"allow_origins": ["*"], "allow_methods": ["PUT"], "enforce_percent": 30}`)
	var d Decision
	p.Evaluate(&Request{Method: "GET", Authority: "api.example.com", Path: "/"}, &d)
	var acao string
	for _, h := range d.Headers() {
		if h.Name == HeaderAllowOrigin {
			acao = h.Value
		}
	}
	if !d.Vary() {
		t.Errorf("without Origin under enforce_percent 30 and allow_origins [\"*\"]: Vary: Origin %v (Access-Control-Allow-Origin %q); want Vary: Origin", d.Vary(), acao)
	}
	// An enforced CORS request's response: the audited share's differs, so
	// it must say it varies by Origin too.
	for i := range 50 {
		r := corsOn("https://o"+string(rune('a'+i%26))+string(rune('a'+i/26))+".example", "api.example.com")
		p.Evaluate(r, &d)
		if d.Rollout() == RolloutEnforced {
			if !d.Vary() {
				t.Errorf("%s (enforced share): no Vary: Origin, though an audited origin on the same URL gets the upstream's response", r.Origins[0])
			}
			break
		}
	}
}
