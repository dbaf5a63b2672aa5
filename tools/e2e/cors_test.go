//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The suite runs sequentially: in the Envoy harness every listener shares
// one set of counters, and TestMetrics compares them before and after.

const (
	app  = "https://app.example.com"
	evil = "https://evil.example.net"
)

// accessControl returns the response's Access-Control-* headers.
func accessControl(r reply) map[string][]string {
	out := map[string][]string{}
	for name, v := range r.header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			out[strings.ToLower(name)] = v
		}
	}
	return out
}

func wantHeaders(t *testing.T, r reply, want map[string][]string) {
	t.Helper()
	got := accessControl(r)
	if len(got) != len(want) {
		t.Errorf("Access-Control-* headers:\n got %q\nwant %q", got, want)
		return
	}
	for name, values := range want {
		if !slices.Equal(got[name], values) {
			t.Errorf("%s = %q; want %q (all Access-Control-* headers: %q)", name, got[name], values, got)
		}
	}
}

func wantVary(t *testing.T, r reply, want ...string) {
	t.Helper()
	var got []string
	for _, line := range r.header.Values("Vary") {
		for _, v := range strings.Split(line, ",") {
			got = append(got, strings.TrimSpace(v))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Vary = %q; want %q", got, want)
	}
}

// noDoubleReplies checks the in-process host never saw the filter send a
// second local reply (which hangs the stream in Envoy).
func noDoubleReplies(t *testing.T, config string) {
	t.Helper()
	if h := targets[config].host; h != nil && h.DoubleLocalReplies() != 0 {
		t.Errorf("the filter sent %d second local replies", h.DoubleLocalReplies())
	}
}

func TestPreflightAllowed(t *testing.T) {
	r := send(t, "main", "OPTIONS", "/items/1",
		"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-request-id")
	if r.status != 204 {
		t.Fatalf("status %d; want 204", r.status)
	}
	wantHeaders(t, r, map[string][]string{
		"access-control-allow-origin":      {app},
		"access-control-allow-credentials": {"true"},
		"access-control-allow-methods":     {"PUT, PATCH, DELETE"},
		"access-control-allow-headers":     {"content-type, authorization, x-request-id"},
		"access-control-max-age":           {"600"},
	})
	// main allows private network access: whether the reply grants it
	// depends on the request asking, whether or not this one did.
	wantVary(t, r, "Origin", "Access-Control-Request-Private-Network")
	if r.body != "" || r.header.Get("Content-Length") != "" {
		t.Errorf("204 preflight reply has body %q, content-length %q; want neither", r.body, r.header.Get("Content-Length"))
	}
	noDoubleReplies(t, "main")
}

func TestPreflightVariants(t *testing.T) {
	t.Run("wildcard subdomain, headers over two lines, private network", func(t *testing.T) {
		r := send(t, "main", "OPTIONS", "/",
			"Origin", "https://pr-7.preview.example.com", "Access-Control-Request-Method", "DELETE",
			"Access-Control-Request-Headers", "Authorization", "Access-Control-Request-Headers", " X-Request-Id ,",
			"Access-Control-Request-Private-Network", "true")
		if r.status != 204 {
			t.Fatalf("status %d; want 204", r.status)
		}
		if got := r.header.Values("Access-Control-Allow-Private-Network"); !slices.Equal(got, []string{"true"}) {
			t.Errorf("allow-private-network = %q", got)
		}
		if got := r.header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, []string{"https://pr-7.preview.example.com"}) {
			t.Errorf("allow-origin = %q", got)
		}
	})
	t.Run("wildcards with credentials echo what was asked", func(t *testing.T) {
		r := send(t, "wild", "OPTIONS", "/", "Origin", app, "Access-Control-Request-Method", "DELETE",
			"Access-Control-Request-Headers", "x-a, X-B")
		if r.status != 204 {
			t.Fatalf("status %d; want 204", r.status)
		}
		wantHeaders(t, r, map[string][]string{
			"access-control-allow-origin":      {app},
			"access-control-allow-credentials": {"true"},
			"access-control-allow-methods":     {"DELETE"},
			"access-control-allow-headers":     {"x-a, X-B"},
		})
		wantVary(t, r, "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
	})
	t.Run("a wildcard never covers authorization", func(t *testing.T) {
		r := send(t, "wild", "OPTIONS", "/", "Origin", app, "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-a,authorization")
		if r.status != 403 {
			t.Fatalf("status %d; want 403", r.status)
		}
		wantHeaders(t, r, nil)
	})
	t.Run("private network not allowed", func(t *testing.T) {
		r := send(t, "reject", "OPTIONS", "/", "Origin", app, "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Private-Network", "true")
		if r.status != 403 {
			t.Fatalf("status %d; want 403", r.status)
		}
		wantHeaders(t, r, nil)
	})
	t.Run("any origin, status 200", func(t *testing.T) {
		r := send(t, "any", "OPTIONS", "/", "Origin", evil, "Access-Control-Request-Method", "PURGE", "Access-Control-Request-Headers", "x-anything")
		if r.status != 200 {
			t.Fatalf("status %d; want 200", r.status)
		}
		wantHeaders(t, r, map[string][]string{
			"access-control-allow-origin":  {"*"},
			"access-control-allow-methods": {"*"},
			"access-control-allow-headers": {"*"},
		})
		wantVary(t, r)
		if cl := r.header.Get("Content-Length"); cl != "0" {
			t.Errorf("200 preflight reply content-length %q; want 0", cl)
		}
	})
}

func TestPreflightRejected(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		headers []string
	}{
		{"origin", []string{"Origin", evil, "Access-Control-Request-Method", "PUT"}},
		{"method", []string{"Origin", app, "Access-Control-Request-Method", "PURGE"}},
		{"method case", []string{"Origin", app, "Access-Control-Request-Method", "patch"}},
		{"header", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-other"}},
		{"malformed origin", []string{"Origin", app + "/", "Access-Control-Request-Method", "PUT"}},
		{"second origin line", []string{"Origin", app, "Origin", app, "Access-Control-Request-Method", "PUT"}},
		{"hostile request headers", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", strings.Repeat(",", 6000)}},
		// Envoy joins repeated request-method lines ("PUT,TRACE"): not a
		// method.
		{"two request-method lines", []string{"Origin", app, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Method", "TRACE"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			r := send(t, "main", "OPTIONS", "/", tc.headers...)
			if r.status != 403 {
				t.Fatalf("status %d; want 403", r.status)
			}
			wantHeaders(t, r, nil)
			noDoubleReplies(t, "main")
		})
	}
}

// A failing preflight with on_unmatched_preflight "forward" reaches the
// upstream, whose answer comes back untouched.
func TestPreflightForwarded(t *testing.T) {
	r := send(t, "forward", "OPTIONS", "/?h=access-control-allow-origin:"+evil, "Origin", evil, "Access-Control-Request-Method", "PUT")
	if r.status != 200 || !strings.Contains(r.body, `"method":"OPTIONS"`) {
		t.Fatalf("status %d, body %q; want the upstream's answer", r.status, r.body)
	}
	wantHeaders(t, r, map[string][]string{"access-control-allow-origin": {evil}})
	wantVary(t, r)
}

func TestActualRequests(t *testing.T) {
	t.Run("allowed", func(t *testing.T) {
		r := send(t, "main", "GET", "/data", "Origin", app)
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		wantHeaders(t, r, map[string][]string{
			"access-control-allow-origin":      {app},
			"access-control-allow-credentials": {"true"},
			"access-control-expose-headers":    {"x-trace-id"},
		})
		wantVary(t, r, "Origin")
	})
	t.Run("disallowed origin omitted", func(t *testing.T) {
		r := send(t, "main", "POST", "/data", "Origin", evil)
		if r.status != 200 {
			t.Fatalf("status %d; want the upstream's 200", r.status)
		}
		wantHeaders(t, r, nil)
		wantVary(t, r, "Origin")
	})
	t.Run("two origin lines", func(t *testing.T) {
		r := send(t, "main", "GET", "/", "Origin", app, "Origin", evil)
		if r.status != 200 {
			t.Fatalf("status %d; want the upstream's 200", r.status)
		}
		wantHeaders(t, r, nil)
		wantVary(t, r, "Origin")
	})
	t.Run("OPTIONS without a request method is an actual request", func(t *testing.T) {
		r := send(t, "main", "OPTIONS", "/", "Origin", app)
		if r.status != 200 || !strings.Contains(r.body, `"method":"OPTIONS"`) {
			t.Fatalf("status %d, body %q; want the upstream's answer", r.status, r.body)
		}
		wantHeaders(t, r, map[string][]string{
			"access-control-allow-origin":      {app},
			"access-control-allow-credentials": {"true"},
			"access-control-expose-headers":    {"x-trace-id"},
		})
	})
	t.Run("null origin", func(t *testing.T) {
		r := send(t, "main", "GET", "/", "Origin", "null")
		wantHeaders(t, r, nil)
		r = send(t, "any", "GET", "/", "Origin", "null")
		wantHeaders(t, r, map[string][]string{"access-control-allow-origin": {"*"}, "access-control-expose-headers": {"*"}})
	})
	t.Run("disallowed origin rejected", func(t *testing.T) {
		r := send(t, "reject", "POST", "/data", "Origin", evil)
		if r.status != 403 {
			t.Fatalf("status %d; want 403", r.status)
		}
		wantHeaders(t, r, nil)
		noDoubleReplies(t, "reject")
	})
	t.Run("same-origin request never rejected", func(t *testing.T) {
		self := strings.TrimSuffix(targets["reject"].url, "/")
		r := send(t, "reject", "POST", "/data", "Origin", self)
		if r.status != 200 {
			t.Fatalf("status %d; want the upstream's 200", r.status)
		}
	})
	t.Run("non-CORS", func(t *testing.T) {
		r := send(t, "main", "GET", "/")
		wantHeaders(t, r, nil)
		wantVary(t, r, "Origin")
		// Fetch §3.2.5: with "*" the answer goes on every response.
		r = send(t, "any", "GET", "/")
		wantVary(t, r)
		wantHeaders(t, r, map[string][]string{"access-control-allow-origin": {"*"}, "access-control-expose-headers": {"*"}})
	})
}

func TestVaryMerging(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"?h=vary:Accept-Encoding", []string{"Accept-Encoding", "Origin"}},
		{"?h=vary:Accept-Encoding,%20origin", []string{"Accept-Encoding", "origin"}},
		{"?h=vary:Accept&h=vary:Origin", []string{"Accept", "Origin"}},
		{"?h=vary:*", []string{"*"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := send(t, "main", "GET", "/"+tc.query, "Origin", app)
			wantVary(t, r, tc.want...)
		})
	}
}

