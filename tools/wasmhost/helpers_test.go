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
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h, srv
}

// do sends a request with the given header lines ("Name: value") and
// returns the response with its body read.
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
