package filter

import (
	"fmt"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

const verdictConfig = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "verdict_filter_state": true,
	"rules": [
		{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit"},
		{"name": "half", "match": {"path_prefixes": ["/half/"]}, "allow_origins": ["*"], "enforce_percent": 50},
		{"name": "strict", "match": {"path_prefixes": ["/strict/"]}, "on_disallowed_origin": "reject", "on_unmatched_preflight": "forward_disallowed_origin"}]}`

// property reads the verdict property; "" when it was never set.
func property(t *testing.T, host proxytest.HostEmulator) string {
	t.Helper()
	v, err := host.GetProperty([]string{VerdictProperty})
	if err != nil {
		return ""
	}
	return string(v)
}

// With verdict_filter_state, every CORS request's verdict is the property
// corswasm.verdict; audit mode publishes the comparison with the upstream.
func TestVerdictProperty(t *testing.T) {
	const app, other = "https://app.example.com", "https://other.example"
	preflight := func(path, origin, method string) [][2]string {
		return request("OPTIONS", path, "origin", origin, "access-control-request-method", method)
	}
	cases := []struct {
		desc     string
		request  [][2]string
		upstream [][2]string
		want     string
	}{
		{"preflight allowed", preflight("/x", app, "PUT"), nil, "kind=preflight verdict=allowed mode=enforce"},
		{"preflight refused", preflight("/x", app, "DELETE"), nil, "kind=preflight verdict=rejected reason=method_not_allowed mode=enforce"},
		{"preflight forwarded", preflight("/strict/x", other, "GET"), upstreamResponse(), "kind=preflight verdict=forwarded reason=origin_not_allowed rule=strict mode=enforce"},
		{"actual allowed", request("GET", "/x", "origin", app), upstreamResponse(), "kind=actual verdict=allowed mode=enforce"},
		{"actual disallowed", request("GET", "/x", "origin", other), upstreamResponse(), "kind=actual verdict=disallowed reason=origin_not_allowed mode=enforce"},
		{"actual rejected", request("POST", "/strict/x", "origin", "https://app.example.com/"), nil, "kind=actual verdict=rejected reason=malformed_origin rule=strict mode=enforce"},
		{"audited, agreeing", request("GET", "/legacy/x", "origin", other), upstreamResponse(), "kind=actual verdict=disallowed reason=origin_not_allowed rule=legacy mode=audit audit=agree"},
		{"audited, disagreeing", preflight("/legacy/x", app, "PUT"),
			upstreamResponse("access-control-allow-origin", app, "access-control-allow-methods", "PUT, PATCH"),
			"kind=preflight verdict=allowed rule=legacy mode=audit audit=preflight_methods"},
		{"audited, two kinds", request("GET", "/legacy/x", "origin", app),
			upstreamResponse("access-control-allow-origin", "*", "access-control-allow-credentials", "true"),
			"kind=actual verdict=allowed rule=legacy mode=audit audit=actual_origin,actual_credentials"},
	}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, verdictConfig)
		for _, tc := range cases {
			upstream := tc.upstream
			if upstream == nil {
				upstream = upstreamResponse()
			}
			roundTrip(t, host, tc.request, upstream)
			if got := property(t, host); got != tc.want {
				t.Errorf("%s: %s = %q; want %q", tc.desc, VerdictProperty, got, tc.want)
			}
		}
	})
}

// An audited request whose upstream never answers keeps the request
// phase's verdict, pending; a request without Origin sets nothing; with
// verdict_filter_state off nothing is set.
func TestVerdictPropertyUnset(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		// One host emulator at a time: each subtest releases its own.
		t.Run("pending", func(t *testing.T) {
			host := startHost(t, vm, verdictConfig)
			id := host.InitializeHttpContext()
			host.CallOnRequestHeaders(id, request("GET", "/legacy/x", "origin", "https://app.example.com"), false)
			if got, want := property(t, host), "kind=actual verdict=allowed rule=legacy mode=audit audit=pending"; got != want {
				t.Errorf("before the response: %q; want %q", got, want)
			}
			host.CompleteHttpContext(id)
		})
		t.Run("no origin", func(t *testing.T) {
			host := startHost(t, vm, verdictConfig)
			roundTrip(t, host, request("GET", "/x"), upstreamResponse())
			if got := property(t, host); got != "" {
				t.Errorf("a request without Origin set %q", got)
			}
		})
		t.Run("off", func(t *testing.T) {
			host := startHost(t, vm, `{"allow_origins": ["https://app.example.com"], "mode": "audit"}`)
			roundTrip(t, host, request("GET", "/x", "origin", "https://app.example.com"), upstreamResponse())
			if got := property(t, host); got != "" {
				t.Errorf("verdict_filter_state off, the filter set %q", got)
			}
		})
	})
}

// enforce_percent: the rollout counters count the enforced and the audited
// CORS requests; an enforced request gets the policy's headers, an audited
// one the upstream's response untouched; the property names the share.
func TestRolloutCounters(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, verdictConfig)
		const n = 100
		enforced := 0
		for i := range n {
			origin := fmt.Sprintf("https://app%d.example.com", i)
			x := roundTrip(t, host, request("GET", "/half/x", "origin", origin), upstreamResponse())
			got := property(t, host)
			acao := values(x.response, "access-control-allow-origin")
			switch got {
			case "kind=actual verdict=allowed rule=half mode=enforce percent=50":
				enforced++
				if len(acao) != 1 || acao[0] != "*" {
					t.Errorf("%s enforced, yet the response has access-control-allow-origin %q", origin, acao)
				}
			case "kind=actual verdict=allowed rule=half mode=audit percent=50 audit=actual_origin":
				if len(acao) != 0 {
					t.Errorf("%s audited, yet the response has access-control-allow-origin %q", origin, acao)
				}
			default:
				t.Fatalf("%s: %s = %q", origin, VerdictProperty, got)
			}
		}
		if enforced == 0 || enforced == n {
			t.Errorf("%d of %d enforced at 50%%", enforced, n)
		}
		if e, a := counterValue(t, host, MetricRolloutEnforced), counterValue(t, host, MetricRolloutAudited); e != uint64(enforced) || a != uint64(n-enforced) {
			t.Errorf("counters: %d enforced, %d audited; want %d, %d", e, a, enforced, n-enforced)
		}
		if got := counterValue(t, host, auditPolicyMetric("half", "disagreements")); got != uint64(n-enforced) {
			t.Errorf("rule half's audit disagreements: %d; want %d", got, n-enforced)
		}
	})
}

// A configuration without a share defines no rollout counter.
func TestRolloutCountersUndefined(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, `{"allow_origins": ["https://app.example.com"], "rules": [{"name": "r", "match": {"hosts": ["a.example"]}, "enforce_percent": 100}]}`)
		if _, err := host.GetCounterMetric(MetricRolloutEnforced); err == nil {
			t.Errorf("%s is defined without a share to enforce", MetricRolloutEnforced)
		}
	})
}
