//go:build !wasip1

package wasmhost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// These tests run testdata/testfilter, a Go module built with the standard
// toolchain. It reports what it saw in x-test-* response headers.

func TestRequestHeaderMap(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	resp, _ := do(t, srv, "GET", "/p/a%20th?b=c&d", "",
		"Origin: https://a.example", "Origin: https://b.example",
		"X-Mixed-Case: v", "X-Mixed-Case: w", "Connection: X-Hop", "X-Hop: dropped")
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{
		":authority=" + host, ":path=/p/a%20th?b=c&d", ":method=GET", ":scheme=http",
		"accept-encoding=gzip",
		"origin=https://a.example,https://b.example", // an inline header: one entry, joined
		"user-agent=Go-http-client/1.1",
		"x-mixed-case=v", "x-mixed-case=w", // one entry per line
	}
	if got := resp.Header.Get("X-Test-Request-Map"); got != strings.Join(want, "|") {
		t.Errorf("request header map:\n%s\nwant:\n%s", got, strings.Join(want, "|"))
	}
	if got := resp.Header.Get("X-Test-First-Origin"); got != "https://a.example,https://b.example" {
		t.Errorf("proxy_get_header_map_value(origin) = %q; want the joined value", got)
	}
	if got := resp.Header.Get("X-Test-Request-Eos"); got != "1" {
		t.Errorf("end_of_stream for a GET without body = %q; want 1", got)
	}
	resp, _ = do(t, srv, "POST", "/", "some body")
	if got := resp.Header.Get("X-Test-Request-Eos"); got != "0" {
		t.Errorf("end_of_stream for a POST with a body = %q; want 0", got)
	}
}

func TestRequestMutationsReachUpstream(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	resp, body := do(t, srv, "GET", "/orig?q=1", "",
		"X-Test-Add: added-value", "X-Test-Replace: a", "X-Test-Replace: b",
		"X-Test-Remove: gone", "X-Test-Path: /rewritten?x=y",
		"X-Multi: one", "X-Multi: two", "Host: virtual.example")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d; want 200", resp.StatusCode)
	}
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("upstream echo %q: %v", body, err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"path", e.URI, "/rewritten?x=y"},
		{"host", e.Host, "virtual.example"},
		{"added header", e.Header["X-Added"], []string{"added-value"}},
		{"replaced header", e.Header["X-Test-Replace"], []string{"replaced"}},
		{"removed header", e.Header["X-Test-Remove"], []string(nil)},
		{"repeated header", e.Header["X-Multi"], []string{"one", "two"}},
	}
	for _, c := range checks {
		if !slices.Equal(toStrings(c.got), toStrings(c.want)) {
			t.Errorf("upstream %s = %v; want %v", c.what, c.got, c.want)
		}
	}
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	}
	return nil
}

func TestResponseHeaderMap(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	resp, _ := do(t, srv, "GET", "/", "")
	got := strings.Split(resp.Header.Get("X-Test-Response-Map"), "|")
	if len(got) == 0 || got[0] != ":status=200" {
		t.Fatalf("response map %q; want :status=200 first", got)
	}
	for _, want := range []string{"content-type=application/json", "x-upstream=one", "x-upstream=two"} {
		if !slices.Contains(got, want) {
			t.Errorf("response map %q lacks %q", got, want)
		}
	}
	if got := resp.Header.Values("X-Upstream"); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("client got X-Upstream %q; want both lines", got)
	}
	if resp.Header.Get("X-Test-Response-Eos") != "0" || resp.Header.Get("X-Test-Served") == "" {
		t.Errorf("the plugin's response headers are missing or wrong: %v", resp.Header)
	}
}

func TestBodies(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	big := strings.Repeat("abcdefgh", 20000) // several chunks
	_, body := do(t, srv, "POST", "/", big)
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Body != big {
		t.Errorf("the upstream got a body of %d bytes (%v); want the %d bytes sent, unchanged", len(e.Body), err, len(big))
	}
	// x-test-upper makes the plugin upper-case every chunk both ways with
	// proxy_set_buffer_bytes.
	_, body = do(t, srv, "POST", "/", "lower case", "X-Test-Upper: 1")
	if !strings.Contains(body, `"BODY":"LOWER CASE"`) {
		t.Errorf("response %q; want the upstream to get the upper-cased body, and the response upper-cased", body)
	}
}

