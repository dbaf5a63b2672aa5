//go:build !wasip1

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corswasm/corswasm/tools/echo"
)

// Driving headless Chromium for TestBrowser: starting and stopping it, tabs,
// and fetches whose outcome the browser decides.

// startChromium starts headless Chromium with a fresh profile, talking to
// 127.0.0.1 only, and returns the context of its first tab. The test's
// cleanup closes it and checks that none of its processes is left.
func startChromium(t *testing.T, exe string) context.Context {
	t.Helper()
	// Everything Chromium writes goes under dir: the profile, and through
	// the XDG variables the crash reports database and the cache, which
	// would otherwise go under $HOME. t.TempDir removes dir after the
	// cleanup below, which ends Chromium.
	dir := t.TempDir()
	output := &lockedBuffer{}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache")),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// No network but loopback: no proxy, and no host name resolves.
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.CombinedOutput(output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		closeCtx, cancelClose := context.WithTimeout(ctx, 10*time.Second)
		if err := chromedp.Cancel(closeCtx); err != nil {
			t.Logf("closing Chromium: %v", err)
		}
		cancelClose()
		cancel()
		cancelAlloc() // waits for the browser process to end
		if left := waitChromiumGone(dir, 5*time.Second); len(left) > 0 {
			t.Errorf("Chromium processes %v were still running after the browser closed; killed them", left)
		}
	})
	// The first Run starts Chromium and ties it to ctx, so it cannot run
	// under a timeout context: a watchdog cancels it instead.
	watchdog := time.AfterFunc(browserStep, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("no answer in %v (%v)", browserStep, err)
	}
	if err != nil {
		t.Fatalf("starting %s: %v\nits output:\n%s", exe, err, output)
	}
	vctx, cancelVersion := context.WithTimeout(ctx, browserStep)
	defer cancelVersion()
	v, err := chromedp.CallBrowser(vctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatalf("asking Chromium its version: %v", err)
	}
	t.Logf("%s (%s)", v.Product, exe)
	return ctx
}

// waitChromiumGone waits until no process of the Chromium that uses dir is
// left, killing (by process id) those still there after wait, and returns
// their ids.
func waitChromiumGone(dir string, wait time.Duration) []int {
	deadline := time.Now().Add(wait)
	for {
		left := chromiumProcesses(dir)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chromiumProcesses lists the processes whose command line names dir
// (t.TempDir's, unique to the test): every process of the Chromium that
// startChromium started, its crash handler included, and no other.
func chromiumProcesses(dir string) []int {
	want := []byte(dir + string(filepath.Separator))
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, want) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// lockedBuffer collects Chromium's output, written from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tab is a browser tab in a browser context of its own.
type tab struct {
	ctx context.Context

	mu         sync.Mutex
	corsErrors []string // Network.loadingFailed's corsErrorStatus.corsError, in order
	documents  []documentResponse
}

// documentResponse is a response to a navigation, as Chromium reported it
// (Network.responseReceived for a document).
type documentResponse struct {
	url     string
	status  int64
	headers network.Headers
}

// openTab opens a tab in a new browser context (a fresh cookie jar and
// preflight cache) and, unless pageURL is empty, loads pageURL in it. The
// test's cleanup closes the tab and disposes of its browser context.
func openTab(t *testing.T, chrome context.Context, pageURL string) *tab {
	t.Helper()
	tb := &tab{}
	ctx, cancel := chromedp.NewContext(chrome, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventLoadingFailed:
			if ev.CorsErrorStatus != nil {
				tb.corsErrors = append(tb.corsErrors, string(ev.CorsErrorStatus.CorsError))
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && ev.Response != nil {
				tb.documents = append(tb.documents, documentResponse{ev.Response.URL, ev.Response.Status, ev.Response.Headers})
			}
		}
	}))
	t.Cleanup(cancel)
	tb.ctx = ctx
	// The first Run ties the tab to ctx: a watchdog bounds it.
	watchdog := time.AfterFunc(browserStep, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("no answer in %v (%v)", browserStep, err)
	}
	if err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if pageURL != "" {
		tb.navigate(t, pageURL)
	}
	return tb
}

// navigate loads rawURL in the tab.
func (tb *tab) navigate(t *testing.T, rawURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(rawURL)); err != nil {
		t.Fatalf("navigating to %s: %v", rawURL, err)
	}
}

