package learn

import (
	"slices"
	"strings"
	"testing"
)

// echo is an answer echoing the origin, with Vary: Origin.
func echo(origin string, kv ...string) map[string][]string {
	return a(append([]string{hACAO, origin, hVary, "Origin"}, kv...)...)
}

func TestRisks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc      string
		obs       []*Observation
		want      []string // risk codes, in the report's order
		notOrigin string   // an origin the proposal must not allow
	}{
		{"fixed list: no risk",
			[]*Observation{act(host, "/", app, "GET", echo(app)), act(host, "/", "https://evil.example.org", "GET", a(hVary, "Origin"))},
			nil, ""},
		{"echoes three unrelated sites",
			[]*Observation{act(host, "/", app, "GET", echo(app)), act(host, "/", "https://a.example.org", "GET", echo("https://a.example.org")), act(host, "/", "https://b.example.net", "GET", echo("https://b.example.net"))},
			[]string{RiskReflectsAnyOrigin}, ""},
		{"two sites are too few to tell",
			[]*Observation{act(host, "/", app, "GET", echo(app)), act(host, "/", "https://a.example.org", "GET", echo("https://a.example.org"))},
			nil, ""},
		{"three subdomains of one site are one site",
			[]*Observation{act(host, "/", app, "GET", echo(app)), act(host, "/", adm, "GET", echo(adm)), act(host, "/", "https://c.example.com", "GET", echo("https://c.example.com"))},
			nil, ""},
		{"echoes a probe",
			[]*Observation{act(host, "/", app, "GET", echo(app)), act(host, "/", "https://probe.invalid", "GET", echo("https://probe.invalid"))},
			[]string{RiskReflectsAnyOrigin}, "https://probe.invalid"},
		{"null",
			[]*Observation{act(host, "/", "null", "GET", echo("null")), act(host, "/", app, "GET", echo(app))},
			[]string{RiskAllowsNullOrigin}, "null"},
		{"invalid origin echoed",
			[]*Observation{act(host, "/", "https://app.example.com/x", "GET", echo("https://app.example.com/x"))},
			[]string{RiskAllowsInvalidOrigin}, "https://app.example.com/x"},
		{"* with credentials",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, "*", hACAC, "true"))},
			[]string{RiskCredentialsWithAnyOrigin}, "*"},
		{"reflection with credentials, http origin left out",
			[]*Observation{
				act(host, "/", app, "GET", echo(app, hACAC, "true")),
				act(host, "/", "https://a.example.org", "GET", echo("https://a.example.org", hACAC, "true")),
				act(host, "/", "http://b.example.net", "GET", echo("http://b.example.net", hACAC, "true")),
			},
			[]string{RiskReflectsAnyOrigin, RiskCredentialsWithAnyOrigin}, "http://b.example.net"},
		{"no Vary: Origin on an echo",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, app, hVary, "Accept-Encoding"))},
			[]string{RiskMissingVaryOrigin}, ""},
		{"no Vary: Origin on a refusal of a service that allows some",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, app, hVary, "*")), act(host, "/", adm, "GET", a())},
			[]string{RiskMissingVaryOrigin}, ""},
		{"* needs no Vary",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, "*")), act(host, "/", adm, "GET", a(hACAO, "*"))},
			nil, ""},
		{"Access-Control-Allow-Headers *",
			[]*Observation{pre(host, "/", app, "GET", "x-a", 204, echo(app, hACAH, "*"))},
			[]string{RiskAllowsAnyRequestHeader}, ""},
		{"request headers echoed",
			[]*Observation{pre(host, "/", app, "GET", "x-a", 204, echo(app, hACAH, "x-a")), pre(host, "/", app, "GET", "x-b,x-c", 204, echo(app, hACAH, "x-c, x-b"))},
			[]string{RiskAllowsAnyRequestHeader}, ""},
		{"a fixed header list is no echo",
			[]*Observation{pre(host, "/", app, "GET", "x-a", 204, echo(app, hACAH, "x-a, x-b")), pre(host, "/", app, "GET", "x-b", 204, echo(app, hACAH, "x-a, x-b"))},
			nil, ""},
		{"the asked part of a fixed header list, and a refusal of another header, is no echo",
			[]*Observation{
				pre(host, "/", app, "PUT", "x-a", 200, echo(app, hACAM, "PUT", hACAH, "x-a")),
				pre(host, "/", app, "PUT", "x-b", 200, echo(app, hACAM, "PUT", hACAH, "x-b")),
				pre(host, "/", app, "PUT", "x-secret", 200, echo(app, hACAM, "PUT")),
			},
			nil, ""},
		{"the asked method of a fixed list, and a refusal of another method, is no echo",
			[]*Observation{
				pre(host, "/", app, "PUT", "", 200, echo(app, hACAM, "PUT")),
				pre(host, "/", app, "DELETE", "", 200, echo(app, hACAM, "DELETE")),
				pre(host, "/", app, "PATCH", "", 200, echo(app, hACAM, "PUT, DELETE")),
			},
			nil, ""},
		{"Access-Control-Allow-Methods *",
			[]*Observation{pre(host, "/", app, "PUT", "", 204, echo(app, hACAM, "*"))},
			[]string{RiskAllowsAnyMethod}, ""},
		{"methods echoed",
			[]*Observation{pre(host, "/", app, "PUT", "", 204, echo(app, hACAM, "PUT")), pre(host, "/", app, "FROB", "", 204, echo(app, hACAM, "FROB"))},
			[]string{RiskAllowsAnyMethod}, ""},
		{"one method asked, one allowed: no echo",
			[]*Observation{pre(host, "/", app, "PUT", "", 204, echo(app, hACAM, "PUT")), pre(host, "/", app, "PUT", "", 204, echo(app, hACAM, "PUT"))},
			nil, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			res := learnAll(t, Options{}, tc.obs...)
			if got := risksOf(res.Report, host); !slices.Equal(got, tc.want) {
				t.Errorf("risks %v; want %v", got, tc.want)
			}
			for _, k := range res.Report.Risks {
				if len(k.Evidence) == 0 || k.Message == "" || k.Service.Host != host || k.Service.Path != "/" {
					t.Errorf("risk %s lacks its evidence, message or service: %+v", k.Risk, k)
				}
			}
			c := proposal(t, res)
			if tc.notOrigin != "" && slices.Contains(c.AllowOrigins, tc.notOrigin) {
				t.Errorf("the proposal allows %q: %v", tc.notOrigin, c.AllowOrigins)
			}
			if slices.Contains(c.AllowHeaders, "*") || slices.Contains(c.AllowMethods, "*") {
				t.Errorf("the proposal allows any header or method: %s", res.Config)
			}
			if tc.notOrigin != "" && tc.notOrigin != "*" {
				s := serviceReport(t, res.Report, host, "/")
				if !strings.Contains(dropped(s), tc.notOrigin) {
					t.Errorf("the report does not name the dropped %q: %+v", tc.notOrigin, s.Dropped)
				}
			}
		})
	}
}

