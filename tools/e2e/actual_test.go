//go:build !wasip1

package e2e

import "testing"

func TestActualRequests(t *testing.T) { runExchanges(t, actualRequests()) }

func actualRequests() []exchange {
	anyAllowed := map[string][]string{"access-control-allow-origin": {"*"}, "access-control-expose-headers": {"*"}}
	return []exchange{
		{
			desc: "allowed", config: "main", method: "GET", path: "/data", headers: []string{"Origin", app},
			status: 200, by: byUpstream, access: mainAllowed, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
		},
		{
			desc: "disallowed origin omitted", config: "main", method: "POST", path: "/data", headers: []string{"Origin", evil},
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
			logs:     []string{`corswasm: actual disallowed (origin not allowed): origin "` + evil + `"`},
		},
		{
			desc: "two origin lines", config: "main", method: "GET", path: "/", headers: []string{"Origin", app, "Origin", evil},
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
		},
		{
			desc: "OPTIONS without a request method is an actual request", config: "main", method: "OPTIONS", path: "/",
			headers: []string{"Origin", app},
			status:  200, by: byUpstream, access: mainAllowed, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
		},
		{
			desc: "null origin", config: "main", method: "GET", path: "/", headers: []string{"Origin", "null"},
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
		},
		{
			desc: "null origin allowed by *", config: "any", method: "GET", path: "/", headers: []string{"Origin", "null"},
			status: 200, by: byUpstream, access: anyAllowed,
			counters: []string{"corswasm.actual.allowed"},
		},
		{
			desc: "disallowed origin rejected", config: "reject", method: "POST", path: "/data", headers: []string{"Origin", evil},
			status: 403, by: byFilter, vary: []string{"Origin"}, emptyBody: true,
			counters: []string{"corswasm.actual.rejected"},
		},
		{
			desc: "same-origin request never rejected", config: "reject", method: "POST", path: "/data", sameOrigin: true,
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
		},
		{
			desc: "non-CORS", config: "main", method: "GET", path: "/",
			status: 200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.non_cors"},
		},
		{
			// Fetch §3.2.5: with "*" the answer goes on every response.
			desc: "non-CORS with *", config: "any", method: "GET", path: "/",
			status: 200, by: byUpstream, access: anyAllowed,
			counters: []string{"corswasm.non_cors"},
		},
	}
}

func TestVaryMerging(t *testing.T) { runExchanges(t, varyMerging()) }

func varyMerging() []exchange {
	var cases []exchange
	for _, tc := range []struct {
		desc     string
		upstream []string
		want     []string
	}{
		{"after the upstream's", []string{"vary", "Accept-Encoding"}, []string{"Accept-Encoding", "Origin"}},
		{"origin already there, in any case", []string{"vary", "Accept-Encoding, origin"}, []string{"Accept-Encoding", "origin"}},
		{"origin already there, on a second line", []string{"vary", "Accept", "vary", "Origin"}, []string{"Accept", "Origin"}},
		{"vary * left alone", []string{"vary", "*"}, []string{"*"}},
	} {
		cases = append(cases, exchange{
			desc: tc.desc, config: "main", method: "GET", path: "/", headers: []string{"Origin", app}, upstream: tc.upstream,
			status: 200, by: byUpstream, access: mainAllowed, vary: tc.want,
			counters: []string{"corswasm.actual.allowed"},
		})
	}
	return cases
}

func TestUpstreamCORSHeaders(t *testing.T) { runExchanges(t, upstreamCORSHeaders()) }

func upstreamCORSHeaders() []exchange {
	return []exchange{
		{
			desc: "replaced", config: "main", method: "GET", path: "/", headers: []string{"Origin", app},
			upstream: []string{"access-control-allow-origin", "*", "access-control-allow-origin", evil,
				"access-control-max-age", "99", "access-control-allow-methods", "TRACE"},
			status: 200, by: byUpstream, access: mainAllowed, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
		},
		{
			desc: "removed for a disallowed origin", config: "main", method: "GET", path: "/", headers: []string{"Origin", evil},
			upstream: []string{"access-control-allow-origin", evil, "access-control-allow-credentials", "true"},
			status:   200, by: byUpstream, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.disallowed"},
		},
		{
			desc: "kept", config: "keep", method: "GET", path: "/", headers: []string{"Origin", app},
			upstream: []string{"access-control-allow-origin", "*"},
			status:   200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {"*"}}, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
		},
		{
			desc: "keep adds the policy's when the upstream has none", config: "keep", method: "GET", path: "/", headers: []string{"Origin", app},
			status: 200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {app}}, vary: []string{"Origin"},
			counters: []string{"corswasm.actual.allowed"},
		},
	}
}
