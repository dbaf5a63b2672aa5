package learn

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

const (
	host = "api.example.com"
	app  = "https://app.example.com"
	adm  = "https://admin.example.com"
)

// Each case is one service's observations and what the proposal's top
// level must be: the same observations on a second host make the
// behaviour the top level's (two hosts share it).
func TestInference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		obs  []*Observation
		want func(t *testing.T, res *Result)
	}{
		{"exact origins with credentials",
			[]*Observation{
				act(host, "/", app, "GET", a(hACAO, app, hACAC, "true", hVary, "Origin")),
				act(host, "/", adm, "GET", a(hACAO, adm, hACAC, "true", hVary, "Origin")),
				act(host, "/", "https://other.example.org", "GET", a(hVary, "Origin")),
			},
			func(t *testing.T, res *Result) {
				c := policyFor(t, res, host)
				if join(c.AllowOrigins) != adm+","+app || c.AllowCredentials == nil || !*c.AllowCredentials {
					t.Errorf("origins %v, credentials %v", c.AllowOrigins, c.AllowCredentials)
				}
			}},
		{"* without credentials is faithful",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, "*")), act(host, "/", adm, "GET", a(hACAO, "*"))},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); join(c.AllowOrigins) != "*" || c.AllowCredentials != nil && *c.AllowCredentials {
					t.Errorf("origins %v, credentials %v; want [*] and none", c.AllowOrigins, c.AllowCredentials)
				}
			}},
		{"a combined or mismatched Access-Control-Allow-Origin fails the CORS check",
			[]*Observation{
				act(host, "/", app, "GET", a(hACAO, app, hACAO, app)),
				act(host, "/", adm, "GET", a(hACAO, adm+"/")),
				act(host, "/", "https://x.example.com", "GET", a(hACAO, "https://X.example.com")),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); len(c.AllowOrigins) != 0 {
					t.Errorf("origins %v; want none", c.AllowOrigins)
				}
			}},
		{"methods from accepted preflights, safelisted ones left out",
			[]*Observation{
				pre(host, "/", app, "PUT", "", 204, a(hACAO, app, hACAM, "GET, PUT,DELETE", hACAM, "PATCH")),
				pre(host, "/", app, "POST", "", 204, a(hACAO, app)),
				pre(host, "/", app, "PURGE", "", 403, a(hACAO, app, hACAM, "PURGE")),
				pre(host, "/", app, "MOVE", "", 204, a(hACAO, app, hACAM, "COPY")),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); join(c.AllowMethods) != "DELETE,PATCH,PUT" {
					t.Errorf("methods %v; want DELETE, PATCH, PUT", c.AllowMethods)
				}
			}},
		{"a preflight answered without Access-Control-Allow-Methods allows no method that is not safelisted",
			[]*Observation{
				pre(host, "/", app, "PUT", "", 200, a(hACAO, app, hACAM, "PUT")),
				pre(host, "/", app, "PATCH", "", 200, a(hACAO, app)),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); join(c.AllowMethods) != "PUT" {
					t.Errorf("methods %v; want PUT (fetch() fails PATCH without Access-Control-Allow-Methods)", c.AllowMethods)
				}
			}},
		{"request headers, lower-cased; * lists those asked",
			[]*Observation{
				pre(host, "/", app, "GET", "X-A", 200, a(hACAO, app, hACAH, "X-A, Content-Type")),
				pre(host, "/", app, "GET", "x-b", 200, a(hACAO, app, hACAH, "*")),
				pre(host, "/", app, "GET", "x-c, authorization", 200, a(hACAO, app, hACAH, "*")),
			},
			func(t *testing.T, res *Result) {
				c := policyFor(t, res, host)
				if join(c.AllowHeaders) != "content-type,x-a,x-b" {
					t.Errorf("headers %v; want content-type, x-a, x-b (authorization is never allowed by *)", c.AllowHeaders)
				}
				if c.PreflightStatus == nil || *c.PreflightStatus != 200 {
					t.Errorf("preflight_status %v; want 200", c.PreflightStatus)
				}
			}},
		{"exposed headers from actual responses",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, app, hACEH, "X-Request-Id, ETag")), act(host, "/", app, "GET", a(hACAO, app, hACEH, "x-trace"))},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); join(c.ExposeHeaders) != "etag,x-request-id,x-trace" {
					t.Errorf("expose %v", c.ExposeHeaders)
				}
			}},
		{"max age: the most common, capped at 86400",
			[]*Observation{
				pre(host, "/", app, "PUT", "", 204, a(hACAO, app, hACAM, "PUT", hACMA, "100000")),
				pre(host, "/", adm, "PUT", "", 204, a(hACAO, adm, hACAM, "PUT", hACMA, "100000")),
				pre(host, "/", adm, "PUT", "", 204, a(hACAO, adm, hACAM, "PUT", hACMA, "600", hVary, "origin")),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); c.MaxAge == nil || *c.MaxAge != 86400 {
					t.Errorf("max_age %v; want 86400", c.MaxAge)
				}
				if s := serviceReport(t, res.Report, host, "/"); !strings.Contains(join(s.Notes), "above corswasm's limit") {
					t.Errorf("notes %q", s.Notes)
				}
			}},
		{"private network access",
			[]*Observation{
				func() *Observation {
					o := pre(host, "/", app, "GET", "", 204, a(hACAO, app, hACPN, "true"))
					o.RequestPrivateNetwork = true
					return o
				}(),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); c.AllowPrivateNetwork == nil || !*c.AllowPrivateNetwork {
					t.Errorf("allow_private_network %v", c.AllowPrivateNetwork)
				}
			}},
		{"a private network preflight without the answer is refused",
			[]*Observation{
				func() *Observation {
					o := pre(host, "/", app, "PUT", "", 204, a(hACAO, app, hACAM, "PUT"))
					o.RequestPrivateNetwork = true
					return o
				}(),
			},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); len(c.AllowMethods) != 0 || c.AllowPrivateNetwork != nil && *c.AllowPrivateNetwork {
					t.Errorf("methods %v, pna %v; want none", c.AllowMethods, c.AllowPrivateNetwork)
				}
			}},
		{"an odd preflight status is reported, not proposed",
			[]*Observation{pre(host, "/", app, "PUT", "", 202, a(hACAO, app, hACAM, "PUT"))},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); c.PreflightStatus != nil {
					t.Errorf("preflight_status %v", *c.PreflightStatus)
				}
				if s := serviceReport(t, res.Report, host, "/"); !strings.Contains(join(s.Notes), "202") {
					t.Errorf("notes %q", s.Notes)
				}
			}},
		{"what was never observed is said",
			[]*Observation{act(host, "/", app, "GET", a(hACAO, app))},
			func(t *testing.T, res *Result) {
				s := serviceReport(t, res.Report, host, "/")
				got := join(s.NeverObserved)
				for _, want := range []string{"no preflight seen", "no answer allowed credentials"} {
					if !strings.Contains(got, want) {
						t.Errorf("never observed %q lacks %q", got, want)
					}
				}
				if s.Does.Methods != nil || s.Evidence.Origins != 1 || s.Evidence.AcceptedActual != 1 {
					t.Errorf("does %+v, evidence %+v", s.Does, s.Evidence)
				}
			}},
		{"a cut origin is never proposed",
			[]*Observation{func() *Observation {
				o := act(host, "/", app, "GET", a(hACAO, app))
				o.Cut = []string{"origin"}
				return o
			}()},
			func(t *testing.T, res *Result) {
				if c := policyFor(t, res, host); len(c.AllowOrigins) != 0 {
					t.Errorf("origins %v", c.AllowOrigins)
				}
			}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			tc.want(t, learnAll(t, Options{}, onTwoHosts(tc.obs)...))
		})
	}
}

