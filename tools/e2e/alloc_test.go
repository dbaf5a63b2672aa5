//go:build !wasip1

package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testing/testheaders"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// allocMetric is the counter of the test build's heap allocations
// (internal/abi.AllocMetric, only in that build).
const allocMetric = "corswasm.test.heap_allocs"

// allocConfig reaches every path of the filter: the top-level policy
// (credentials, exposed headers, Timing-Allow-Origin, isolation headers,
// upstream CORS headers replaced), a rule that rejects with debug reasons, a
// rule in audit mode, a rule allowing any origin and keeping the upstream's
// headers, a disabled rule, a rule bound to a route's names, a rule enforcing
// half of its requests, and the verdict published as filter state.
const allocConfig = `{
	"allow_origins": ["https://app.example.com", "https://*.preview.example.com"],
	"allow_origin_regexes": ["https://[a-z]+\\.partner\\.example"],
	"allow_methods": ["PUT", "DELETE"],
	"allow_headers": ["content-type", "x-request-id"],
	"expose_headers": ["x-trace-id"],
	"allow_credentials": true,
	"allow_private_network": true,
	"max_age": 600,
	"timing_allow_origin": true,
	"isolation": {"cross_origin_resource_policy": "same-site", "cross_origin_opener_policy": "same-origin"},
	"rules": [
		{"name": "strict", "match": {"path_prefixes": ["/strict/"]}, "debug": true, "on_disallowed_origin": "reject"},
		{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit"},
		{"name": "public", "match": {"hosts": ["public.example.com"]}, "allow_origins": ["*"], "allow_credentials": false,
		 "allow_headers": ["*"], "upstream_cors_headers": "keep"},
		{"name": "health", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
		{"name": "checkout", "match": {"routes": ["httproute/shop/checkout/*"], "virtual_hosts": ["default/eg/http/*"]},
		 "allow_origins": ["https://shop.example.com"]},
		{"name": "rollout", "match": {"path_prefixes": ["/rollout/"]}, "allow_origins": ["https://*.example"], "enforce_percent": 50}
	],
	"verdict_filter_state": true
}`

// allocProperties are the attributes Envoy would give a request of the mix
// on its route: requests under /checkout/ are on an Envoy Gateway route.
func allocProperties(u *url.URL) map[string]string {
	if !strings.HasPrefix(u.Path, "/checkout/") {
		return nil
	}
	return map[string]string{
		"xds.route_name":        "httproute/shop/checkout/rule/0/match/0/api_example_com",
		"xds.virtual_host_name": "default/eg/http/api_example_com",
	}
}

// allocUpstream answers every request without a network, with the response
// headers the request's ?h= parameters name (h=name:value, repeatable).
type allocUpstream struct{}

func (allocUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{}
	for _, kv := range allocUpstreamHeaders(r.URL) {
		h.Add(kv[0], kv[1])
	}
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(nil)), Request: r,
	}, nil
}

// allocUpstreamHeaders are the headers of the upstream's response to the
// target u: a content type, and those its ?h= parameters name.
func allocUpstreamHeaders(u *url.URL) [][2]string {
	h := [][2]string{{"content-type", "application/json"}}
	for _, kv := range u.Query()["h"] {
		if name, value, ok := strings.Cut(kv, ":"); ok {
			h = append(h, [2]string{name, value})
		}
	}
	return h
}

// allocRequest is one request of the mix: method, target and header lines.
type allocRequest struct {
	method, target string
	headers        []string // "Name: value"
}

