//go:build !wasip1

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/echo"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The browser tests let a real Chromium decide: a page on one origin
// (http://127.0.0.1:<page port>) calls, with fetch, an API on another
// (http://127.0.0.1:<API port>), a local host running the real module in
// front of a recording echo upstream. What a test asserts is what the
// browser did: the fetch promise resolved or rejected, what script could
// read, the CORS error Chromium reported (Network.loadingFailed), and how
// many preflights it sent (the host's counters). The upstream's record shows
// that a blocked request did go out, so that the browser, not the network,
// blocked it.

const (
	// browserStep bounds every step of the browser tests (starting
	// Chromium, opening a tab, navigating, one fetch), so that a hang fails
	// the test instead of blocking CI.
	browserStep = 20 * time.Second
	// chromiumMissing is the message of the skip (or, under CI, the
	// failure) when Chromium is not installed.
	chromiumMissing = "chromium not found; install Debian's chromium package (apt-get install -y chromium) to run the browser tests"
)

// TestBrowser runs the browser tests on one shared headless Chromium; each
// subtest has a browser context of its own (its own cookies and preflight
// cache) and paths of its own at the upstream.
func TestBrowser(t *testing.T) {
	skipInEnvoyHost(t)
	requireLocalHost(t, "the browser tests start their own local hosts, whose configurations allow the test page's 127.0.0.1 origin")
	exe := findChromium(t)

	page := httptest.NewServer(http.HandlerFunc(servePage))
	t.Cleanup(page.Close)
	origin := page.URL // http://127.0.0.1:<port>, the origin of the page's fetches
	up := &upstreamLog{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)

	// allowed allows the page's origin with credentials, PUT, the request
	// header x-custom and the response header x-trace-id, and lets
	// browsers cache a preflight for 10 minutes.
	allowed := startBrowserAPI(t, upstream.URL, map[string]any{
		"allow_origins":     []string{origin},
		"allow_methods":     []string{"PUT"},
		"allow_headers":     []string{"x-custom"},
		"expose_headers":    []string{"x-trace-id"},
		"allow_credentials": true,
		"max_age":           600,
	})
	// uncredentialed is allowed without credentials, and with max_age 0,
	// which forbids caching a preflight (without Access-Control-Max-Age
	// Chromium would cache it for 5 seconds).
	uncredentialed := startBrowserAPI(t, upstream.URL, map[string]any{
		"allow_origins":  []string{origin},
		"allow_methods":  []string{"PUT"},
		"allow_headers":  []string{"x-custom"},
		"expose_headers": []string{"x-trace-id"},
		"max_age":        0,
	})
	// elsewhere allows another origin only.
	elsewhere := startBrowserAPI(t, upstream.URL, map[string]any{
		"allow_origins": []string{app},
		"allow_methods": []string{"PUT"},
		"allow_headers": []string{"x-custom"},
	})

	chrome := startChromium(t, exe)

	t.Run("simple GET allowed", func(t *testing.T) {
		tab := openTab(t, chrome, page.URL)
		before := allowed.counter(t, "corswasm.actual.allowed")
		res := tab.fetch(t, allowed.url+"/simple-allowed", nil)
		res.wantOK(t, 200)
		if got := res.reply(t).Method; got != "GET" {
			t.Errorf("the upstream saw method %q; want GET", got)
		}
		if d := allowed.counter(t, "corswasm.actual.allowed") - before; d != 1 {
			t.Errorf("corswasm.actual.allowed moved by %d; want 1", d)
		}
		tab.wantNoCORSErrors(t)
	})

	t.Run("simple GET blocked", func(t *testing.T) {
		tab := openTab(t, chrome, page.URL)
		before := elsewhere.counter(t, "corswasm.actual.disallowed")
		res := tab.fetch(t, elsewhere.url+"/simple-blocked", nil)
		res.wantBlocked(t, network.CorsErrorMissingAllowOriginHeader)
		// The request went out and was answered: the browser blocked it.
		if d := elsewhere.counter(t, "corswasm.actual.disallowed") - before; d != 1 {
			t.Errorf("corswasm.actual.disallowed moved by %d; want 1", d)
		}
		if got := up.methods("/simple-blocked"); !slices.Equal(got, []string{"GET"}) {
			t.Errorf("the upstream saw %q; want [GET]", got)
		}
	})

	t.Run("preflight allowed", func(t *testing.T) {
		tab := openTab(t, chrome, page.URL)
		before := allowed.counter(t, "corswasm.preflight.allowed")
		res := tab.fetch(t, allowed.url+"/preflight-allowed", map[string]any{
			"method": "PUT", "headers": map[string]string{"x-custom": "1"},
		})
		res.wantOK(t, 200)
		reply := res.reply(t)
		if reply.Method != "PUT" || !slices.Equal(reply.Headers["x-custom"], []string{"1"}) {
			t.Errorf("the upstream saw %s with x-custom %q; want PUT with [1]", reply.Method, reply.Headers["x-custom"])
		}
		if d := allowed.counter(t, "corswasm.preflight.allowed") - before; d != 1 {
			t.Errorf("corswasm.preflight.allowed moved by %d; want 1 (the browser's preflight)", d)
		}
		// The filter answers preflights itself.
		if got := up.methods("/preflight-allowed"); !slices.Equal(got, []string{"PUT"}) {
			t.Errorf("the upstream saw %q; want [PUT]", got)
		}
		tab.wantNoCORSErrors(t)
	})

	for _, tc := range []struct {
		desc   string
		api    *browserAPI
		method string
		header string
	}{
		{"origin", elsewhere, "PUT", "x-custom"},
		{"method", allowed, "PATCH", "x-custom"},
		{"header", allowed, "PUT", "x-other"},
	} {
		t.Run("preflight blocked by "+tc.desc, func(t *testing.T) {
			tab := openTab(t, chrome, page.URL)
			path := "/preflight-blocked-by-" + tc.desc
			before := tc.api.counter(t, "corswasm.preflight.rejected")
			res := tab.fetch(t, tc.api.url+path, map[string]any{
				"method": tc.method, "headers": map[string]string{tc.header: "1"},
			})
			// The filter answers a refused preflight 403 without
			// Access-Control-* headers.
			res.wantBlocked(t, network.CorsErrorPreflightMissingAllowOriginHeader)
			if d := tc.api.counter(t, "corswasm.preflight.rejected") - before; d != 1 {
				t.Errorf("corswasm.preflight.rejected moved by %d; want 1 (the browser's preflight)", d)
			}
			if got := up.methods(path); len(got) != 0 {
				t.Errorf("the upstream saw %q; want nothing: the browser must not send the request", got)
			}
		})
	}

	// The cookie is set by the API's origin (the navigation is not a CORS
	// request: the filter lets set-cookie through) and, the page and the
	// API being same-site, goes with a credentialed fetch from the page.
	t.Run("credentials allowed", func(t *testing.T) {
		tab := openTab(t, chrome, "")
		tab.setCookie(t, allowed.url)
		tab.navigate(t, page.URL)
		res := tab.fetch(t, allowed.url+"/credentials-allowed", map[string]any{"credentials": "include"})
		res.wantOK(t, 200)
		if got := res.reply(t).Headers["cookie"]; !slices.Equal(got, []string{"sid=abc"}) {
			t.Errorf("the reply read by script says the upstream saw cookie %q; want [sid=abc]", got)
		}
		if got := up.cookies("/credentials-allowed"); !slices.Equal(got, []string{"sid=abc"}) {
			t.Errorf("the upstream saw cookies %q; want [sid=abc]", got)
		}
		tab.wantNoCORSErrors(t)
	})

	t.Run("credentials blocked", func(t *testing.T) {
		tab := openTab(t, chrome, "")
		tab.setCookie(t, uncredentialed.url)
		tab.navigate(t, page.URL)
		res := tab.fetch(t, uncredentialed.url+"/credentials-blocked", map[string]any{"credentials": "include"})
		res.wantBlocked(t, network.CorsErrorInvalidAllowCredentials)
		// The request went out with the cookie: the browser blocked the
		// response.
		if got := up.cookies("/credentials-blocked"); !slices.Equal(got, []string{"sid=abc"}) {
			t.Errorf("the upstream saw cookies %q; want [sid=abc]", got)
		}
	})

	t.Run("exposed headers", func(t *testing.T) {
		tab := openTab(t, chrome, page.URL)
		path := "/exposed?h=x-trace-id:abc&h=x-hidden:def"
		// Both headers reach the browser...
		r := sendTo(t, allowed.url+path, origin)
		if r.header.Get("X-Trace-Id") != "abc" || r.header.Get("X-Hidden") != "def" {
			t.Fatalf("response headers x-trace-id %q, x-hidden %q; want abc, def", r.header.Get("X-Trace-Id"), r.header.Get("X-Hidden"))
		}
		// ...and script reads the exposed one only.
		res := tab.fetch(t, allowed.url+path, nil, "x-trace-id", "x-hidden")
		res.wantOK(t, 200)
		if got := res.Headers["x-trace-id"]; got == nil || *got != "abc" {
			t.Errorf("script read x-trace-id %s; want \"abc\"", show(got))
		}
		if got := res.Headers["x-hidden"]; got != nil {
			t.Errorf("script read x-hidden %s; want null", show(got))
		}
	})

	// Without Access-Control-Max-Age Chromium caches a preflight for 5
	// seconds: the second PUT comes after that with max_age 600, at once
	// with max_age 0, so that both tell the header was honoured.
	for _, tc := range []struct {
		desc  string
		api   *browserAPI
		pause time.Duration
		want  uint64
	}{
		{"max_age 600 caches the preflight", allowed, 6 * time.Second, 1},
		{"max_age 0 does not", uncredentialed, 0, 2},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			tab := openTab(t, chrome, page.URL)
			path := "/preflight-cache-" + strings.Fields(tc.desc)[1]
			before := tc.api.counter(t, "corswasm.preflight.allowed")
			for i := range 2 {
				if i == 1 {
					time.Sleep(tc.pause)
				}
				res := tab.fetch(t, tc.api.url+path, map[string]any{
					"method": "PUT", "headers": map[string]string{"x-custom": "1"},
				})
				res.wantOK(t, 200)
			}
			if d := tc.api.counter(t, "corswasm.preflight.allowed") - before; d != tc.want {
				t.Errorf("the browser sent %d preflights for two identical PUTs %v apart; want %d", d, tc.pause, tc.want)
			}
			if got := up.methods(path); !slices.Equal(got, []string{"PUT", "PUT"}) {
				t.Errorf("the upstream saw %q; want [PUT PUT]", got)
			}
		})
	}
}