func TestUpstreamUnreachable(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t), Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}})
	resp, body := do(t, srv, "GET", "/", "")
	if resp.StatusCode != 503 || body != upstreamFailureBody {
		t.Errorf("got %d %q; want Envoy's 503 %q", resp.StatusCode, body, upstreamFailureBody)
	}
	if got := resp.Header.Get("X-Test-Response-Map"); !strings.HasPrefix(got, ":status=503|content-length=") {
		t.Errorf("response map %q; want the plugin's response callback to run on the 503", got)
	}
	if !logsContain(h, "upstream request failed") {
		t.Error("the transport error is not logged")
	}
}

func TestPropertyNotFound(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	resp, _ := do(t, srv, "GET", "/", "", "X-Test-Property: 1")
	if got := resp.Header.Get("X-Test-Property-Status"); got != "1" {
		t.Errorf("proxy_get_property status %q; want 1 (NotFound)", got)
	}
}

// Config.Properties plays Envoy's routing: each request gets its own
// attributes, read by path segments joined with NUL.
func TestPerRequestProperties(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t), Properties: func(r *http.Request) map[string]string {
		if r.URL.Path == "/none" {
			return nil
		}
		return map[string]string{"xds.route_name": "route-for" + r.URL.Path, "xds.virtual_host_name": "vh"}
	}})
	for _, tc := range []struct{ path, property, status, value string }{
		{"/a", "xds/route_name", "0", "route-for/a"},
		{"/b", "xds/route_name", "0", "route-for/b"},
		{"/b", "xds/virtual_host_name", "0", "vh"},
		{"/b", "1", "1", ""},                // "request.path", one segment with a dot
		{"/b", "xds.route_name", "1", ""},   // one segment with a dot, as in Envoy
		{"/b", "xds/cluster_name", "1", ""}, // not given
		{"/none", "xds/route_name", "1", ""},
	} {
		resp, _ := do(t, srv, "GET", tc.path, "", "X-Test-Property: "+tc.property)
		if got := resp.Header.Get("X-Test-Property-Status"); got != tc.status {
			t.Errorf("%s %s: status %q; want %q", tc.path, tc.property, got, tc.status)
		}
		if got := resp.Header.Get("X-Test-Property-Value"); got != tc.value {
			t.Errorf("%s %s: value %q; want %q", tc.path, tc.property, got, tc.value)
		}
	}
}

func TestCloseStreamResetsTheRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	cfg := countingUpstream(t, &hits)
	cfg.Module = testFilter(t)
	_, srv := startHost(t, cfg)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-Test-Close", "1")
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("got %s; want the connection reset", resp.Status)
	}
	if hits.Load() != 0 {
		t.Errorf("the upstream got %d requests; want none", hits.Load())
	}
}

func TestContextIDsUniquePerVM(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t), VMs: 1})
	var ids []string
	for range 3 {
		resp, _ := do(t, srv, "GET", "/", "")
		ids = append(ids, resp.Header.Get("X-Test-Context-Id"))
	}
	if want := []string{"2", "3", "4"}; !slices.Equal(ids, want) {
		t.Errorf("context ids %q; want %q (the root context is 1)", ids, want)
	}
}

// TestRequestsWaitForAFreeVM: a VM serves one request at a time, so with one
// VM the upstream never sees two requests at once.
func TestRequestsWaitForAFreeVM(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int32
	upstream := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond) // widen the window a second request could use
		inFlight.Add(-1)
	})
	_, srv := startHost(t, Config{Module: testFilter(t), VMs: 1, Upstream: upstream})
	done := make(chan int, 4)
	for range 4 {
		go func() {
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	for range 4 {
		if status := <-done; status != 200 {
			t.Errorf("status %d; want 200", status)
		}
	}
	if maxInFlight.Load() != 1 {
		t.Errorf("the upstream saw %d requests at once; want 1 with one VM", maxInFlight.Load())
	}
}

func TestSchemeHTTPSOnTLSListener(t *testing.T) {
	t.Parallel()
	h, err := New(context.Background(), Config{Module: testFilter(t), Upstream: newUpstream(t, nil), VMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	resp, _ := do(t, srv, "GET", "/", "")
	if got := resp.Header.Get("X-Test-Request-Map"); !strings.Contains(got, "|:scheme=https|") {
		t.Errorf("request map %q; want :scheme=https", got)
	}
}
