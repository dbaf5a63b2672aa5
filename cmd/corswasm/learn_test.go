package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// learnFixture is the path of a log of testdata/learn/.
func learnFixture(name string) string { return testdata(filepath.Join("learn", name)) }

func mustAccept(t *testing.T, config string) *engine.Config {
	t.Helper()
	if errs, _ := engine.Check([]byte(config)); len(errs) > 0 {
		t.Fatalf("engine.Check refuses the proposal: %v\n%s", errs, config)
	}
	c, err := engine.Parse([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A fleet's logs in three formats (Envoy's, kubectl --prefix
// --timestamps, Istio's JSON records): one configuration, and a report
// naming the vulnerable service.
func TestLearnMixedFleet(t *testing.T) {
	r := corswasm(t, "", "learn", learnFixture("envoy.log"), learnFixture("kubectl-prefix.log"), learnFixture("istio-json.log"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	c := mustAccept(t, r.stdout)
	if c.AllowOrigins == nil || len(c.AllowOrigins) != 0 {
		t.Errorf("top level allows %v; want no origin", c.AllowOrigins)
	}
	if a := names(c)["api-example-com-api"]; a == nil || strings.Join(a.Match.Hosts, " ") != "api.example.com app.example.com shop.example.com" ||
		strings.Join(a.AllowOrigins, " ") != "https://admin.example.com https://app.example.com" {
		t.Errorf("api, app and shop do the same: one rule with the fleet's common origins: %+v", a)
	}
	if b := names(c)["billing-example-com-billing"]; b == nil || strings.Join(b.Match.PathPrefixes, " ") != "/billing/" {
		t.Errorf("no rule for billing.example.com's /billing/: %v", c.Rules)
	}
	if p := names(c)["partner-example-com-v1"]; p == nil || strings.Join(p.Match.Hosts, " ") != "partner.example.com reports.example.com" {
		t.Errorf("partner and reports do the same: one rule: %+v", p)
	}
	if s := names(c)["static-example-com-assets"]; s == nil || strings.Join(s.AllowOrigins, " ") != "*" {
		t.Errorf("static answers * without credentials: %+v", s)
	}
	for _, want := range []string{
		"read 3 files, 26 lines: 24 observations, 0 malformed observations, 7 services",
		"risk reflects_any_origin: billing.example.com/billing/",
		"risk credentials_with_any_origin: billing.example.com/billing/",
		"service api.example.com/api/, audited by rule \"api\"; proposed: rule api-example-com-api",
		"note: the top level allows no origin: hosts and paths never observed get no CORS",
		"suggestion: api.example.com/api/, app.example.com/api/, shop.example.com/api/: \"https://*.example.com\" would allow every subdomain",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "\nrisk "); n != 5 {
		t.Errorf("%d risks; want billing's 5 alone:\n%s", n, r.stderr)
	}
}

func TestLearnReadsStandardInputAndWritesAJSONReport(t *testing.T) {
	log, err := os.ReadFile(filepath.Join(repoRoot(t), learnFixture("kubectl-prefix.log")))
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.json")
	r := corswasm(t, string(log), "learn", "--json", "--report", report, "-")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	mustAccept(t, r.stdout)
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Counts   map[string]int `json:"counts"`
		Services []struct {
			Host, Path, Policy string
		} `json:"services"`
		Risks []json.RawMessage `json:"risks"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, data)
	}
	if rep.Counts["observations"] != 8 || rep.Counts["services"] != 3 || len(rep.Services) != 3 || rep.Risks == nil {
		t.Errorf("report: %s", data)
	}
}

func TestLearnRisksAsJSON(t *testing.T) {
	r := corswasm(t, "", "learn", "--json", learnFixture("envoy.log"))
	var rep struct {
		Risks []struct {
			Service  struct{ Host, Rule, Path string } `json:"service"`
			Risk     string                            `json:"risk"`
			Evidence []map[string]any                  `json:"evidence"`
			Message  string                            `json:"message"`
		} `json:"risks"`
	}
	if err := json.Unmarshal([]byte(r.stderr), &rep); err != nil || r.code != exitOK {
		t.Fatalf("exit %d, %v\n%s", r.code, err, r.stderr)
	}
	for _, k := range rep.Risks {
		if k.Service.Host != "billing.example.com" || k.Service.Rule != "billing" || k.Service.Path != "/billing/" || len(k.Evidence) == 0 || k.Message == "" {
			t.Errorf("risk %+v", k)
		}
		if k.Evidence[0]["v"] != 1.0 || k.Evidence[0]["kind"] == nil {
			t.Errorf("evidence is not observations: %v", k.Evidence[0])
		}
	}
}

// Bad JSON, a line over a megabyte, invalid UTF-8: counted, never fatal.
func TestLearnHostileLog(t *testing.T) {
	good := `corswasm: observation {"v":1,"host":"a.example.com","rule":"","path":"/","kind":"actual","origin":"https://b.example.com","method":"GET","status":200,"answer":{"access-control-allow-origin":["https://b.example.com"],"vary":["Origin"]}}`
	log := strings.Join([]string{
		"corswasm: observation {\"v\":1,",
		"corswasm: observation " + strings.Repeat("{", 2<<20),
		strings.Repeat("y", 2<<20),
		strings.Replace(good, "b.example.com\"]", "b.example.com\xff\"]", 1),
		"corswasm: observation \x1b]0;owned\x07",
		good,
	}, "\n")
	r := corswasm(t, log, "learn", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	mustAccept(t, r.stdout)
	if !strings.Contains(r.stderr, "6 lines: 2 observations, 3 malformed observations, 1 service") {
		t.Errorf("counts:\n%s", r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\x1b\x07\xff") {
		t.Errorf("the report reflects control characters or invalid bytes:\n%q", r.stderr)
	}
}

func TestLearnNothingToLearn(t *testing.T) {
	r := corswasm(t, "just a log line\ncorswasm: observation {bad\n", "learn", "-")
	if r.code != exitProblems || r.stdout != "" || !strings.Contains(r.stderr, "no corswasm observation in 2 lines (1 line malformed); nothing proposed") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestLearnUsage(t *testing.T) {
	for _, args := range [][]string{{"learn"}, {"learn", "--segments", "-2", "-"}, {"learn", "--nope", "-"}, {"learn", "testdata/no-such-log"}} {
		if r := corswasm(t, "", args...); r.code != exitUsage || r.stderr == "" {
			t.Errorf("corswasm %q: exit %d, stderr %q; want %d and a message", args, r.code, r.stderr, exitUsage)
		}
	}
	if r := corswasm(t, "", "help"); !strings.Contains(r.stdout, "corswasm learn [--segments N]") {
		t.Errorf("usage lacks learn:\n%s", r.stdout)
	}
}

// docs/migrating.md's example of learn is what the command prints, in
// full, from the log it names (testdata/learn/envoy.log), whose first
// line it shows.
func TestLearnDocsExample(t *testing.T) {
	t.Chdir(repoRoot(t))
	doc, err := os.ReadFile(filepath.Join("docs", "migrating.md"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(learnFixture("envoy.log"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(log), "\n")
	if !strings.Contains(string(doc), "```\n"+first+"\n```") {
		t.Errorf("docs/migrating.md does not show the log's first line")
	}
	const learnCmd, catCmd = "$ corswasm learn envoy.log > cors.json\n", "$ cat cors.json\n"
	_, block, ok := strings.Cut(string(doc), learnCmd)
	if !ok {
		t.Fatalf("docs/migrating.md lacks %q", learnCmd)
	}
	wantReport, rest, _ := strings.Cut(block, "```")
	_, wantConfig, ok := strings.Cut(rest, catCmd)
	if !ok {
		t.Fatalf("docs/migrating.md lacks %q after the report", catCmd)
	}
	wantConfig, _, _ = strings.Cut(wantConfig, "```")
	r := corswasm(t, "", "learn", learnFixture("envoy.log"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if r.stderr != wantReport {
		t.Errorf("learn reports:\n%s\ndocs/migrating.md shows:\n%s", r.stderr, wantReport)
	}
	if r.stdout != wantConfig {
		t.Errorf("learn proposes:\n%s\ndocs/migrating.md shows:\n%s", r.stdout, wantConfig)
	}
}

// names indexes a configuration's rules by name.
func names(c *engine.Config) map[string]*engine.Rule {
	out := map[string]*engine.Rule{}
	for i := range c.Rules {
		out[c.Rules[i].Name] = &c.Rules[i]
	}
	return out
}