// waitDocument waits until the tab has received the response to a
// navigation to rawURL, and returns it.
func (tb *tab) waitDocument(t *testing.T, rawURL string) documentResponse {
	t.Helper()
	for deadline := time.Now().Add(browserStep); ; {
		tb.mu.Lock()
		for _, d := range tb.documents {
			if d.url == rawURL {
				tb.mu.Unlock()
				return d
			}
		}
		tb.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no response to a navigation to %s in %v", rawURL, browserStep)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setCookie makes the API at apiURL set the cookie sid=abc, by loading a
// page of the API that answers with Set-Cookie.
func (tb *tab) setCookie(t *testing.T, apiURL string) {
	t.Helper()
	q := url.Values{"h": {"set-cookie:sid=abc; Path=/; SameSite=Lax"}}
	tb.navigate(t, apiURL+"/set-cookie?"+q.Encode())
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	cookie, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.cookie"))
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "sid=abc" {
		t.Fatalf("after loading the API's set-cookie page, document.cookie = %q; want sid=abc", cookie)
	}
}

// fetchScript calls fetch(url, init) and describes the outcome: the
// status, the body and the response headers listed in read, or the error
// the promise rejected with.
const fetchScript = `(async (url, init, read) => {
	try {
		const resp = await fetch(url, init);
		const headers = {};
		for (const name of read) headers[name] = resp.headers.get(name);
		return {ok: true, status: resp.status, headers, body: await resp.text()};
	} catch (e) {
		return {ok: false, error: String(e)};
	}
})(%s, %s, %s)`

// fetchResult is what fetchScript returns.
type fetchResult struct {
	OK      bool               `json:"ok"`
	Status  int                `json:"status"`
	Headers map[string]*string `json:"headers"` // nil: headers.get gave null
	Body    string             `json:"body"`
	Error   string             `json:"error"`

	// corsErrors are the CORS errors Chromium reported for the fetch
	// (Network.loadingFailed's corsErrorStatus.corsError).
	corsErrors []string
}

// fetch runs fetch(rawURL, init) in the tab's page and returns the outcome,
// with the response headers named in read as script sees them.
func (tb *tab) fetch(t *testing.T, rawURL string, init map[string]any, read ...string) fetchResult {
	t.Helper()
	if init == nil {
		init = map[string]any{}
	}
	if read == nil {
		read = []string{}
	}
	args := make([]any, 3)
	for i, v := range []any{rawURL, init, read} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		args[i] = b
	}
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	seen := len(tb.errors())
	res, err := chromedp.Run(ctx, chromedp.Evaluate[fetchResult](fmt.Sprintf(fetchScript, args...), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch(%s, %s): %v", rawURL, args[1], err)
	}
	// The DevTools event can come a little after the promise settled.
	for deadline := time.Now().Add(5 * time.Second); !res.OK && len(tb.errors()) == seen && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	res.corsErrors = tb.errors()[seen:]
	return res
}

// errors returns the CORS errors Chromium reported in the tab so far.
func (tb *tab) errors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.corsErrors)
}

// wantOK checks that script could read the response, with the given status.
func (r fetchResult) wantOK(t *testing.T, status int) {
	t.Helper()
	if !r.OK {
		t.Fatalf("fetch rejected with %q (Chromium's CORS errors: %q); want the response readable", r.Error, r.corsErrors)
	}
	if r.Status != status {
		t.Fatalf("status %d; want %d", r.Status, status)
	}
}

// wantBlocked checks that the fetch promise rejected, as it does when the
// browser blocks a response (or a request) under CORS, and that Chromium
// reported the one CORS error want.
func (r fetchResult) wantBlocked(t *testing.T, want network.CorsError) {
	t.Helper()
	if r.OK {
		t.Fatalf("fetch resolved (status %d, body %.100q...); want it rejected with a TypeError", r.Status, r.Body)
	}
	if !strings.HasPrefix(r.Error, "TypeError") {
		t.Errorf("fetch rejected with %q; want a TypeError", r.Error)
	}
	if !slices.Equal(r.corsErrors, []string{string(want)}) {
		t.Errorf("Chromium's CORS errors: %q; want [%s]", r.corsErrors, want)
	}
}

// reply decodes the echo upstream's description of the request, as script
// read it.
func (r fetchResult) reply(t *testing.T) echo.Reply {
	t.Helper()
	var out echo.Reply
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatalf("the body script read, %q, is not the echo upstream's reply: %v", r.Body, err)
	}
	return out
}

// wantNoCORSErrors checks that Chromium reported no CORS error so far.
func (tb *tab) wantNoCORSErrors(t *testing.T) {
	t.Helper()
	if got := tb.errors(); len(got) > 0 {
		t.Errorf("Chromium's CORS errors: %q; want none", got)
	}
}

// show formats a header value read by script: its quoted value, or null.
func show(v *string) string {
	if v == nil {
		return "null"
	}
	return strconv.Quote(*v)
}