// allocMix is every kind of request the filter handles, allowed, refused,
// not CORS, audited (agreeing and disagreeing), with upstream responses that
// carry CORS headers, Vary lines and isolation headers of their own.
var allocMix = []allocRequest{
	{"GET", "/a", nil},
	{"GET", "/a?h=vary:Accept-Encoding&h=vary:Origin", nil},
	{"GET", "/a?h=vary:Accept-Encoding", nil},
	{"GET", "/a", []string{"Origin: https://app.example.com"}},
	{"POST", "/a?h=access-control-allow-origin:*&h=access-control-max-age:5&h=cross-origin-opener-policy:unsafe-none",
		[]string{"Origin: https://pr-7.preview.example.com"}},
	{"GET", "/a", []string{"Origin: https://x.partner.example"}},
	{"GET", "/a", []string{"Origin: https://evil.example.net"}},
	{"GET", "/a", []string{"Origin: https://app.example.com", "Origin: https://evil.example.net"}},
	{"GET", "/a", []string{"Origin: null"}},
	{"OPTIONS", "/a", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: PUT",
		"Access-Control-Request-Headers: content-type,x-request-id"}},
	{"OPTIONS", "/a", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: DELETE",
		"Access-Control-Request-Headers: X-Request-ID", "Access-Control-Request-Headers: content-type",
		"Access-Control-Request-Private-Network: true"}},
	{"OPTIONS", "/a", []string{"Origin: https://evil.example.net", "Access-Control-Request-Method: PUT"}},
	{"OPTIONS", "/strict/x", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: PATCH"}},
	{"OPTIONS", "/strict/x", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: PUT",
		"Access-Control-Request-Headers: x-secret"}},
	{"POST", "/strict/x?q=1", []string{"Origin: https://evil.example.net"}},
	{"GET", "/legacy/x?h=access-control-allow-origin:https://app.example.com&h=access-control-allow-credentials:true",
		[]string{"Origin: https://app.example.com"}},
	{"GET", "/legacy/x?h=access-control-allow-origin:*", []string{"Origin: https://app.example.com"}},
	{"OPTIONS", "/legacy/x?h=access-control-allow-origin:*&h=access-control-allow-methods:PUT,PATCH",
		[]string{"Origin: https://app.example.com", "Access-Control-Request-Method: PUT", "Access-Control-Request-Headers: x-a"}},
	{"OPTIONS", "/legacy/x", []string{"Origin: https://evil.example.net", "Access-Control-Request-Method: PUT"}},
	{"GET", "http://public.example.com/p", nil},
	{"GET", "http://public.example.com/p?h=access-control-allow-origin:https://a.example",
		[]string{"Origin: https://anyone.example"}},
	{"OPTIONS", "http://public.example.com/p", []string{"Origin: https://anyone.example",
		"Access-Control-Request-Method: GET", "Access-Control-Request-Headers: x-anything"}},
	{"GET", "/healthz", []string{"Origin: https://app.example.com"}},
	{"GET", "/checkout/pay", []string{"Origin: https://shop.example.com"}},
	{"GET", "/checkout/pay", nil},
	{"OPTIONS", "/checkout/pay", []string{"Origin: https://shop.example.com", "Access-Control-Request-Method: PUT"}},
	// enforce_percent: both shares (TestRequestsDoNotAllocate checks that
	// the mix reaches them).
	{"GET", "/rollout/x", []string{"Origin: https://site0.example"}},
	{"GET", "/rollout/x", []string{"Origin: https://site1.example"}},
	{"GET", "/rollout/x", []string{"Origin: https://site2.example"}},
	{"GET", "/rollout/x", []string{"Origin: https://site3.example"}},
	{"GET", "/rollout/x", []string{"Origin: https://site4.example"}},
	{"GET", "/rollout/x?h=access-control-allow-origin:https://site5.example", []string{"Origin: https://site5.example"}},
	{"OPTIONS", "/rollout/x", []string{"Origin: https://site0.example", "Access-Control-Request-Method: PUT"}},
	{"OPTIONS", "/rollout/x", []string{"Origin: https://site1.example", "Access-Control-Request-Method: PUT"}},
	{"OPTIONS", "/rollout/x", []string{"Origin: https://site2.example", "Access-Control-Request-Method: PUT"}},
}