func TestUpstreamCORSHeaders(t *testing.T) {
	t.Run("replaced", func(t *testing.T) {
		r := send(t, "main", "GET", "/?h=access-control-allow-origin:*&h=access-control-allow-origin:"+evil+
			"&h=access-control-max-age:99&h=access-control-allow-methods:TRACE", "Origin", app)
		wantHeaders(t, r, map[string][]string{
			"access-control-allow-origin":      {app},
			"access-control-allow-credentials": {"true"},
			"access-control-expose-headers":    {"x-trace-id"},
		})
	})
	t.Run("removed for a disallowed origin", func(t *testing.T) {
		r := send(t, "main", "GET", "/?h=access-control-allow-origin:"+evil+"&h=access-control-allow-credentials:true", "Origin", evil)
		if r.status != 200 {
			t.Fatalf("status %d; want the upstream's 200", r.status)
		}
		wantHeaders(t, r, nil)
		wantVary(t, r, "Origin")
	})
	t.Run("kept", func(t *testing.T) {
		r := send(t, "keep", "GET", "/?h=access-control-allow-origin:*", "Origin", app)
		wantHeaders(t, r, map[string][]string{"access-control-allow-origin": {"*"}})
	})
	t.Run("keep adds the policy's when the upstream has none", func(t *testing.T) {
		r := send(t, "keep", "GET", "/", "Origin", app)
		wantHeaders(t, r, map[string][]string{"access-control-allow-origin": {app}})
	})
}

