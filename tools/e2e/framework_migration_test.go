//go:build !wasip1

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The framework migration tests: for each configuration of each framework
// app (framework_start_test.go), every fetch of the browser corpus
// (framework_corpus_test.go) is made of the framework directly, and of
// corswasm enforcing a policy in front of the same app, with
// upstream_cors_headers "replace" (the framework's CORS headers are
// dropped); the browser model (framework_browser_test.go) turns each into
// what a page observes, and the two must agree except for the deliberate
// differences listed for the configuration (framework_differences_test.go).
//
// The policy of a configuration is frameworks/<framework>/policies/
// <config>.json, written by hand from the README's table "Migrating from
// your framework's CORS settings": the tests make that table a checked
// fact. compareMigration takes any policy.

// frameworkClient sends the corpus; it never follows redirects and uses no
// proxy (tests talk to 127.0.0.1 alone).
var frameworkClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: frameworkTransport(),
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// frameworkIdleTimeout is how long a connection to a framework app (or to
// a local host in front of one) may stay idle before it is reused: well
// under the apps' own keep-alive timeouts (5 s for uvicorn and Node), so
// that a request is never sent on a connection the app is closing at that
// moment. Such a request (a PUT, say, which is not replayable) fails with
// "connection reset by peer" or EOF: under load, an app's connection can
// sit idle for seconds between two tests' phases.
const frameworkIdleTimeout = time.Second

// frameworkTransport is a transport to the framework apps: no proxy, no
// transparent gzip (responses arrive as sent), idle connections dropped
// after frameworkIdleTimeout.
func frameworkTransport() *http.Transport {
	return &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: frameworkIdleTimeout, DisableCompression: true}
}

func TestFrameworkMigration(t *testing.T) {
	requireLocalHost(t, "the framework apps speak HTTP to corswasm in the local host")
	apps := readFrameworkApps(t)
	checkExpectedDifferences(t, apps)
	for _, app := range apps {
		t.Run(app.Framework, func(t *testing.T) {
			app.requireRuntime(t)
			for _, cfg := range app.Configs {
				t.Run(cfg.Name, func(t *testing.T) {
					running := startFrameworkApp(t, app, cfg.Name)
					policy, err := os.ReadFile(filepath.Join(app.dir, "policies", cfg.Name+".json"))
					if err != nil {
						t.Fatal(err)
					}
					compareMigration(t, app.Framework+"/"+cfg.Name, cfg.Name+"."+app.Framework+".test", running.url, policy)
				})
			}
		})
	}
}

// checkExpectedDifferences checks that expectedDifferences names exactly
// the configurations there are, and kinds of differences that exist.
func checkExpectedDifferences(t *testing.T, apps []frameworkApp) {
	t.Helper()
	known := map[string]bool{}
	for _, app := range apps {
		for _, cfg := range app.Configs {
			known[app.Framework+"/"+cfg.Name] = true
			if _, ok := expectedDifferences[app.Framework+"/"+cfg.Name]; !ok {
				t.Errorf("expectedDifferences has no entry for %s/%s", app.Framework, cfg.Name)
			}
		}
	}
	for key, kinds := range expectedDifferences {
		if !known[key] {
			t.Errorf("expectedDifferences names %s, which no configs.json has", key)
		}
		for _, k := range kinds {
			if deliberateReason(k) == "" {
				t.Errorf("expectedDifferences[%s]: no deliberate difference %q", key, k)
			}
		}
	}
}

// compareMigration makes every fetch of the corpus of the app at upstream
// directly and through corswasm enforcing policy, both with :authority
// authority, and checks that every difference is one of those
// expectedDifferences lists for key, and that each of those occurs.
func compareMigration(t *testing.T, key, authority, upstream string, policy []byte) {
	t.Helper()
	compareCorpus(t, key, authority, upstream, policy, browserCorpus(), expectedDifferences[key])
}

