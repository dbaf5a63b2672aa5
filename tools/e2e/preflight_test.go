//go:build !wasip1

package e2e

import (
	"strings"
	"testing"
)

// The headers of an allowed preflight under testdata/main.json, for the
// origin given.
func mainPreflightAllowed(origin string) map[string][]string {
	return map[string][]string{
		"access-control-allow-origin":      {origin},
		"access-control-allow-credentials": {"true"},
		"access-control-allow-methods":     {"PUT, PATCH, DELETE"},
		"access-control-allow-headers":     {"content-type, authorization, x-request-id"},
		"access-control-max-age":           {"600"},
	}
}

func TestPreflightAllowed(t *testing.T) { runExchanges(t, preflightAllowed()) }

func preflightAllowed() []exchange {
	return []exchange{{
		desc: "allowed", config: "main", method: "OPTIONS", path: "/items/1",
		headers: []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-request-id"},
		// main allows private network access: whether the reply grants it
		// depends on the request asking, whether or not this one did.
		status: 204, by: byFilter, access: mainPreflightAllowed(app), vary: []string{"Origin", "Access-Control-Request-Private-Network"}, emptyBody: true,
		counters: []string{"corswasm.preflight.allowed"},
	}}
}

func TestPreflightVariants(t *testing.T) { runExchanges(t, preflightVariants()) }

func preflightVariants() []exchange {
	preview := "https://pr-7.preview.example.com"
	withPrivateNetwork := mainPreflightAllowed(preview)
	withPrivateNetwork["access-control-allow-private-network"] = []string{"true"}
	return []exchange{
		{
			desc: "wildcard subdomain, headers over two lines, private network", config: "main", method: "OPTIONS", path: "/",
			headers: []string{"Origin", preview, "Access-Control-Request-Method", "DELETE",
				"Access-Control-Request-Headers", "Authorization", "Access-Control-Request-Headers", " X-Request-Id ,",
				"Access-Control-Request-Private-Network", "true"},
			status: 204, by: byFilter, access: withPrivateNetwork, vary: []string{"Origin", "Access-Control-Request-Private-Network"}, emptyBody: true,
			counters: []string{"corswasm.preflight.allowed"},
		},
		{
			desc: "wildcards with credentials echo what was asked", config: "wild", method: "OPTIONS", path: "/",
			headers: []string{"Origin", app, "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "x-a, X-B"},
			status:  204, by: byFilter, emptyBody: true,
			vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
			access: map[string][]string{
				"access-control-allow-origin":      {app},
				"access-control-allow-credentials": {"true"},
				"access-control-allow-methods":     {"DELETE"},
				"access-control-allow-headers":     {"x-a, X-B"},
			},
			counters: []string{"corswasm.preflight.allowed"},
		},
		{
			desc: "a wildcard never covers authorization", config: "wild", method: "OPTIONS", path: "/",
			headers: []string{"Origin", app, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-a,authorization"},
			status:  403, by: byFilter, emptyBody: true,
			vary:     []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
			counters: []string{"corswasm.preflight.rejected"},
		},
		{
			desc: "private network not allowed", config: "reject", method: "OPTIONS", path: "/",
			headers: []string{"Origin", app, "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"},
			status:  403, by: byFilter, emptyBody: true,
			vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
				"Access-Control-Request-Private-Network"},
			counters: []string{"corswasm.preflight.rejected"},
		},
		{
			desc: "any origin, status 200", config: "any", method: "OPTIONS", path: "/",
			headers: []string{"Origin", evil, "Access-Control-Request-Method", "PURGE", "Access-Control-Request-Headers", "x-anything"},
			status:  200, by: byFilter, emptyBody: true,
			access: map[string][]string{
				"access-control-allow-origin":  {"*"},
				"access-control-allow-methods": {"*"},
				"access-control-allow-headers": {"*"},
			},
			counters: []string{"corswasm.preflight.allowed"},
		},
	}
}

func TestPreflightRejected(t *testing.T) { runExchanges(t, preflightRejected()) }

func preflightRejected() []exchange {
	// A refusal varies on every request header read up to the check that
	// failed: the origin, then the method, then the headers.
	origin := []string{"Origin"}
	method := []string{"Origin", "Access-Control-Request-Method"}
	headers := []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}
	var cases []exchange
	for _, tc := range []struct {
		desc    string
		headers []string
		reason  string
		vary    []string
	}{
		{"origin", []string{"Origin", evil, "Access-Control-Request-Method", "PUT"}, "origin not allowed", origin},
		{"method", []string{"Origin", app, "Access-Control-Request-Method", "PURGE"}, "method not allowed: PURGE", method},
		{"method case", []string{"Origin", app, "Access-Control-Request-Method", "patch"}, "method not allowed: patch", method},
		{"header", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-other"}, "header not allowed: x-other", headers},
		{"malformed origin", []string{"Origin", app + "/", "Access-Control-Request-Method", "PUT"}, "malformed origin", origin},
		{"second origin line", []string{"Origin", app, "Origin", app, "Access-Control-Request-Method", "PUT"}, "malformed origin", origin},
		{"hostile request headers", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", strings.Repeat(",", 6000)}, "access-control-request-headers too large", headers},
		// Envoy joins repeated request-method lines ("PUT,TRACE"): not a
		// method.
		{"two request-method lines", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Method", "TRACE"}, "malformed method", method},
	} {
		cases = append(cases, exchange{
			desc: tc.desc, config: "main", method: "OPTIONS", path: "/", headers: tc.headers,
			status: 403, by: byFilter, vary: tc.vary, emptyBody: true,
			counters: []string{"corswasm.preflight.rejected"},
			logs:     []string{"corswasm: preflight refused (" + tc.reason + ")"},
		})
	}
	return cases
}

// A failing preflight with on_unmatched_preflight "forward" reaches the
// upstream, whose answer comes back untouched.
func TestPreflightForwarded(t *testing.T) { runExchanges(t, preflightForwarded()) }

func preflightForwarded() []exchange {
	return []exchange{{
		desc: "forwarded", config: "forward", method: "OPTIONS", path: "/",
		headers:  []string{"Origin", evil, "Access-Control-Request-Method", "PUT"},
		upstream: []string{"access-control-allow-origin", evil},
		status:   200, by: byUpstream, access: map[string][]string{"access-control-allow-origin": {evil}},
		counters: []string{"corswasm.preflight.forwarded"},
	}}
}