// Counters move by one per request of each kind.
func TestMetrics(t *testing.T) {
	before := stats(t, "main")
	send(t, "main", "OPTIONS", "/", "Origin", app, "Access-Control-Request-Method", "PUT")
	send(t, "main", "OPTIONS", "/", "Origin", evil, "Access-Control-Request-Method", "PUT")
	send(t, "main", "GET", "/", "Origin", app)
	send(t, "main", "GET", "/", "Origin", evil)
	send(t, "main", "GET", "/")
	after := stats(t, "main")
	for _, name := range []string{
		"corswasm.preflight.allowed", "corswasm.preflight.rejected", "corswasm.actual.allowed",
		"corswasm.actual.disallowed", "corswasm.non_cors",
	} {
		key := "wasmcustom." + name
		if d := after[key] - before[key]; d != 1 {
			t.Errorf("%s moved by %d; want 1", key, d)
		}
	}
	// The other outcomes, on the configurations that produce them.
	for _, tc := range []struct{ config, counter, method, path string }{
		{"forward", "corswasm.preflight.forwarded", "OPTIONS", "/"},
		{"reject", "corswasm.actual.rejected", "POST", "/"},
	} {
		before := stats(t, tc.config)
		headers := []string{"Origin", evil}
		if tc.method == "OPTIONS" {
			headers = append(headers, "Access-Control-Request-Method", "PUT")
		}
		send(t, tc.config, tc.method, tc.path, headers...)
		key := "wasmcustom." + tc.counter
		if d := stats(t, tc.config)[key] - before[key]; d != 1 {
			t.Errorf("%s moved by %d on %s; want 1", key, d, tc.config)
		}
	}
	if after["wasmcustom.corswasm.panics"] != 0 {
		t.Errorf("wasmcustom.corswasm.panics = %d", after["wasmcustom.corswasm.panics"])
	}
}

