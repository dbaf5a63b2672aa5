package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// An allowed preflight: the rule that decided, the verdict, and the exact
// headers of the local reply.
func TestExplainAllowedPreflight(t *testing.T) {
	r := corswasm(t, "", "explain", "envoy/cors.json", "--origin", "https://app.example.com", "--request-method", "PUT",
		"--request-headers", "content-type, authorization", "--host", "api.example.com", "--path", "/items")
	want := `request:     OPTIONS https://api.example.com/items
             origin: https://app.example.com
             access-control-request-method: PUT
             access-control-request-headers: content-type, authorization
kind:        preflight
decided by:  the top-level policy
verdict:     preflight allowed
action:      the filter answers locally, without a body; the upstream never sees the request
reply:       204
             access-control-allow-origin: https://app.example.com
             access-control-allow-credentials: true
             access-control-allow-methods: PUT, PATCH, DELETE
             access-control-allow-headers: content-type, authorization, x-request-id
             access-control-max-age: 600
             vary: Origin
`
	if r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d:\n%s\nwant:\n%s%s", r.code, r.stdout, want, r.stderr)
	}
}

// A refused preflight names the rule and the reason, and the debug header
// the rule sends.
func TestExplainRefusedByRule(t *testing.T) {
	r := corswasm(t, "", "explain", "--json", testdata("rules.json"), "--origin", "https://portal.partner.example",
		"--request-method", "DELETE", "--host", "api.example.com", "--path", "/partner/orders")
	var x explanation
	if err := json.Unmarshal([]byte(r.stdout), &x); err != nil {
		t.Fatalf("exit %d, not JSON (%v):\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if x.RuleIndex != 2 || x.Rule != "partner-api" || x.Classification != "preflight" || x.Verdict != "preflight refused" ||
		x.Reason != "method not allowed: DELETE" || x.Action != "local reply" || x.Status != 403 {
		t.Errorf("explanation: %+v", x)
	}
	// The refusal depends on the origin and the requested method.
	want := []headerReport{{"x-cors-reason", "method not allowed: DELETE"}, {"vary", "Origin, Access-Control-Request-Method"}}
	if len(x.Headers) != 2 || x.Headers[0] != want[0] || x.Headers[1] != want[1] {
		t.Errorf("headers = %+v; want %+v", x.Headers, want)
	}
}

// An actual request: what the filter removes from and adds to the
// upstream's response, given with --response-header.
func TestExplainActualWithUpstream(t *testing.T) {
	r := corswasm(t, "", "explain", testdata("rules.json"), "--origin", "https://www.example.com", "--path", "/items",
		"--response-header", "Access-Control-Allow-Origin: *", "--response-header", "vary: Accept-Encoding")
	for _, want := range []string{
		"request:     GET https://(no host)/items\n",
		"kind:        actual\n",
		"verdict:     actual allowed\n",
		"removes:     access-control-allow-origin (the upstream's own; upstream_cors_headers: replace)\n",
		"adds:\n             access-control-allow-origin: https://www.example.com\n             vary: Origin\n             cross-origin-opener-policy: same-origin\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "assuming an upstream response") {
		t.Errorf("the upstream's response was given, yet assumed:\n%s", r.stdout)
	}
}

// Audit mode changes nothing, and says what enforcing would do; a disabled
// rule passes everything.
func TestExplainAuditAndDisabled(t *testing.T) {
	r := corswasm(t, "", "explain", testdata("rules.json"), "--origin", "https://www.example.com", "--path", "/legacy/x")
	for _, want := range []string{
		`decided by:  rules[2] "legacy"`,
		"action:      the request and its response pass untouched (audit mode)",
		"enforcing, the filter would instead:\n  action:      the request goes to the upstream",
		"  adds:\n               access-control-allow-origin: https://www.example.com\n",
		"(assuming an upstream response without CORS, Vary or isolation headers",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = corswasm(t, "", "explain", testdata("rules.json"), "--origin", "https://www.example.com", "--path", "/healthz")
	if !strings.Contains(r.stdout, "verdict:     none: the policy is disabled\naction:      the request and its response pass untouched (enabled: false)\n") {
		t.Errorf("disabled rule:\n%s", r.stdout)
	}
}

// explain needs one valid configuration.
func TestExplainNeedsOneValidConfiguration(t *testing.T) {
	if r := corswasm(t, "", "explain", testdata("bad.json"), "--origin", "https://a.example"); r.code != exitProblems || !strings.Contains(r.stderr, "7 errors") {
		t.Errorf("bad configuration: exit %d:\n%s", r.code, r.stderr)
	}
	if r := corswasm(t, "", "explain", "tools/e2e/envoy.yaml", "--origin", "https://a.example"); r.code != exitUsage || !strings.Contains(r.stderr, "choose one with --plugin") {
		t.Errorf("seven configurations: exit %d:\n%s", r.code, r.stderr)
	}
	// A --plugin that names nothing is said as check says it.
	if r := corswasm(t, "", "explain", testdata("wasmplugins-list.yaml"), "--plugin", "nomatch", "--origin", "https://a.example"); r.code != exitProblems ||
		!strings.Contains(r.stderr, `--plugin: "nomatch": names no Wasm plugin of the files checked [plugin_not_found]`) {
		t.Errorf("a --plugin naming nothing: exit %d:\n%s", r.code, r.stderr)
	}
}

// --route and --virtual-host give the names of Envoy's route and virtual
// host, which choose the rules bound to them.
func TestExplainByRoute(t *testing.T) {
	r := corswasm(t, "", "explain", testdata("routes.json"), "--origin", "https://shop.example.com",
		"--route", "httproute/shop/checkout/rule/0/match/0/shop_example_com")
	for _, want := range []string{"route: httproute/shop/checkout/rule/0/match/0/shop_example_com\n",
		"decided by:  rules[0] \"checkout\"\n", "access-control-allow-origin: https://shop.example.com\n"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d: output lacks %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		rule int
	}{
		{[]string{"--route", "reviews-v2", "--virtual-host", "reviews.default.svc.cluster.local:9080"}, 2},
		{[]string{"--route", "reviews-v2", "--virtual-host", "other"}, 0},
		{[]string{"--route", "reviews-v2"}, 0},
		{nil, 0},
	} {
		r := corswasm(t, "", append([]string{"explain", "--json", testdata("routes.json"), "--origin", "https://reviews.example.com"}, tc.args...)...)
		var x explanation
		if err := json.Unmarshal([]byte(r.stdout), &x); err != nil {
			t.Fatalf("%q: exit %d, not JSON (%v):\n%s%s", tc.args, r.code, err, r.stdout, r.stderr)
		}
		if x.RuleIndex != tc.rule {
			t.Errorf("%q: rule index %d; want %d", tc.args, x.RuleIndex, tc.rule)
		}
	}
}

// With enforce_percent, explain says whether the origin and host fall in
// the enforced share, as the filter chooses it.
func TestExplainRollout(t *testing.T) {
	const cfg = `{"allow_origins": ["*"], "enforce_percent": 50}`
	p, err := engine.Load([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rollout.json")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[engine.Rollout]string{
		engine.RolloutEnforced: "rollout:     enforced: this origin and host are in the 50% enforce_percent enforces\naction:      the request goes to the upstream",
		engine.RolloutAudited:  "rollout:     audited: this origin and host are outside the 50% enforce_percent enforces\naction:      the request and its response pass untouched (audit mode)",
	}
	var d engine.Decision
	for i := 0; len(want) > 0; i++ {
		origin := fmt.Sprintf("https://site%d.example", i)
		p.Evaluate(&engine.Request{Method: "GET", Origins: []string{origin}, Authority: "api.example.com"}, &d)
		w, ok := want[d.Rollout()]
		if !ok {
			continue
		}
		delete(want, d.Rollout())
		r := corswasm(t, "", "explain", path, "--origin", origin, "--host", "api.example.com")
		if !strings.Contains(r.stdout, w) {
			t.Errorf("%s: output lacks %q:\n%s", origin, w, r.stdout)
		}
	}
}
