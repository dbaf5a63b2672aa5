//go:build !wasip1

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// TestFrameworkLearnedMigration is the migration a team makes with
// `corswasm learn`, on every configuration of every framework app at once,
// as a fleet: each app (a service) behind its own proxy (a local host) with
// corswasm in audit mode, :authority <config>.<framework>.test; the learning
// corpus (every fetch of browserCorpus, as browsers send it) through each
// proxy; each proxy's log lines in a file, in the format a real proxy
// writes (framework_learn_logs_test.go); the corswasm command, `learn
// --json --report` on all the files, then `check` on its one proposal. The
// report's risks for each service's host are exactly its configs.json
// risks. Then the one proposal, enforcing (upstream_cors_headers
// "replace", the default), in front of each app, compared with the app
// directly over the comparison corpus: the learning corpus and fetches
// from origins it never had, so a vulnerable app's reflection of an unseen
// origin shows that the risk is not reproduced. Differences are those
// learnedDifferences lists (framework_learn_differences_test.go).
//
// What the audit policy allows does not matter: audit mode forwards every
// request and answer unchanged and records what the upstream answered, so
// the proxies' audit policies differ (auditPolicies).
func TestFrameworkLearnedMigration(t *testing.T) {
	requireLocalHost(t, "the framework apps speak HTTP to corswasm in the local host")
	cli := requireCLI(t)
	apps := readFrameworkApps(t)
	var starts []appStart
	for _, app := range apps {
		app.requireRuntime(t)
		for _, cfg := range app.Configs {
			starts = append(starts, appStart{app, cfg.Name})
		}
	}
	checkLearnedDifferences(t, starts)
	running := startFrameworkApps(t, starts)

	logDir := t.TempDir()
	logs := make([]string, len(starts))
	audited := t.Run("audit", func(t *testing.T) {
		for i, s := range starts {
			logs[i] = filepath.Join(logDir, s.app.Framework+"-"+s.config+".log")
			t.Run(s.key(), func(t *testing.T) {
				t.Parallel()
				lines := auditService(t, auditPolicies[i%len(auditPolicies)], s.authority(), running[i].url)
				writeProxyLog(t, logs[i], i, lines)
			})
		}
	})
	if !audited {
		t.FailNow()
	}

	proposal, report := runLearn(t, cli, logs)
	checkReportedRisks(t, starts, report)

	t.Run("enforce", func(t *testing.T) {
		corpus := comparisonCorpus()
		for i, s := range starts {
			t.Run(s.key(), func(t *testing.T) {
				t.Parallel()
				checkRiskNotReproduced(t, s, running[i].url, proposal)
				compareCorpus(t, s.key(), s.authority(), running[i].url, proposal, corpus, learnedKinds(s.key()))
			})
		}
	})
}

// auditPolicies are the proxies' audit policies, one after the other: what
// they allow differs, and must not matter.
var auditPolicies = []string{
	`{"mode": "audit", "allow_origins": ["https://app.example.com"]}`,
	`{"mode": "audit", "allow_origins": ["*"], "allow_methods": ["PUT"]}`,
	`{"mode": "audit", "allow_origins": ["https://other.example.net"], "allow_credentials": true, "allow_headers": ["x-secret"]}`,
}

func (s appStart) key() string       { return s.app.Framework + "/" + s.config }
func (s appStart) authority() string { return s.config + "." + s.app.Framework + ".test" }

// requireCLI is the corswasm command CORSWASM_CLI names (`make test` builds
// build/corswasm); without it the test skips, and fails under CI.
func requireCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv("CORSWASM_CLI")
	if cli == "" {
		msg := "CORSWASM_CLI is not set: `make corswasm` builds build/corswasm; set CORSWASM_CLI=$PWD/build/corswasm"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI must run the learned migration")
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("CORSWASM_CLI: %v", err)
	}
	return cli
}

