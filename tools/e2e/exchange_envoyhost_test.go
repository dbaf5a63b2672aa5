//go:build !wasip1

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

// The request as Envoy's host library sees it, for exchanges that do not
// name their own authority: a TLS-terminating edge in front of an API.
const (
	envoyHostScheme    = "https"
	envoyHostAuthority = "api.example.com"
)

// envoyHostSuite is every case of exchangeTables run in Envoy's host
// library, one harness run per configuration: a run's start-up (Wasmtime
// compiling the module) is most of its time. The first test that needs it
// runs it; each test then looks up its own cases.
var envoyHostSuite struct {
	once     sync.Once
	outcomes map[string]outcome // by exchange.key
	err      error
}

// exchangeInEnvoyHost returns the cases' outcomes in Envoy's host library.
func exchangeInEnvoyHost(t *testing.T, cases []exchange) []outcome {
	t.Helper()
	harness := envoyhost.HarnessForTest(t)
	s := &envoyHostSuite
	s.once.Do(func() { s.outcomes, s.err = runSuiteInEnvoyHost(harness) })
	if s.outcomes == nil {
		t.Fatal(s.err)
	}
	if s.err != nil {
		t.Error(s.err)
	}
	out := make([]outcome, len(cases))
	for i, x := range cases {
		o, ok := s.outcomes[x.key()]
		if !ok {
			t.Fatalf("%s: not among the cases of exchangeTables, which Envoy's host library runs", x.desc)
		}
		out[i] = o
	}
	return out
}

// runSuiteInEnvoyHost runs every case of exchangeTables, the cases of each
// configuration in one harness run, in the tables' order. Its error also
// reports what went wrong in a run that did finish.
func runSuiteInEnvoyHost(harness string) (map[string]outcome, error) {
	bin, err := testmodule.ModuleBytes()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "e2e-envoyhost")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	module := filepath.Join(dir, "cors.wasm")
	if err := os.WriteFile(module, bin, 0o644); err != nil {
		return nil, err
	}
	var configs []string
	byConfig := map[string][]exchange{}
	for _, table := range exchangeTables {
		for _, x := range table() {
			if byConfig[x.config] == nil {
				configs = append(configs, x.config)
			}
			byConfig[x.config] = append(byConfig[x.config], x)
		}
	}
	outcomes := map[string]outcome{}
	var problems []error
	for _, config := range configs {
		cfg, err := os.ReadFile(configPath(config))
		if err != nil {
			return nil, err
		}
		var requests []envoyhost.Request
		for _, x := range byConfig[config] {
			requests = append(requests, harnessRequest(x))
		}
		run, err := envoyhost.Run(context.Background(), suiteOptions(harness, module, cfg), requests)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config, err)
		}
		for _, p := range runProblems(run) {
			problems = append(problems, fmt.Errorf("configuration %s: %s", config, p))
		}
		for k, x := range byConfig[config] {
			outcomes[x.key()] = harnessOutcome(run.Streams[k])
		}
	}
	return outcomes, errors.Join(problems...)
}

// key identifies an exchange by its configuration and request.
func (x exchange) key() string {
	data, err := json.Marshal(struct {
		Config  string
		Request envoyhost.Request
	}{x.config, harnessRequest(x)})
	if err != nil {
		panic(err) // strings only
	}
	return string(data)
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
// does not offer at that point, is a problem.
func harnessOutcome(s envoyhost.StreamResult) outcome {
	o := outcome{
		reply:         reply{status: s.Status, header: http.Header{}, body: s.LocalReplyBody},
		fromUpstream:  !s.LocalReply && s.ForwardedRequestHeaders != nil,
		counters:      s.MetricsDelta,
		secondReplies: s.SecondLocalReplyIgnored,
		logs:          []string{},
		filterState:   s.FilterState(),
	}
	if o.filterState == nil {
		o.filterState = map[string]string{}
	}
	if o.counters == nil { // no counter moved
		o.counters = map[string]int64{}
	}
	if s.Failed || len(s.HostErrors) > 0 || len(s.UnavailableMapCalls) > 0 {
		o.problems = append(o.problems, fmt.Sprintf("the stream failed %v (fail state %d), host errors %q, header-map calls Envoy would refuse %q",
			s.Failed, s.FailState, s.HostErrors, s.UnavailableMapCalls))
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
