//go:build !wasip1

package wasmhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	tmpDir         string
	testFilterOnce sync.Once
	testFilterWasm []byte
	testFilterErr  error
)

func TestMain(m *testing.M) {
	var err error
	if tmpDir, err = os.MkdirTemp("", "wasmhost-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(tmpDir)
	os.Exit(code)
}

// testFilter returns testdata/testfilter compiled with the standard
// toolchain, building it on first use.
func testFilter(t *testing.T) []byte {
	t.Helper()
	testFilterOnce.Do(func() {
		out := filepath.Join(tmpDir, "testfilter.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/testfilter")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			testFilterErr = err
			t.Logf("go build: %s", msg)
			return
		}
		testFilterWasm, testFilterErr = os.ReadFile(out)
	})
	if testFilterErr != nil {
		t.Fatalf("building testdata/testfilter: %v", testFilterErr)
	}
	return testFilterWasm
}

// echoed is what the echo upstream saw.
type echoed struct {
	Method string              `json:"method"`
	URI    string              `json:"uri"`
	Host   string              `json:"host"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
}

// newUpstream starts an upstream on 127.0.0.1 that answers with what it
// received, as JSON, unless handler is given.
func newUpstream(t *testing.T, handler http.HandlerFunc) *url.URL {
	t.Helper()
	if handler == nil {
		handler = func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("X-Upstream", "one")
			w.Header().Add("X-Upstream", "two")
			_ = json.NewEncoder(w).Encode(echoed{r.Method, r.RequestURI, r.Host, r.Header, string(body)})
		}
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

// startHost starts a Host and an HTTP server in front of it.
func startHost(t *testing.T, cfg Config) (*Host, *httptest.Server) {
	t.Helper()
	if cfg.Upstream == nil {
		cfg.Upstream = newUpstream(t, nil)
	}
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := newServer(t, h)
	t.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h, srv
}

// servers maps each server newServer started to its tracker.
var servers sync.Map // *httptest.Server -> *tracker

// tracker counts the requests a test server's handler has not finished.
// The host runs a stream's last callbacks (proxy_on_log, proxy_on_done,
// proxy_on_delete) after the response has gone to the client, as Envoy
// does: a client that has read the whole response can get there before
// them. Waiting for the handler to return waits for them too, so that what
// the plugin did in them (counters, log lines) is there to see.
type tracker struct {
	next     http.Handler
	mu       sync.Mutex
	idle     sync.Cond
	inFlight int
}

func (tr *tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tr.mu.Lock()
	tr.inFlight++
	tr.mu.Unlock()
	defer func() {
		tr.mu.Lock()
		tr.inFlight--
		tr.idle.Broadcast()
		tr.mu.Unlock()
	}()
	tr.next.ServeHTTP(w, r)
}

// wait returns once no request is being served.
func (tr *tracker) wait() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for tr.inFlight > 0 {
		tr.idle.Wait()
	}
}

// newServer starts an HTTP server on 127.0.0.1 in front of h, which do
// knows to wait for (see tracker); the test's cleanup closes it.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	tr := &tracker{next: h}
	tr.idle.L = &tr.mu
	srv := httptest.NewServer(tr)
	servers.Store(srv, tr)
	t.Cleanup(func() {
		srv.Close()
		servers.Delete(srv)
	})
	return srv
}

// do sends a request with the given header lines ("Name: value") and
// returns the response with its body read. On a server from newServer it
// returns once the handler has returned, after the stream's last callbacks.
func do(t *testing.T, srv *httptest.Server, method, path, body string, lines ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		if name == "Host" {
			req.Host = strings.TrimSpace(value)
			continue
		}
		req.Header.Add(name, strings.TrimSpace(value))
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	if tr, ok := servers.Load(srv); ok {
		tr.(*tracker).wait()
	}
	return resp, string(b)
}

// logsContain reports whether a log line contains every part.
func logsContain(h *Host, parts ...string) bool {
	for _, l := range h.Logs() {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l.Message, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func dumpLogs(t *testing.T, h *Host) {
	t.Helper()
	for _, l := range h.Logs() {
		t.Log(l.String())
	}
}
