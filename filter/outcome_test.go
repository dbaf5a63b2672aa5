package filter

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/engine"
)

// engine.Decision.Outcome, which `corswasm explain` shows, predicts what
// the filter sends: for each configuration, request and upstream response
// here, the response the filter leaves (its local reply, or the upstream's
// after its edits) is the one Outcome.Apply computes.
func TestOutcomeMatchesFilter(t *testing.T) {
	configs := map[string]string{
		"credentials": `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["content-type"],
			"expose_headers": ["x-id"], "allow_credentials": true, "max_age": 60, "timing_allow_origin": true,
			"isolation": {"cross_origin_resource_policy": "same-site", "cross_origin_opener_policy": "same-origin"}}`,
		"any":     `{"allow_origins": ["*"], "expose_headers": ["x-id"]}`,
		"keep":    `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep", "debug": true}`,
		"forward": `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward", "on_disallowed_origin": "reject", "preflight_status": 200}`,
		"rules": `{"allow_origins": ["https://app.example.com"], "rules": [
			{"name": "health", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
			{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit"}]}`,
	}
	const app, other = "https://app.example.com", "https://other.example"
	requests := map[string][][2]string{
		"no origin":               request("GET", "/items"),
		"actual allowed":          request("GET", "/items", "origin", app),
		"actual disallowed":       request("POST", "/items", "origin", other),
		"same-origin post":        request("POST", "/items", "origin", "https://api.example.com"),
		"preflight allowed":       request("OPTIONS", "/items", "origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "Content-Type"),
		"preflight bad header":    request("OPTIONS", "/items", "origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "x-secret"),
		"preflight bad origin":    request("OPTIONS", "/items", "origin", other, "access-control-request-method", "GET"),
		"malformed origin":        request("GET", "/items", "origin", "https://app.example.com/"),
		"disabled path":           request("GET", "/healthz", "origin", app),
		"audited path":            request("GET", "/legacy/x", "origin", app),
		"audited path no origin":  request("GET", "/legacy/x"),
		"preflight private net":   request("OPTIONS", "/items", "origin", app, "access-control-request-method", "GET", "access-control-request-private-network", "true"),
		"two origins":             request("GET", "/items", "origin", app, "origin", app),
		"preflight star method":   request("OPTIONS", "/items", "origin", app, "access-control-request-method", "PATCH"),
		"preflight no req method": request("OPTIONS", "/items", "origin", app),
	}
	upstreams := map[string][][2]string{
		"plain": upstreamResponse(),
		"own cors": upstreamResponse("access-control-allow-origin", "*", "access-control-allow-credentials", "true",
			"access-control-expose-headers", "x-a", "access-control-max-age", "5"),
		"vary":              upstreamResponse("vary", "Accept-Encoding"),
		"vary star":         upstreamResponse("vary", "*"),
		"vary origin lower": upstreamResponse("vary", "accept, origin"),
		"own isolation":     upstreamResponse("cross-origin-opener-policy", "unsafe-none"),
	}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		for _, cname := range sortedKeys(configs) {
			// One host emulator at a time: each subtest releases its own.
			t.Run(cname, func(t *testing.T) { checkOutcomes(t, vm, configs[cname], requests, upstreams) })
		}
	})
}

// checkOutcomes runs every request with every upstream response through the
// filter with config, and compares the result with Outcome's.
func checkOutcomes(t *testing.T, vm types.VMContext, config string, requests, upstreams map[string][][2]string) {
	host := startHost(t, vm, config)
	pol, err := engine.Load([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	for _, rname := range sortedKeys(requests) {
		for _, uname := range sortedKeys(upstreams) {
			req, up := requests[rname], upstreams[uname]
			x := roundTrip(t, host, req, up)
			var d engine.Decision
			pol.Evaluate(policyRequest(req), &d)
			o := d.Outcome(toHeaders(up))
			want := o.Apply(toHeaders(up))
			got := toHeaders(x.response)
			if x.local != nil {
				if o.Action != engine.LocalReply || int(x.local.StatusCode) != o.Status {
					t.Errorf("%s / %s: the filter replied %d; Outcome says %v, status %d", rname, uname, x.local.StatusCode, o.Action, o.Status)
				}
				want = append([]engine.Header{{Name: ":status", Value: fmt.Sprint(o.Status)}}, want...)
			} else if o.Action == engine.LocalReply {
				t.Errorf("%s / %s: Outcome says reply %d; the filter forwarded", rname, uname, o.Status)
			}
			if !slices.Equal(merged(got), merged(want)) {
				t.Errorf("%s / %s: response headers\n the filter: %v\n   Outcome: %v", rname, uname, got, want)
			}
		}
	}
}

// policyRequest reads a request's header list as the filter does.
func policyRequest(hs [][2]string) *engine.Request {
	r := &engine.Request{}
	for _, h := range hs {
		switch h[0] {
		case ":method":
			r.Method = h[1]
		case ":scheme":
			r.Scheme = h[1]
		case ":authority":
			r.Authority = h[1]
		case ":path":
			r.Path = h[1]
		case engine.HeaderOrigin:
			r.Origins = append(r.Origins, h[1])
		case engine.HeaderRequestMethod:
			r.RequestMethod = h[1]
		case engine.HeaderRequestHeaders:
			r.RequestHeaders = append(r.RequestHeaders, h[1])
		case engine.HeaderRequestPrivateNetwork:
			r.RequestPrivateNetwork = h[1]
		}
	}
	return r
}

// merged joins the lines of each header name at its first place, as the
// proxytest emulator does when a header is added to a name that exists
// (it concatenates the values), so both sides compare alike.
func merged(hs []engine.Header) []engine.Header {
	var out []engine.Header
	at := make(map[string]int)
	for _, h := range hs {
		if i, ok := at[h.Name]; ok {
			out[i].Value += h.Value
			continue
		}
		at[h.Name] = len(out)
		out = append(out, h)
	}
	return out
}

func toHeaders(hs [][2]string) []engine.Header {
	out := make([]engine.Header, len(hs))
	for i, h := range hs {
		out[i] = engine.Header{Name: h[0], Value: h[1]}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