// A configuration the filter refuses stops the host from starting, with
// every problem in the error, however many there are.
func TestRefusedConfiguration(t *testing.T) {
	if external {
		t.Skip("needs an Envoy that starts with a bad configuration; the harness loads only good ones")
	}
	cfg, err := os.ReadFile(filepath.Join("testdata", "main.json"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(cfg), `"max_age": 600`, `"max_age": -1, "allow_origin": ["*"]`, 1)
	want := []string{`unknown field "allow_origin"; did you mean "allow_origins"?`, `max_age: -1: must be between 0 and 86400 seconds`}
	var origins []string
	for i := range 20 {
		origins = append(origins, fmt.Sprintf(`"https://o%d.example/"`, i))
		want = append(want, fmt.Sprintf(`allow_origins[%d]: "https://o%d.example/": an origin has no path; remove "/"`, i, i))
	}
	bad = strings.Replace(bad, `"allow_origins": [`, `"allow_origins": [`+strings.Join(origins, ", ")+", ", 1)
	if bad == string(cfg) {
		t.Fatal("the test's edit of main.json did not apply")
	}
	upstream, _ := url.Parse("http://127.0.0.1:1")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{Module: testmodule.Module(t), PluginConfig: []byte(bad), Upstream: upstream})
	if err == nil {
		h.Close(context.Background())
		t.Fatal("the host started with a bad configuration")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
	if !strings.Contains(err.Error(), "refusing to start: 22 problem(s)") {
		t.Errorf("error does not count 22 problems:\n%v", err)
	}
}
