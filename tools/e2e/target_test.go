//go:build !wasip1

package e2e

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/echo"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The suite's configurations, in the order of their listeners in the
// Envoy harness (tools/e2e/envoy.yaml): configuration i is served on port
// E2E_TARGET's port + i.
var configNames = []string{"main", "forward", "reject", "keep", "any", "wild", "edge"}

// target is where the suite sends requests for one configuration.
type target struct {
	name  string
	url   string // base URL, no trailing slash
	admin string // admin base URL: /stats, /ready
	host  *wasmhost.Host
}

// targets maps configuration names to targets; TestMain fills it, except
// in Envoy's host library, which has no HTTP.
var targets = map[string]*target{}

// suiteBackend is where the suite's requests go.
type suiteBackend string

const (
	// localBackend: in-process local hosts (tools/wasmhost), the default.
	localBackend suiteBackend = "the local host"
	// envoyBackend: a real Envoy at E2E_TARGET (the docker-compose
	// harness, make e2e-envoy).
	envoyBackend suiteBackend = "the Envoy at E2E_TARGET"
	// envoyhostBackend: Envoy's Wasm host library (E2E_HOST=envoyhost,
	// make test-envoyhost), see envoyhost_test.go.
	envoyhostBackend suiteBackend = "Envoy's host library (E2E_HOST=envoyhost)"
)

// backend is the suite's backend; TestMain sets it from the environment.
var backend = localBackend

func TestMain(m *testing.M) {
	flag.Parse()
	cleanup, err := setUpTargets()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func setUpTargets() (cleanup func(), err error) {
	base := os.Getenv("E2E_TARGET")
	switch host := os.Getenv("E2E_HOST"); {
	case host == "envoyhost" && base != "":
		return nil, fmt.Errorf("E2E_HOST=envoyhost and E2E_TARGET=%s: choose one", base)
	case host == "envoyhost":
		backend = envoyhostBackend
		return func() {}, nil
	case host != "" && host != "local":
		return nil, fmt.Errorf("E2E_HOST=%q: want envoyhost, or local (the default)", host)
	case base != "":
		return func() {}, setUpExternal(base)
	}
	return setUpLocal()
}

// requireLocalHost skips a test that needs the in-process local host when
// the suite runs elsewhere, saying why.
func requireLocalHost(t *testing.T, why string) {
	t.Helper()
	if backend != localBackend {
		t.Skipf("%s; the suite runs on %s", why, backend)
	}
}

// setUpExternal points each configuration at E2E_TARGET's port + i; the
// admin endpoint is E2E_ADMIN (default: port 9901 on the same host).
func setUpExternal(base string) error {
	backend = envoyBackend
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("E2E_TARGET: %w", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return fmt.Errorf("E2E_TARGET %q needs a port", base)
	}
	admin := os.Getenv("E2E_ADMIN")
	if admin == "" {
		admin = u.Scheme + "://" + u.Hostname() + ":9901"
	}
	for i, name := range configNames {
		targets[name] = &target{name: name, url: fmt.Sprintf("%s://%s:%d", u.Scheme, u.Hostname(), port+i), admin: admin}
	}
	return nil
}

// setUpLocal starts, in process, the echo upstream and one local host per
// configuration running the real module.
func setUpLocal() (func(), error) {
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	upstream := httptest.NewServer(echoHandler)
	closers = append(closers, upstream.Close)
	upstreamURL, _ := url.Parse(upstream.URL)
	module, err := testmodule.ModuleBytes()
	if err != nil {
		return nil, err
	}
	for _, name := range configNames {
		cfg, err := os.ReadFile(configPath(name))
		if err != nil {
			cleanup()
			return nil, err
		}
		host, err := wasmhost.New(context.Background(), wasmhost.Config{
			Module: module, PluginConfig: cfg, Upstream: upstreamURL,
		})
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("starting the local host for %s: %w", name, err)
		}
		srv := httptest.NewServer(host)
		admin := httptest.NewServer(host.Admin())
		closers = append(closers, func() { host.Close(context.Background()) }, srv.Close, admin.Close)
		targets[name] = &target{name: name, url: srv.URL, admin: admin.URL, host: host}
	}
	return cleanup, nil
}

// configPath is the file of a configuration of the suite.
func configPath(name string) string { return filepath.Join("testdata", name+".json") }

// readConfig reads a configuration of the suite.
func readConfig(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(configPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// echoHandler is the upstream of every in-process host.
var echoHandler = echo.Handler()

var client = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   string
}

// newRequest builds a request with header name, value pairs.
func newRequest(t *testing.T, method, url string, headers ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return req
}

// do sends a request and reads its response.
func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

// stats reads the target's counters from its admin /stats endpoint.
func stats(t *testing.T, config string) map[string]uint64 {
	t.Helper()
	resp, err := client.Get(targets[config].admin + "/stats")
	if err != nil {
		t.Fatalf("admin /stats: %v", err)
	}
	defer resp.Body.Close()
	out := make(map[string]uint64)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64); err == nil {
			out[name] = n
		}
	}
	return out
}
