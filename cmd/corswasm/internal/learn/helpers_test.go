package learn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// a is an answer: header name, field line, name, line, ...
func a(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

// pre is a preflight observation.
func pre(host, path, origin, method, headers string, status int, answer map[string][]string) *Observation {
	return &Observation{V: 1, Host: host, Path: path, Kind: KindPreflight, Origin: origin, Method: method, RequestHeaders: headers, Status: status, Answer: answer}
}

// act is an actual request's observation.
func act(host, path, origin, method string, answer map[string][]string) *Observation {
	return &Observation{V: 1, Host: host, Path: path, Kind: KindActual, Origin: origin, Method: method, Status: 200, Answer: answer}
}

// line is the log line of an observation, as the filter writes it.
func line(t testing.TB, o *Observation) string {
	t.Helper()
	js, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return Marker + string(js)
}

// learnAll runs LearnObservations and checks what every proposal must be:
// a configuration engine.Check accepts.
func learnAll(t testing.TB, opt Options, obs ...*Observation) *Result {
	t.Helper()
	res, err := LearnObservations(obs, opt)
	if err != nil {
		t.Fatalf("LearnObservations: %v", err)
	}
	mustCheck(t, res.Config)
	return res
}

func mustCheck(t testing.TB, config []byte) {
	t.Helper()
	if errs, _ := engine.Check(config); len(errs) > 0 {
		t.Fatalf("engine.Check refuses the proposal: %v\n%s", errs, config)
	}
}

// proposal parses the proposal.
func proposal(t testing.TB, res *Result) *engine.Config {
	t.Helper()
	c, err := engine.Parse(res.Config)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

// service finds a service's report.
func serviceReport(t testing.TB, r *Report, host, path string) Service {
	t.Helper()
	for _, s := range r.Services {
		if s.Host == host && s.Path == path {
			return s
		}
	}
	t.Fatalf("no service %s%s in the report", host, path)
	return Service{}
}

func risksOf(r *Report, host string) []string {
	var out []string
	for _, k := range r.Risks {
		if k.Service.Host == host {
			out = append(out, k.Risk)
		}
	}
	return out
}

func join(l []string) string { return strings.Join(l, ",") }

// readTestdata is a file of testdata/.
func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