// absURL is the request's target as an absolute URL: on api.example.com when
// the target names no host.
func (a allocRequest) absURL() *url.URL {
	target := a.target
	if !strings.HasPrefix(target, "http") {
		target = "http://api.example.com" + target
	}
	u, err := url.Parse(target)
	if err != nil {
		panic(err) // the mix's targets are literals
	}
	return u
}

// lines are the request's header lines, then the extra ones, as name,
// value pairs.
func (a allocRequest) lines(extra ...string) [][2]string {
	var out [][2]string
	for _, line := range append(append([]string(nil), a.headers...), extra...) {
		name, value, _ := strings.Cut(line, ": ")
		out = append(out, [2]string{name, value})
	}
	return out
}

func (a allocRequest) send(t *testing.T, h *wasmhost.Host, extra ...string) int {
	r := httptest.NewRequest(a.method, a.absURL().String(), nil)
	for _, kv := range a.lines(extra...) {
		r.Header.Add(kv[0], kv[1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("%s %s: status %d", a.method, a.target, w.Code)
	}
	return w.Code
}

// TestRequestsDoNotAllocate proves that serving requests allocates nothing
// on the Go heap, on every path, and that the module's linear memory stays
// the same: the test build counts every heap allocation (MemStats.Mallocs,
// read after each callback) in a counter; after a warm-up, in which buffers
// grow to what the mix needs, thousands more requests must not move it.
// The second part shows that the count does see an allocation in a request:
// the test build allocates when a request asks for it. In Envoy's host
// library the proof is allocsInEnvoyHost's.
func TestRequestsDoNotAllocate(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("needs the in-process host and the test build")
	case envoyhostBackend:
		allocsInEnvoyHost(t)
		return
	}
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: testmodule.AllocStatModule(t), PluginConfig: []byte(allocConfig),
		Upstream: u, Transport: allocUpstream{}, VMs: 1,
		Properties: func(r *http.Request) map[string]string { return allocProperties(r.URL) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	allocs := func() uint64 {
		t.Helper()
		n, ok := h.Counter(allocMetric)
		if !ok {
			t.Fatalf("no %s counter: is this the corswasm_allocstat build?", allocMetric)
		}
		return n
	}
	round := func() {
		for _, rq := range allocMix {
			rq.send(t, h)
		}
	}
	// The warm-up lasts over a second: audit mode's count of suppressed
	// log lines is logged when a second has passed.
	for start := time.Now(); time.Since(start) < 1500*time.Millisecond; {
		round()
	}
	for _, name := range []string{"corswasm.rollout.enforced", "corswasm.rollout.audited"} {
		if n, _ := h.Counter(name); n == 0 {
			t.Errorf("the mix never moves %s", name)
		}
	}
	if len(h.FilterStates()) == 0 {
		t.Error("the mix never sets the verdict property")
	}
	before, memBefore := allocs(), guestMemory(t, h)
	const rounds = 1000
	for range rounds {
		round()
	}
	after, memAfter := allocs(), guestMemory(t, h)
	n := rounds * len(allocMix)
	if after != before {
		t.Errorf("%d requests made %d heap allocations; want 0", n, after-before)
	}
	if memAfter[0] != memBefore[0] {
		t.Errorf("linear memory grew from %d to %d bytes over %d requests", memBefore[0], memAfter[0], n)
	}
	t.Logf("%d requests: %d heap allocations (%d at start-up and warm-up); linear memory %d bytes",
		n, after-before, before, memAfter[0])

	// The count sees an allocation made while serving a request.
	const asked = 200
	for range asked {
		allocMix[3].send(t, h, testheaders.AllocHeader+": 64")
	}
	if got := allocs() - after; got < asked {
		t.Errorf("%d requests that each allocate counted %d allocations; want at least %d", asked, got, asked)
	}
	for _, l := range h.Logs() {
		if l.Level >= wasmhost.LevelError {
			t.Errorf("log at %v: %s", l.Level, l.Message)
		}
	}
}