// compareCorpus is compareMigration with the corpus and the kinds of
// deliberate differences expected (want) given.
func compareCorpus(t *testing.T, key, authority, upstream string, policy []byte, corpus []browserFetch, want []string) {
	t.Helper()
	proxy := startPolicyHost(t, upstream, policy)
	direct := &corpusSender{t: t, base: upstream, authority: authority}
	through := &corpusSender{t: t, base: proxy, authority: authority}
	seen, unlisted := map[string]int{}, map[string]int{}
	var unexplained, examples []string
	for _, f := range corpus {
		fw := browse(f, direct.send)
		cw := browse(f, through.send)
		if fw.alike(cw) {
			continue
		}
		kind := explainDifference(f, fw, cw)
		switch {
		case kind == "":
			unexplained = append(unexplained, fmt.Sprintf("%s:\n\t%s: %s\n\tcorswasm: %s", f, key, fw, cw))
		case !slices.Contains(want, kind):
			unexplained = append(unexplained, fmt.Sprintf("%s: a difference %s not listed for %s:\n\t%s: %s\n\tcorswasm: %s",
				f, kind, key, key, fw, cw))
		default:
			if seen[kind] == 0 {
				examples = append(examples, fmt.Sprintf("%s, e.g. %s:\n\t%s: %s\n\tcorswasm: %s", kind, f, key, fw, cw))
			}
			seen[kind]++
			continue
		}
		unlisted[kind]++
	}
	for i, u := range unexplained {
		if i == 20 {
			t.Errorf("… and %d more unexplained differences", len(unexplained)-i)
			break
		}
		t.Errorf("unexplained difference: %s", u)
	}
	if len(unexplained) > 0 {
		var counts []string
		for kind, n := range unlisted {
			if kind == "" {
				kind = "of no deliberate kind"
			}
			counts = append(counts, fmt.Sprintf("%s ×%d", kind, n))
		}
		slices.Sort(counts)
		t.Errorf("%s: unexplained differences: %s", key, strings.Join(counts, ", "))
	}
	for _, kind := range want {
		if seen[kind] == 0 {
			t.Errorf("the deliberate difference %s listed for %s never occurred (%s)", kind, key, deliberateReason(kind))
		}
	}
	var summary []string
	for _, kind := range want {
		summary = append(summary, fmt.Sprintf("%s ×%d", kind, seen[kind]))
	}
	t.Logf("%d fetches (%d requests directly, %d through corswasm); deliberate differences: %s",
		len(corpus), len(direct.seen), len(through.seen), strings.Join(summary, ", "))
	for _, e := range examples {
		t.Logf("deliberate difference %s", e)
	}
}

// startPolicyHost starts a local host running the module with policy in
// front of upstream, and returns its URL; the test's cleanup stops it.
func startPolicyHost(t *testing.T, upstream string, policy []byte) string {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	upstreamTransport := frameworkTransport()
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: testmodule.Module(t), PluginConfig: policy, Upstream: u, Transport: upstreamTransport,
	})
	if err != nil {
		t.Fatalf("starting a local host with %s: %v", policy, err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		upstreamTransport.CloseIdleConnections()
		if n := h.DoubleLocalReplies(); n != 0 {
			t.Errorf("the filter sent %d second local replies", n)
		}
		h.Close(context.Background())
	})
	return srv.URL
}

// corpusSender sends a browser's requests to one service, each distinct
// request once: the answer to an equal request is the same.
type corpusSender struct {
	t               *testing.T
	base, authority string
	seen            map[string]response
}

func (s *corpusSender) send(r httpRequest) response {
	if got, ok := s.seen[r.key()]; ok {
		return got
	}
	req, err := http.NewRequest(r.method, s.base+r.path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Host = s.authority
	for _, h := range r.headers {
		req.Header.Add(h[0], h[1])
	}
	resp, err := frameworkClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s%s: %v", r.method, s.base, r.path, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		s.t.Fatalf("%s %s%s: reading the body: %v", r.method, s.base, r.path, err)
	}
	got := response{resp.StatusCode, resp.Header}
	if s.seen == nil {
		s.seen = map[string]response{}
	}
	s.seen[r.key()] = got
	return got
}