// auditService sends the learning corpus to the app at upstream through a
// local host running policy (audit mode), and returns the module's info
// lines the host logged, as Envoy's log writes them.
func auditService(t *testing.T, policy, authority, upstream string) []string {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	upstreamTransport := frameworkTransport()
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: testmodule.Module(t), PluginConfig: []byte(policy), Upstream: u, LogOutput: &log,
		Transport: upstreamTransport,
	})
	if err != nil {
		t.Fatalf("starting a local host with %s: %v", policy, err)
	}
	srv := httptest.NewServer(h)
	defer func() {
		srv.Close()
		upstreamTransport.CloseIdleConnections()
		h.Close(context.Background())
	}()
	direct := &corpusSender{t: t, base: upstream, authority: authority}
	through := &corpusSender{t: t, base: srv.URL, authority: authority}
	for _, f := range browserCorpus() {
		// Audit mode changes nothing a browser sees.
		if fw, cw := browse(f, direct.send), browse(f, through.send); !fw.alike(cw) {
			t.Fatalf("%s: audit mode changed the answer:\n\tdirect: %s\n\taudit: %s", f, fw, cw)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	observations := 0
	for _, l := range lines {
		if strings.Contains(l, observationMarker) {
			observations++
		}
	}
	if observations == 0 {
		t.Fatalf("no observation line in the host's log:\n%s", log.String())
	}
	return lines
}

// runLearn runs `corswasm learn --json --report REPORT FILES...` and
// `corswasm check` on its proposal; it returns the proposal and the report.
func runLearn(t *testing.T, cli string, logs []string) ([]byte, learnReport) {
	t.Helper()
	dir := t.TempDir()
	reportFile, proposalFile := filepath.Join(dir, "report.json"), filepath.Join(dir, "proposal.json")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(cli, append([]string{"learn", "--json", "--report", reportFile}, logs...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("corswasm learn: %v\n%s", err, stderr.String())
	}
	proposal := stdout.Bytes()
	if err := os.WriteFile(proposalFile, proposal, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the proposal:\n%s", proposal)
	if out, err := exec.Command(cli, "check", proposalFile).CombinedOutput(); err != nil {
		t.Fatalf("corswasm check on the proposal: %v\n%s", err, out)
	}
	var top map[string]any
	if err := json.Unmarshal(proposal, &top); err != nil {
		t.Fatalf("the proposal: %v", err)
	}
	if m, ok := top["mode"]; ok && m != "enforce" {
		t.Errorf("the proposal's mode is %v; want it to enforce", m)
	}
	if u, ok := top["upstream_cors_headers"]; ok && u != "replace" {
		t.Errorf("the proposal's upstream_cors_headers is %v; want replace (the default)", u)
	}
	data, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	var report learnReport
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("the report: %v\n%s", err, data)
	}
	if report.Counts.Malformed != 0 {
		t.Errorf("learn found %d malformed lines in the proxies' logs", report.Counts.Malformed)
	}
	return proposal, report
}

// learnReport is what the test reads of learn's JSON report.
type learnReport struct {
	Counts struct {
		Malformed int `json:"malformed"`
	} `json:"counts"`
	Risks []struct {
		Service struct {
			Host string `json:"host"`
			Path string `json:"path"`
		} `json:"service"`
		Risk    string `json:"risk"`
		Message string `json:"message"`
	} `json:"risks"`
}

// checkReportedRisks checks that the risks the report names for each
// service's host are exactly its configuration's in configs.json.
func checkReportedRisks(t *testing.T, starts []appStart, report learnReport) {
	t.Helper()
	got := map[string][]string{}
	for _, r := range report.Risks {
		if !slices.Contains(got[r.Service.Host], r.Risk) {
			got[r.Service.Host] = append(got[r.Service.Host], r.Risk)
		}
	}
	for _, s := range starts {
		var want []string
		for _, c := range s.app.Configs {
			if c.Name == s.config {
				want = slices.Clone(c.Risks)
			}
		}
		have := got[s.authority()]
		delete(got, s.authority())
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(have, want) {
			t.Errorf("%s: learn reported the risks %q; configs.json says %q", s.key(), have, want)
			for _, r := range report.Risks {
				if r.Service.Host == s.authority() {
					t.Logf("\t%s %s: %s", r.Service.Path, r.Risk, r.Message)
				}
			}
		}
	}
	for host, risks := range got {
		t.Errorf("learn reported risks %q of %s, no service of the test", risks, host)
	}
}

// comparisonCorpus is the learning corpus and the same fetches from
// origins the learning corpus never had.
func comparisonCorpus() []browserFetch {
	corpus := browserCorpus()
	for _, route := range corpusRoutes {
		for _, method := range route.methods {
			for _, origin := range unseenOrigins {
				for _, headers := range corpusHeaderSets {
					for _, credentials := range []bool{false, true} {
						corpus = append(corpus, browserFetch{route.path, method, origin, headers, credentials})
					}
				}
			}
		}
	}
	return corpus
}

// unseenOrigins: a legitimate site and a hostile one that the learning
// corpus never sent.
var unseenOrigins = []string{"https://unseen.example.org", "https://attacker-unseen.example"}

// checkRiskNotReproduced checks that a hostile origin the learning corpus
// never sent cannot read a credentialed response through corswasm
// enforcing the proposal, where it can read the framework's directly when
// the configuration is the vulnerable one (credentials to any origin).
func checkRiskNotReproduced(t *testing.T, s appStart, upstream string, proposal []byte) {
	t.Helper()
	f := browserFetch{path: "/api/items", method: "GET", origin: unseenOrigins[1], credentials: true}
	direct := &corpusSender{t: t, base: upstream, authority: s.authority()}
	through := &corpusSender{t: t, base: startPolicyHost(t, upstream, proposal), authority: s.authority()}
	fw, cw := browse(f, direct.send), browse(f, through.send)
	if readable(cw) {
		t.Errorf("%s: through corswasm the page can read the response: %s", f, cw)
	}
	vulnerable := false
	for _, c := range s.app.Configs {
		vulnerable = vulnerable || c.Name == s.config && slices.Contains(c.Risks, "credentials_with_any_origin")
	}
	if vulnerable != readable(fw) {
		t.Errorf("%s: directly the page can read the response: %v (%s); configs.json says the configuration is vulnerable: %v",
			f, readable(fw), fw, vulnerable)
	}
}
