package filter

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// An edge configuration: rules by host and path, one disabled, one in
// audit mode, isolation headers, Timing-Allow-Origin and debug reasons.
const edgeConfig = `{
	"allow_origins": ["https://app.example.com"],
	"allow_methods": ["PUT"],
	"timing_allow_origin": true,
	"isolation": {"cross_origin_resource_policy": "same-site", "cross_origin_opener_policy": "same-origin"},
	"on_disallowed_origin": "reject",
	"debug": true,
	"rules": [
		{"name": "health", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
		{"name": "partner-api", "match": {"hosts": ["partner.example.com"]},
		 "allow_origins": ["https://partner.example.org"], "allow_credentials": true, "debug": false},
		{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit", "allow_methods": ["PUT", "DELETE"]}
	]
}`

func onHost(host string, r [][2]string) [][2]string {
	out := slices.Clone(r)
	for i := range out {
		if out[i][0] == ":authority" {
			out[i][1] = host
		}
	}
	return out
}

func TestRulesChooseThePolicy(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, edgeConfig)
		// Top level: app.example.com allowed, with Timing-Allow-Origin and
		// the isolation headers.
		x := roundTrip(t, host, request("GET", "/data", "origin", app), upstreamResponse())
		want := append(upstreamResponse(),
			[2]string{"access-control-allow-origin", app}, [2]string{"timing-allow-origin", app}, [2]string{"vary", "Origin"},
			[2]string{"cross-origin-resource-policy", "same-site"}, [2]string{"cross-origin-opener-policy", "same-origin"})
		if !equalHeaders(x.response, want) {
			t.Errorf("top-level response:\n got %q\nwant %q", x.response, want)
		}
		// partner-api: its own origin, with credentials; the top-level origin
		// is rejected there, without a reason (the rule turns debug off).
		x = roundTrip(t, host, onHost("partner.example.com", request("GET", "/", "origin", "https://partner.example.org")), upstreamResponse())
		if got := values(x.response, "access-control-allow-credentials"); !slices.Equal(got, []string{"true"}) {
			t.Errorf("partner-api allow-credentials = %q", got)
		}
		x = roundTrip(t, host, onHost("PARTNER.example.com:443", request("GET", "/", "origin", app)), upstreamResponse())
		if x.local == nil || x.local.StatusCode != 403 || len(values(x.local.Headers, "x-cors-reason")) != 0 {
			t.Errorf("top-level origin on partner-api: %+v; want 403 without x-cors-reason", x.local)
		}
	})
}

// A disabled rule's requests pass through untouched: no local reply, no
// Vary, no isolation headers, nothing removed.
func TestDisabledRule(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, edgeConfig)
		upstream := upstreamResponse("access-control-allow-origin", "*")
		x := roundTrip(t, host, request("OPTIONS", "/healthz", "origin", evil, "access-control-request-method", "PUT"), upstream)
		if x.local != nil || !equalHeaders(x.response, upstream) {
			t.Errorf("disabled rule: local %+v, response %q; want untouched %q", x.local, x.response, upstream)
		}
		if n := counterValue(t, host, MetricDisabled); n != 1 {
			t.Errorf("%s = %d; want 1", MetricDisabled, n)
		}
	})
}

// Debug reasons name what failed, with only validated tokens.
func TestDebugReason(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, edgeConfig)
		for _, tc := range []struct {
			headers []string
			want    string
		}{
			{[]string{"origin", app, "access-control-request-method", "PATCH"}, "method not allowed: PATCH"},
			{[]string{"origin", app, "access-control-request-method", strings.Repeat("P", 65)}, "method too long"},
			{[]string{"origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "x-secret"}, "header not allowed: x-secret"},
			{[]string{"origin", "https://a.test/<script>", "access-control-request-method", "PUT"}, "malformed origin"},
			{[]string{"origin", evil, "access-control-request-method", "PUT"}, "origin not allowed"},
		} {
			x := roundTrip(t, host, request("OPTIONS", "/", tc.headers...), nil)
			if x.local == nil || x.local.StatusCode != 403 {
				t.Fatalf("%q: local reply %+v; want 403", tc.headers, x.local)
			}
			if got := values(x.local.Headers, "x-cors-reason"); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("%q: x-cors-reason = %q; want %q", tc.headers, got, tc.want)
			}
		}
		x := roundTrip(t, host, request("POST", "/", "origin", evil), upstreamResponse())
		if got := values(x.local.Headers, "x-cors-reason"); !slices.Equal(got, []string{"origin not allowed"}) {
			t.Errorf("rejected request: x-cors-reason = %q", got)
		}
	})
}