func TestOriginSyntax(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		origin          string
		valid, loopback bool
		site            string
		plausible       bool
	}{
		{"https://app.example.com", true, false, "example.com", true},
		{"https://a.b.example.co.uk:8443", true, false, "example.co.uk", true},
		{"http://localhost:3000", true, true, "localhost", true},
		{"http://127.0.0.1:8080", true, true, "127.0.0.1", true},
		{"http://[::1]", true, true, "[::1]", true},
		{"https://x.invalid", true, false, "invalid", false},
		{"https://evil.notarealtld", true, false, "evil.notarealtld", false},
		{"https://App.example.com", false, false, "", false},
		{"https://app.example.com:443", false, false, "", false},
		{"https://app.example.com/", false, false, "", false},
		{"https://user@app.example.com", false, false, "", false},
		{"app.example.com", false, false, "", false},
		{"null", false, false, "", false},
		{"https://[::0001]", false, false, "", false},
		{"https://bücher.example", false, false, "", false},
	} {
		so, ok := parseOrigin(tc.origin)
		if ok != tc.valid {
			t.Errorf("parseOrigin(%q): %v; want %v", tc.origin, ok, tc.valid)
			continue
		}
		if !ok {
			continue
		}
		if so.loopback() != tc.loopback || so.site() != tc.site || so.plausible() != tc.plausible {
			t.Errorf("%q: loopback %v, site %q, plausible %v; want %v, %q, %v", tc.origin, so.loopback(), so.site(), so.plausible(), tc.loopback, tc.site, tc.plausible)
		}
	}
}