func dropped(s Service) string {
	var b strings.Builder
	for _, d := range s.Dropped {
		b.WriteString(d.Field + " " + d.Value + ": " + d.Reason + "\n")
	}
	return b.String()
}

// The proposal for * with credentials lists the origins seen, with
// credentials, and names the risk.
func TestStarWithCredentialsProposesTheOriginsSeen(t *testing.T) {
	t.Parallel()
	res := learnAll(t, Options{},
		act(host, "/", app, "GET", a(hACAO, "*", hACAC, "true")),
		act(host, "/", "null", "GET", a(hACAO, "*", hACAC, "true")))
	c := policyFor(t, res, host)
	if join(c.AllowOrigins) != app || c.AllowCredentials != nil && *c.AllowCredentials {
		t.Errorf("origins %v, credentials %v; want [%s] without credentials (a browser fails credentialed requests with *)", c.AllowOrigins, c.AllowCredentials, app)
	}
}

// Credentials to origins of two sites, none refused: reflection cannot be
// told from an allowlist, so it is reported as reflection.
func TestCredentialsToTwoSitesNeverRefusedIsReflection(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "reflect2.log")
	got := risksOf(res.Report, host)
	if !slices.Contains(got, RiskReflectsAnyOrigin) || !slices.Contains(got, RiskCredentialsWithAnyOrigin) {
		t.Fatalf("risks %v; want %s and %s", got, RiskReflectsAnyOrigin, RiskCredentialsWithAnyOrigin)
	}
	for _, k := range res.Report.Risks {
		if k.Risk == RiskReflectsAnyOrigin && (!strings.Contains(k.Message, "cannot be told from reflection without a refused origin") ||
			!strings.Contains(k.Message, "attacker.net: https://attacker.net; example.com: https://admin.example.com, https://app.example.com")) {
			t.Errorf("message %q", k.Message)
		}
	}
	// One refused origin tells an allowlist: no reflection.
	res = learnAll(t, Options{},
		act(host, "/", app, "GET", a(hACAO, app, hACAC, "true", hVary, "Origin")),
		act(host, "/", "https://partner.example.org", "GET", a(hACAO, "https://partner.example.org", hACAC, "true", hVary, "Origin")),
		act(host, "/", "https://other.example.net", "GET", a(hVary, "Origin")))
	if got := risksOf(res.Report, host); len(got) != 0 {
		t.Errorf("with a refused origin: risks %v; want none", got)
	}
}

// A refused Origin that no reflecting service would have echoed (junk,
// null) does not show an allowlist: a service echoing four sites with
// credentials still reflects any origin.
func TestJunkRefusalDoesNotHideReflection(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "junk-refusal.log")
	risks := risksOf(res.Report, "refl.corp.example")
	for _, want := range []string{RiskReflectsAnyOrigin, RiskCredentialsWithAnyOrigin} {
		if !slices.Contains(risks, want) {
			t.Errorf("risks %v; want %s", risks, want)
		}
	}
}