// Isolation headers the upstream set itself are kept as they are.
func TestIsolationOnlyWhenAbsent(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, edgeConfig)
		upstream := upstreamResponse("cross-origin-resource-policy", "cross-origin")
		x := roundTrip(t, host, request("GET", "/"), upstream)
		if got := values(x.response, "cross-origin-resource-policy"); !slices.Equal(got, []string{"cross-origin"}) {
			t.Errorf("corp = %q; want the upstream's only", got)
		}
		if got := values(x.response, "cross-origin-opener-policy"); !slices.Equal(got, []string{"same-origin"}) {
			t.Errorf("coop = %q; want the policy's", got)
		}
		if got := values(x.response, "cross-origin-embedder-policy"); len(got) != 0 {
			t.Errorf("coep = %q; want none (not configured)", got)
		}
	})
}

// Audit mode changes nothing, compares the upstream's answer with the
// policy, and counts and logs each kind of disagreement.
func TestAuditMode(t *testing.T) {
	const legacy = "/legacy/orders"
	cases := []struct {
		desc     string
		request  [][2]string
		upstream [][2]string
		kinds    []string // disagreement kinds; nil for an agreement
	}{
		{"preflight agreement", request("OPTIONS", legacy, "origin", app, "access-control-request-method", "DELETE"),
			upstreamResponse("access-control-allow-origin", app, "access-control-allow-methods", "GET, PUT, DELETE"), nil},
		{"preflight verdict", request("OPTIONS", legacy, "origin", app, "access-control-request-method", "DELETE"),
			[][2]string{{":status", "404"}}, []string{"preflight_verdict"}},
		{"preflight the policy refuses, upstream allows", request("OPTIONS", legacy, "origin", evil, "access-control-request-method", "PUT"),
			upstreamResponse("access-control-allow-origin", "*", "access-control-allow-methods", "*"), []string{"preflight_verdict"}},
		{"preflight origin and methods", request("OPTIONS", legacy, "origin", app, "access-control-request-method", "PUT"),
			upstreamResponse("access-control-allow-origin", "*", "access-control-allow-methods", "PUT, PATCH"), []string{"preflight_origin", "preflight_methods"}},
		{"preflight headers", request("OPTIONS", legacy, "origin", app, "access-control-request-method", "PUT"),
			upstreamResponse("access-control-allow-origin", app, "access-control-allow-methods", "PUT, DELETE", "access-control-allow-headers", "x-a"),
			[]string{"preflight_headers"}},
		{"actual agreement", request("GET", legacy, "origin", app), upstreamResponse("access-control-allow-origin", app), nil},
		{"actual origin", request("GET", legacy, "origin", evil), upstreamResponse("access-control-allow-origin", evil), []string{"actual_origin"}},
		{"actual credentials", request("GET", legacy, "origin", app),
			upstreamResponse("access-control-allow-origin", app, "access-control-allow-credentials", "true"), []string{"actual_credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host := startHost(t, vm, edgeConfig)
				x := roundTrip(t, host, tc.request, tc.upstream)
				if x.local != nil {
					t.Fatalf("audit mode sent a local reply %+v", x.local)
				}
				if !equalHeaders(x.response, tc.upstream) {
					t.Errorf("audit mode changed the response:\n got %q\nwant %q", x.response, tc.upstream)
				}
				agreements := uint64(0)
				if tc.kinds == nil {
					agreements = 1
				}
				if n := counterValue(t, host, MetricAuditAgreements); n != agreements {
					t.Errorf("%s = %d; want %d", MetricAuditAgreements, n, agreements)
				}
				if n := counterValue(t, host, "corswasm.audit.rule.legacy.disagreements"); n != 1-agreements {
					t.Errorf("legacy's disagreements = %d; want %d", n, 1-agreements)
				}
				for _, kind := range []string{"preflight_verdict", "preflight_origin", "preflight_methods", "preflight_headers", "actual_origin", "actual_credentials"} {
					want := uint64(0)
					if slices.Contains(tc.kinds, kind) {
						want = 1
					}
					if n := counterValue(t, host, MetricAuditDisagreementsPrefix+kind); n != want {
						t.Errorf("%s%s = %d; want %d", MetricAuditDisagreementsPrefix, kind, n, want)
					}
				}
				logs := strings.Join(host.GetInfoLogs(), "\n")
				for _, kind := range tc.kinds {
					if !strings.Contains(logs, `audit: rule "legacy" disagrees (`+kind+`): origin "`) || !strings.Contains(logs, `path "/legacy/orders": policy would`) {
						t.Errorf("no log line for %s in:\n%s", kind, logs)
					}
				}
				// The decision counters are not moved: nothing was enforced.
				for _, name := range []string{MetricPreflightAllowed, MetricPreflightRejected, MetricActualAllowed, MetricActualDisallowed} {
					if n := counterValue(t, host, name); n != 0 {
						t.Errorf("%s = %d in audit mode; want 0", name, n)
					}
				}
			})
		})
	}
}

