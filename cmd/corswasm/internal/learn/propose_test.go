package learn

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// ruleFor is the first rule of the proposal whose match takes the host
// and path, nil for the top level, as the filter picks.
func ruleFor(c *engine.Config, host, path string) *engine.Rule {
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
	if c.AllowOrigins == nil || len(c.AllowOrigins) != 0 {
		t.Fatalf("top level %v; want no origin: a host is what a client sends", c.AllowOrigins)
	}
	for _, tc := range []struct {
		host, path string
		origin     string // the origin allowed
		rule       bool
	}{
		{"a.example.com", "/x/", app, true},
		{"b.example.com", "/x/", app, true},
		{"p.example.com", "/v1/", "https://partner.example.org", true},
		{"q.example.com", "/v1/", "https://partner.example.org", true},
		{"r.example.com", "/v2/", "https://partner.example.org", true},
		{"d.example.com", "/a/b/", "https://partner.example.org", true},
		{"d.example.com", "/a/", app, true},
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
	// Hosts doing the same on the same paths share one rule (apart from
	// d.example.com's nested paths, which may keep rules apart).
	c = proposal(t, learnAll(t, Options{}, top("a.example.com", "/x/"), top("b.example.com:8443", "/x/"),
		partner("P.example.com", "/v1/"), partner("q.example.com", "/v1/"), partner("r.example.com", "/v2/")))
	if p, q := ruleFor(c, "p.example.com", "/v1/"), ruleFor(c, "q.example.com", "/v1/"); p == nil || p != q {
		t.Errorf("p and q do the same on the same paths: one rule")
	}
	if a, b := ruleFor(c, "a.example.com", "/x/"), ruleFor(c, "b.example.com", "/x/"); a == nil || a != b {
		t.Errorf("a and b do the same on the same paths: one rule")
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
	if r := ruleFor(c, "a.example.com", "/v1/x"); r == nil || !slices.Equal(r.Match.PathPrefixes, []string{"/v1/"}) || len(r.Match.Paths) != 0 {
		t.Errorf("rules %+v; want one for a.example.com's prefix /v1/", c.Rules)
	}
	res = learnAll(t, Options{Segments: ptr(4)}, obs...)
	if len(res.Report.Notes) < 2 {
		t.Errorf("asking for more segments than recorded is not said: %q", res.Report.Notes)
	}
	// With 0 segments every path is "/": a rule matches its hosts alone.
	res = learnAll(t, Options{Segments: ptr(0)}, obs...)
	c = proposal(t, res)
	if r := ruleFor(c, "a.example.com", "/anything"); r == nil || r.Match.Paths != nil || r.Match.PathPrefixes != nil || !slices.Equal(r.Match.Hosts, []string{"a.example.com"}) {
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
	for _, r := range proposal(t, res).Rules {
		if !slices.Equal(r.Match.Hosts, []string{"a.example.com"}) {
			t.Errorf("rule %+v; want none but a.example.com's", r)
		}
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

// A rule with credentials never exposes "*", which corswasm refuses with
// credentials, beside a rule that does.
func TestRuleWithCredentialsDoesNotInheritExposeStar(t *testing.T) {
	t.Parallel()
	star := func(h string) *Observation { return act(h, "/", app, "GET", a(hACAO, "*", hACEH, "*")) }
	creds := pre("z.example.com", "/", app, "PUT", "", 204, echo(app, hACAC, "true", hACAM, "PUT"))
	res := learnAll(t, Options{}, star("a.example.com"), star("b.example.com"), creds)
	c := proposal(t, res)
	if r := ruleFor(c, "a.example.com", "/"); r == nil || join(r.ExposeHeaders) != "*" {
		t.Errorf("rules %+v; want * exposed for a.example.com", c.Rules)
	}
	if r := ruleFor(c, "z.example.com", "/"); r == nil || len(r.ExposeHeaders) != 0 {
		t.Errorf("rules %+v; want none exposed for z.example.com", c.Rules)
	}
}

// learnFile runs Learn on a file of testdata/.
func learnFile(t *testing.T, name string) *Result {
	t.Helper()
	res, err := Learn([]Input{{Name: name, R: strings.NewReader(readTestdata(t, name))}}, Options{})
	if err != nil {
		t.Fatalf("Learn %s: %v", name, err)
	}
	mustCheck(t, res.Config)
	return res
}

// A client creates path buckets and hosts at will: the top level allows no
// origin, and a reflecting service's origins stay in its own rule.
func TestTopLevelIsWhatMostHostsDo(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "vote.log") // three hosts allow app; one host, five buckets, evil
	c := proposal(t, res)
	if c.AllowOrigins == nil || len(c.AllowOrigins) != 0 || c.AllowCredentials != nil {
		t.Errorf("top level: origins %v, credentials %v; want no origin", c.AllowOrigins, c.AllowCredentials)
	}
	for _, r := range c.Rules {
		if slices.Contains(r.AllowOrigins, "https://evil.example.net") && !slices.Equal(r.Match.Hosts, []string{"refl.example.com"}) {
			t.Errorf("rule %s gives evil.example.net to %v", r.Name, r.Match.Hosts)
		}
	}
	if s := serviceReport(t, res.Report, "refl.example.com", "/z0/"); !strings.HasPrefix(s.Policy, "rule ") {
		t.Errorf("refl.example.com/z0/: policy %q; want a rule of its own", s.Policy)
	}
}

// One host alone, however many buckets, does not make the top level, nor
// does a behaviour with a risk: the top level then allows no origin and
// every service gets its rule.
func TestTopLevelNeedsTwoHostsWithoutRisk(t *testing.T) {
	t.Parallel()
	var obs []*Observation
	for _, p := range []string{"/a/", "/b/", "/c/"} {
		obs = append(obs, act(host, p, app, "GET", a(hACAO, app, hVary, "Origin")))
	}
	for _, h := range []string{"x.example.com", "y.example.com", "z.example.com"} {
		obs = append(obs, act(h, "/", "null", "GET", a(hACAO, "null", hVary, "Origin")))
	}
	res := learnAll(t, Options{}, obs...)
	c := proposal(t, res)
	if c.AllowOrigins == nil || len(c.AllowOrigins) != 0 || !strings.Contains(string(res.Config), `"allow_origins": []`) {
		t.Errorf("top level origins %v; want []\n%s", c.AllowOrigins, res.Config)
	}
	for _, s := range res.Report.Services {
		if !strings.HasPrefix(s.Policy, "rule ") {
			t.Errorf("%s%s: policy %q; want a rule", s.Host, s.Path, s.Policy)
		}
	}
}

// A tie between behaviours goes to the narrower one.
func TestTopLevelTieGoesToTheNarrower(t *testing.T) {
	t.Parallel()
	res := learnAll(t, Options{},
		act("a.example.com", "/", app, "GET", a(hACAO, app, hACAC, "true", hVary, "Origin")),
		act("b.example.com", "/", app, "GET", a(hACAO, app, hACAC, "true", hVary, "Origin")),
		act("c.example.com", "/", app, "GET", a(hACAO, app, hVary, "Origin")),
		act("d.example.com", "/", app, "GET", a(hACAO, app, hVary, "Origin")))
	if c := proposal(t, res); c.AllowCredentials != nil && *c.AllowCredentials {
		t.Errorf("top level allows credentials; want the narrower behaviour, without")
	}
}

// A host with a trailing dot is the same host, as the filter matches it:
// one service, whose origins the rule for the host lists.
func TestHostsCompareAsTheFilterDoes(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "dot.log")
	for _, s := range res.Report.Services {
		if strings.HasSuffix(s.Host, ".") {
			t.Errorf("service %s%s: the host keeps its trailing dot", s.Host, s.Path)
		}
	}
	s := serviceReport(t, res.Report, host, "/v1/")
	if s.Evidence.Observations != 2 || !strings.HasPrefix(s.Policy, "rule ") {
		t.Errorf("%s/v1/: %d observations, policy %q; want 2 and a rule of its own", host, s.Evidence.Observations, s.Policy)
	}
	for _, h := range []struct{ in, want string }{{"API.example.com.:8443", host}, {"[::1]:80", "[::1]"}, {"a.example.com:x", "a.example.com"}} {
		if got := hostOf(h.in); got != h.want {
			t.Errorf("hostOf(%q) = %q; want %q", h.in, got, h.want)
		}
	}
}

// The rule index picks the rule a scan of the rules in order picks.
func TestRuleIndexPicksAsTheRulesInOrder(t *testing.T) {
	t.Parallel()
	rules := []proposedRule{
		{Match: engine.Match{Hosts: []string{"a.example.com"}, PathPrefixes: []string{"/a/b/"}}},
		{Match: engine.Match{Hosts: []string{"a.example.com", "b.example.com"}, Paths: []string{"/a/b/c"}}},
		{Match: engine.Match{Hosts: []string{"a.example.com"}, PathPrefixes: []string{"/a/"}}},
		{Match: engine.Match{PathPrefixes: []string{"/x"}}},
		{Match: engine.Match{Hosts: []string{"b.example.com"}}},
		{Match: engine.Match{PathPrefixes: []string{"/"}}},
	}
	x := newRuleIndex(rules)
	for _, h := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		for _, p := range []string{"/", "/a", "/a/", "/a/b", "/a/b/", "/a/b/c", "/a/b/c/d", "/x", "/xy/", "/y/"} {
			want := -1
			for i := range rules {
				if matches(&rules[i].Match, ServiceKey{Host: h, Path: p}) {
					want = i
					break
				}
			}
			if got := x.first(ServiceKey{Host: h, Path: p}); got != want {
				t.Errorf("%s%s: rule %d; want %d", h, p, got, want)
			}
		}
	}
}

// The report says why the top level allows no origin.
func TestEmptyTopLevelIsExplained(t *testing.T) {
	t.Parallel()
	res := learnAll(t, Options{}, act(host, "/", app, "GET", echo(app)))
	if !slices.ContainsFunc(res.Report.Notes, func(n string) bool { return strings.Contains(n, "the top level allows no origin") }) {
		t.Errorf("notes %q; want the empty top level explained", res.Report.Notes)
	}
}

// A host is whatever :authority a client sends: a client answered by a
// reflecting upstream under five made-up hosts gets its origin nowhere but
// in those hosts' rules.
func TestFabricatedHostsDoNotMakeTheTopLevel(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "fabricated-hosts.log")
	c := proposal(t, res)
	if len(c.AllowOrigins) != 0 || c.AllowCredentials != nil && *c.AllowCredentials {
		t.Errorf("top level: origins %v, credentials %v; want no origin", c.AllowOrigins, c.AllowCredentials)
	}
	for _, r := range c.Rules {
		if !slices.Contains(r.AllowOrigins, "https://evil.attacker.test") {
			continue
		}
		for _, h := range r.Match.Hosts {
			if !strings.HasSuffix(h, ".attacker.test") {
				t.Errorf("rule %s gives https://evil.attacker.test to %s", r.Name, h)
			}
		}
	}
}
