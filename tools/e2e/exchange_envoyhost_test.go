//go:build !wasip1

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// The request as Envoy's host library sees it, for exchanges that do not
// name their own authority: a TLS-terminating edge in front of an API.
const (
	envoyHostScheme    = "https"
	envoyHostAuthority = "api.example.com"
)

// exchangeInEnvoyHost runs the cases through Envoy's host library: one
// harness run per configuration, the streams in the cases' order.
func exchangeInEnvoyHost(t *testing.T, cases []exchange) []outcome {
	t.Helper()
	var configs []string
	byConfig := map[string][]int{} // configuration → indexes of its cases
	for i, x := range cases {
		if byConfig[x.config] == nil {
			configs = append(configs, x.config)
		}
		byConfig[x.config] = append(byConfig[x.config], i)
	}
	out := make([]outcome, len(cases))
	module := writeModule(t, testmodule.Module(t))
	for _, config := range configs {
		var requests []envoyhost.Request
		for _, i := range byConfig[config] {
			requests = append(requests, harnessRequest(cases[i]))
		}
		run := runInEnvoyHost(t, module, readConfig(t, config), requests)
		if n := run.End.Metrics["wasmcustom.corswasm.panics"]; n != 0 {
			t.Errorf("%s: wasmcustom.corswasm.panics = %d", config, n)
		}
		for k, i := range byConfig[config] {
			out[i] = harnessOutcome(t, cases[i].desc, run.Streams[k])
		}
	}
	return out
}

// harnessRequest turns an exchange into a harness request. Envoy's codec
// joins the lines of an inline header (origin, access-control-*, vary) into
// one entry; the harness does not, so the request and the upstream's
// headers are joined here, as Envoy would pass them to the filter.
func harnessRequest(x exchange) envoyhost.Request {
	authority := x.authority
	if authority == "" {
		authority = envoyHostAuthority
	}
	headers := []envoyhost.Header{{":method", x.method}, {":path", x.path}, {":authority", authority}, {":scheme", envoyHostScheme}}
	headers = append(headers, pairs(x.headers)...)
	if x.sameOrigin {
		headers = append(headers, envoyhost.Header{"origin", envoyHostScheme + "://" + authority})
	}
	return envoyhost.Request{
		Name:     x.desc,
		Headers:  envoyhost.JoinInline(headers),
		Upstream: &envoyhost.Response{Status: 200, Headers: envoyhost.JoinInline(pairs(x.upstream))},
	}
}

// pairs turns name, value pairs into headers.
func pairs(nv []string) []envoyhost.Header {
	var out []envoyhost.Header
	for i := 0; i+1 < len(nv); i += 2 {
		out = append(out, envoyhost.Header{nv[i], nv[i+1]})
	}
	return out
}

// harnessOutcome turns a stream's result into what the client would get
// from Envoy: the filter's added entries of an inline header joined, as
// Envoy joins them. A stream that failed, or touched a header map Envoy
// does not offer at that point, fails the test.
func harnessOutcome(t *testing.T, desc string, s envoyhost.StreamResult) outcome {
	t.Helper()
	if s.Failed || len(s.HostErrors) > 0 || len(s.UnavailableMapCalls) > 0 {
		t.Errorf("%s: failed %v (fail state %d), host errors %q, unavailable map calls %q",
			desc, s.Failed, s.FailState, s.HostErrors, s.UnavailableMapCalls)
	}
	o := outcome{
		reply:         reply{status: s.Status, header: http.Header{}, body: s.LocalReplyBody},
		fromUpstream:  !s.LocalReply && s.ForwardedRequestHeaders != nil,
		counters:      s.MetricsDelta,
		secondReplies: s.SecondLocalReplyIgnored,
		logs:          []string{},
	}
	if o.counters == nil { // no counter moved
		o.counters = map[string]int64{}
	}
	for _, h := range envoyhost.JoinInline(s.Headers) {
		if !strings.HasPrefix(h.Name(), ":") {
			o.header.Add(h.Name(), h.Value())
		}
	}
	for _, l := range s.Logs {
		o.logs = append(o.logs, l.Msg)
	}
	return o
}