// findChromium returns the path of Chromium. Without it the test skips,
// or fails when CI is set (CI must run the browser tests).
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal(chromiumMissing + " (CI is set: the browser tests must run there)")
	}
	t.Skip(chromiumMissing)
	return ""
}

// servePage serves the test page, an empty HTML document whose origin is
// the one the page's fetches come from.
func servePage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!doctype html><title>corswasm browser test</title>\n")
}

// upstreamLog is the browser tests' upstream: the echo handler, recording
// every request it answers.
type upstreamLog struct {
	mu   sync.Mutex
	seen []seenRequest
}

// seenRequest is what the upstream recorded of one request.
type seenRequest struct {
	method, path, cookie string
	// origin and fetchMode are the Origin and Sec-Fetch-Mode headers.
	origin, fetchMode string
}

func (u *upstreamLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.seen = append(u.seen, seenRequest{r.Method, r.URL.Path, strings.Join(r.Header.Values("Cookie"), "; "),
		r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Mode")})
	u.mu.Unlock()
	echo.Handler().ServeHTTP(w, r)
}

// methods lists the methods of the requests to path, in order.
func (u *upstreamLog) methods(path string) []string {
	var out []string
	for _, s := range u.requests(path) {
		out = append(out, s.method)
	}
	return out
}

// requests lists the requests to path, in order.
func (u *upstreamLog) requests(path string) []seenRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []seenRequest
	for _, s := range u.seen {
		if s.path == path {
			out = append(out, s)
		}
	}
	return out
}

// cookies lists the Cookie headers of the requests to path, in order.
func (u *upstreamLog) cookies(path string) []string {
	var out []string
	for _, s := range u.requests(path) {
		out = append(out, s.cookie)
	}
	return out
}

// browserAPI is a local host, on its own 127.0.0.1 port, running the real
// module with one of the browser tests' configurations.
type browserAPI struct {
	url  string // http://127.0.0.1:<port>
	host *wasmhost.Host
}

// startBrowserAPI starts a local host with the configuration cfg (a value
// to marshal, or JSON as a json.RawMessage) in front of upstream; the
// test's cleanup stops it.
func startBrowserAPI(t *testing.T, upstream string, cfg any) *browserAPI {
	t.Helper()
	pluginConfig, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: testmodule.Module(t), PluginConfig: pluginConfig, Upstream: u,
	})
	if err != nil {
		t.Fatalf("starting a local host with %s: %v", pluginConfig, err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close(context.Background())
	})
	return &browserAPI{url: srv.URL, host: h}
}

// counter reads one of the filter's counters.
func (a *browserAPI) counter(t *testing.T, name string) uint64 {
	t.Helper()
	if a.host.DoubleLocalReplies() != 0 {
		t.Errorf("the filter sent %d second local replies", a.host.DoubleLocalReplies())
	}
	n, _ := a.host.Counter(name) // a counter never incremented may not exist yet
	return n
}

// sendTo makes a GET request with an Origin header from Go, outside the
// browser.
func sendTo(t *testing.T, rawURL, origin string) reply {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}