// onTwoHosts is the observations, and the same on a second host.
func onTwoHosts(obs []*Observation) []*Observation {
	out := slices.Clone(obs)
	for _, o := range obs {
		c := *o
		c.Host = "api2.example.com"
		out = append(out, &c)
	}
	return out
}

// policyFor is the policy the proposal gives the host: its rule's fields,
// or the top level's when no rule names it.
func policyFor(t *testing.T, res *Result, h string) *engine.Config {
	t.Helper()
	c := proposal(t, res)
	for _, r := range c.Rules {
		if slices.Contains(r.Match.Hosts, h) {
			return &r.Config
		}
	}
	return c
}

// A preflight answered without Access-Control-Allow-Methods allows no
// method that is not CORS-safelisted (Fetch §4.8, CORS-preflight fetch).
func TestMissingAllowMethodsAllowsNoMethod(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "noacam.log")
	s := serviceReport(t, res.Report, host, "/v1/")
	if s.Evidence.AcceptedPreflights != 0 || s.Does.Methods == nil || len(*s.Does.Methods) != 0 {
		t.Errorf("accepted preflights %d, methods %v; want none", s.Evidence.AcceptedPreflights, s.Does.Methods)
	}
	if c := policyFor(t, res, host); len(c.AllowMethods) != 0 {
		t.Errorf("proposed methods %v; want none", c.AllowMethods)
	}
}

// With credentials, the proposal lists only the origins seen allowed with
// them; one that only got "*" is left out and named.
func TestCredentialsOnlyForOriginsSeenWithThem(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "partial.log")
	c := policyFor(t, res, host)
	if join(c.AllowOrigins) != app || c.AllowCredentials == nil || !*c.AllowCredentials {
		t.Errorf("origins %v, credentials %v; want [%s] with credentials", c.AllowOrigins, c.AllowCredentials, app)
	}
	s := serviceReport(t, res.Report, host, "/v1/")
	if len(s.Dropped) != 1 || s.Dropped[0].Value != "https://public.example.org" || !strings.Contains(s.Dropped[0].Reason, "never seen allowed with credentials") {
		t.Errorf("dropped %+v; want https://public.example.org, never seen with credentials", s.Dropped)
	}
}

// A value the filter cut is never proposed: an origin (even one answered
// "*"), a method, request headers.
func TestCutValuesAreNeverProposed(t *testing.T) {
	t.Parallel()
	res := learnFile(t, "cutorigin.log")
	for _, o := range policyFor(t, res, host).AllowOrigins {
		if strings.HasPrefix(o, "https://xy.") {
			t.Errorf("the cut origin %q is proposed", o)
		}
	}
	long := "X-" + strings.Repeat("a", 254)
	cutMethod := pre(host, "/", app, "PURGE"+strings.Repeat("X", 251), long, 204, a(hACAO, app, hACAM, "*", hACAH, "*", hVary, "Origin"))
	cutMethod.Cut = []string{"method", "request_headers"}
	res = learnAll(t, Options{}, cutMethod, pre(host, "/", app, "PUT", "x-a", 204, a(hACAO, app, hACAM, "PUT", hACAH, "x-a", hVary, "Origin")))
	c := policyFor(t, res, host)
	if join(c.AllowMethods) != "PUT" || join(c.AllowHeaders) != "x-a" {
		t.Errorf("methods %v, headers %v; want PUT and x-a, nothing cut", c.AllowMethods, c.AllowHeaders)
	}
}
