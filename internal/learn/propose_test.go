package learn

import (
	"regexp"
	"slices"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// ruleFor is the first rule of the proposal whose match takes the host
// and path, nil for the top level, as the filter picks.
func ruleFor(c *policy.Config, host, path string) *policy.Rule {
	for i := range c.Rules {
		if matches(c.Rules[i].Match, ServiceKey{Host: host, Path: path}) {
			return &c.Rules[i]
		}
	}
	return nil
}

func TestProposalGroupsServices(t *testing.T) {
	t.Parallel()
	top := func(h, p string) *Observation { return act(h, p, app, "GET", echo(app)) }
	partner := func(h, p string) *Observation {
		return act(h, p, "https://partner.example.org", "GET", echo("https://partner.example.org"))
	}
	res := learnAll(t, Options{},
		top("a.example.com", "/x/"), top("b.example.com:8443", "/x/"), top("c.example.com", "/y"),
		partner("P.example.com", "/v1/"), partner("q.example.com", "/v1/"), // same paths: one rule
		partner("r.example.com", "/v2/"), // other paths: a rule of its own
		// Recorded at two depths: the longer prefix must come first.
		partner("d.example.com", "/a/b/"), top("d.example.com", "/a/"), top("d.example.com", "/a/b/c/"),
	)
	c := proposal(t, res)
	if join(c.AllowOrigins) != app {
		t.Fatalf("top level %v; want the most common behaviour", c.AllowOrigins)
	}
	for _, tc := range []struct {
		host, path string
		origin     string // the origin allowed
		rule       bool
	}{
		{"a.example.com", "/x/", app, false},
		{"b.example.com", "/x/", app, false},
		{"p.example.com", "/v1/", "https://partner.example.org", true},
		{"q.example.com", "/v1/", "https://partner.example.org", true},
		{"r.example.com", "/v2/", "https://partner.example.org", true},
		{"d.example.com", "/a/b/", "https://partner.example.org", true},
		{"d.example.com", "/a/", app, false},
		{"d.example.com", "/a/b/c/", app, true},
	} {
		r := ruleFor(c, tc.host, tc.path)
		origins := c.AllowOrigins
		if r != nil {
			origins = r.AllowOrigins
		}
		if (r != nil) != tc.rule || join(origins) != tc.origin {
			t.Errorf("%s%s: rule %v, origins %v; want rule %v, %s", tc.host, tc.path, r != nil, origins, tc.rule, tc.origin)
		}
	}
	if p, q := ruleFor(c, "p.example.com", "/v1/"), ruleFor(c, "q.example.com", "/v1/"); p == nil || p != q {
		t.Errorf("p and q do the same on the same paths: one rule")
	}
	names := map[string]bool{}
	for _, r := range c.Rules {
		if !regexp.MustCompile(`^[a-z0-9-]{1,64}$`).MatchString(r.Name) || names[r.Name] {
			t.Errorf("rule name %q: not unique or not letters, digits and -", r.Name)
		}
		names[r.Name] = true
		if c.Mode != "" || r.Mode != "" || r.UpstreamCORSHeaders != "" || c.UpstreamCORSHeaders != "" {
			t.Errorf("mode or upstream_cors_headers set")
		}
	}
}

func TestPathBuckets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		n    int
		want string
	}{
		{"/billing/invoices/7", 1, "/billing/"},
		{"/billing/invoices/7", 2, "/billing/invoices/"},
		{"/billing/invoices/7", 0, "/"},
		{"/billing", 1, "/billing"},
		{"/billing/", 1, "/billing/"},
		{"/", 3, "/"},
	} {
		if got := bucket(tc.path, tc.n); got != tc.want {
			t.Errorf("bucket(%q, %d) = %q; want %q", tc.path, tc.n, got, tc.want)
		}
	}
}

func TestSegmentsRebucket(t *testing.T) {
	t.Parallel()
	obs := []*Observation{
		act("a.example.com", "/v1/users/", "https://partner.example.org", "GET", echo("https://partner.example.org")),
		act("a.example.com", "/v1/orders/", "https://partner.example.org", "GET", echo("https://partner.example.org")),
		act("b.example.com", "/", app, "GET", echo(app)),
		act("c.example.com", "/", app, "GET", echo(app)),
	}
	res := learnAll(t, Options{Segments: ptr(1)}, obs...)
	if res.Report.Counts.Services != 3 {
		t.Errorf("services %d; want 3 (a's paths in one bucket)", res.Report.Counts.Services)
	}
	c := proposal(t, res)
	if len(c.Rules) != 1 || !slices.Equal(c.Rules[0].Match.PathPrefixes, []string{"/v1/"}) || len(c.Rules[0].Match.Paths) != 0 {
		t.Errorf("rules %+v; want one for prefix /v1/", c.Rules)
	}
	res = learnAll(t, Options{Segments: ptr(4)}, obs...)
	if len(res.Report.Notes) < 2 {
		t.Errorf("asking for more segments than recorded is not said: %q", res.Report.Notes)
	}
	// With 0 segments every path is "/": a rule matches its hosts alone.
	res = learnAll(t, Options{Segments: ptr(0)}, obs...)
	c = proposal(t, res)
	if len(c.Rules) != 1 || c.Rules[0].Match.Paths != nil || c.Rules[0].Match.PathPrefixes != nil {
		t.Errorf("rules %+v; want one matching a.example.com alone", c.Rules)
	}
}

// A service no rule can match is left to the top level and said.
func TestUnusableServices(t *testing.T) {
	t.Parallel()
	cut := act("x.example.com", "/", "https://partner.example.org", "GET", echo("https://partner.example.org"))
	cut.Cut = []string{"host"}
	res := learnAll(t, Options{},
		act("a.example.com", "/", app, "GET", echo(app)),
		act("bad host", "/p q", "https://partner.example.org", "GET", echo("https://partner.example.org")),
		cut)
	if c := proposal(t, res); len(c.Rules) != 0 {
		t.Errorf("rules %+v; want none", c.Rules)
	}
	for _, h := range []string{"bad host", "x.example.com"} {
		var s Service
		for _, x := range res.Report.Services {
			if x.Host == h {
				s = x
			}
		}
		if len(s.Policy) < len("top level (") || s.Policy[:11] != "top level (" {
			t.Errorf("%s: policy %q; want the top level, and why", h, s.Policy)
		}
	}
}

func TestNoObservations(t *testing.T) {
	t.Parallel()
	res, err := LearnObservations(nil, Options{})
	if err != ErrNoObservations || res == nil || res.Report == nil || res.Config != nil {
		t.Errorf("got %v, %v; want ErrNoObservations with a report", res, err)
	}
}

// A rule with credentials under a top level exposing "*" does not inherit
// it: corswasm refuses "*" with credentials.
func TestRuleWithCredentialsDoesNotInheritExposeStar(t *testing.T) {
	t.Parallel()
	star := func(h string) *Observation { return act(h, "/", app, "GET", a(hACAO, "*", hACEH, "*")) }
	creds := pre("z.example.com", "/", app, "PUT", "", 204, echo(app, hACAC, "true", hACAM, "PUT"))
	res := learnAll(t, Options{}, star("a.example.com"), star("b.example.com"), creds)
	c := proposal(t, res)
	if join(c.ExposeHeaders) != "*" || len(c.Rules) != 1 || c.Rules[0].ExposeHeaders == nil || len(c.Rules[0].ExposeHeaders) != 0 {
		t.Errorf("top expose %v, rules %+v; want * at the top, none in the rule", c.ExposeHeaders, c.Rules)
	}
}