// At most AuditLogsPerSecond disagreement lines are logged per second; the
// rest are counted, and reported when the next second starts.
func TestAuditLogRateLimit(t *testing.T) {
	clock := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	now = func() time.Time { return clock }
	t.Cleanup(func() { now = time.Now })
	host := startHost(t, NewVMContext(), edgeConfig)
	disagree := func() {
		roundTrip(t, host, request("GET", "/legacy/x", "origin", evil), upstreamResponse("access-control-allow-origin", evil))
	}
	for range AuditLogsPerSecond + 5 {
		disagree()
	}
	if n := len(auditLines(host)); n != AuditLogsPerSecond {
		t.Errorf("%d audit lines logged in one second; want %d", n, AuditLogsPerSecond)
	}
	clock = clock.Add(1100 * time.Millisecond)
	disagree()
	logs := auditLines(host)
	want := fmt.Sprintf("corswasm: audit: 5 disagreement line(s) suppressed in the last second (at most %d per second)", AuditLogsPerSecond)
	if got := logs[len(logs)-2]; got != want {
		t.Errorf("after the second: %q; want %q", got, want)
	}
	if n := counterValue(t, host, MetricAuditDisagreementsPrefix+"actual_origin"); n != AuditLogsPerSecond+6 {
		t.Errorf("disagreements counted %d; want every one (%d)", n, AuditLogsPerSecond+6)
	}

	// When disagreements stop, the count still comes out with the next
	// audited request.
	for range AuditLogsPerSecond + 2 {
		disagree()
	}
	clock = clock.Add(2 * time.Second)
	roundTrip(t, host, request("GET", "/legacy/x", "origin", app), upstreamResponse("access-control-allow-origin", app))
	logs = auditLines(host)
	want = fmt.Sprintf("corswasm: audit: 3 disagreement line(s) suppressed in the last second (at most %d per second)", AuditLogsPerSecond)
	if got := logs[len(logs)-1]; got != want {
		t.Errorf("after an agreement: %q; want %q", got, want)
	}
}

// auditLines are the audit disagreement lines among the info lines (not the
// start-up's, not observations).
func auditLines(host proxytest.HostEmulator) []string {
	var out []string
	for _, l := range host.GetInfoLogs() {
		if strings.HasPrefix(l, "corswasm: audit: ") {
			out = append(out, l)
		}
	}
	return out
}

// In the module, the cap holds too (the clock is the host's).
func TestAuditLogCapInModule(t *testing.T) {
	host := startHost(t, productionVM.get(t, testmoduleModule), edgeConfig)
	start := time.Now()
	for range 3 * AuditLogsPerSecond {
		roundTrip(t, host, request("GET", "/legacy/x", "origin", evil), upstreamResponse("access-control-allow-origin", evil))
	}
	seconds := int(time.Since(start)/time.Second) + 1
	lines := 0
	for _, l := range host.GetInfoLogs() {
		if strings.Contains(l, "disagrees (actual_origin)") {
			lines++
		}
	}
	if lines < AuditLogsPerSecond || lines > AuditLogsPerSecond*seconds {
		t.Errorf("%d audit lines in %d second(s) for %d disagreements; want between %d and %d", lines, seconds, 3*AuditLogsPerSecond, AuditLogsPerSecond, AuditLogsPerSecond*seconds)
	}
}
