package engine

import (
	"slices"
	"strings"
	"testing"
)

// compareCase is a request, the upstream's answer to it, and how
// CompareUpstream must find it to differ from the policy's.
type compareCase struct {
	desc string
	cfg  string
	req  *Request
	up   UpstreamAnswer
	want Disagreement
}

func compareCases() []compareCase {
	const (
		cfg     = `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT", "DELETE"], "allow_headers": ["content-type", "x-a"], "allow_private_network": true}`
		credCfg = `{"allow_origins": ["https://app.example.com"], "allow_credentials": true}`
	)
	good := UpstreamAnswer{Status: 204, AllowOrigin: []string{appOrigin}, AllowMethods: []string{"PUT, DELETE"}, AllowHeaders: []string{"content-type, x-a"}}
	with := func(f func(u *UpstreamAnswer)) UpstreamAnswer {
		u := good
		f(&u)
		return u
	}
	pna := preflight(appOrigin, "PUT")
	pna.RequestPrivateNetwork = "true"
	return []compareCase{
		{"same answer", cfg, preflight(appOrigin, "PUT", "x-a"), good, 0},
		{"same sets, other order, case and safelisted methods", cfg, preflight(appOrigin, "PUT", "x-a"),
			with(func(u *UpstreamAnswer) {
				u.Status = 200
				u.AllowMethods = []string{"GET, DELETE", "PUT, POST"}
				u.AllowHeaders = []string{"X-A,Content-Type"}
			}), 0},
		{"upstream refuses: status", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.Status = 404 }), PreflightVerdict},
		{"upstream refuses: no allow-origin", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowOrigin = nil }), PreflightVerdict},
		{"upstream refuses: two allow-origin lines", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowOrigin = []string{appOrigin, appOrigin} }), PreflightVerdict},
		{"upstream refuses: method", cfg, preflight(appOrigin, "DELETE"), with(func(u *UpstreamAnswer) { u.AllowMethods = []string{"PUT"} }), PreflightVerdict},
		{"upstream refuses: header", cfg, preflight(appOrigin, "PUT", "x-a"), with(func(u *UpstreamAnswer) { u.AllowHeaders = []string{"content-type"} }), PreflightVerdict},
		{"upstream refuses: private network", cfg, pna, good, PreflightVerdict},
		{"upstream refuses: malformed methods", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowMethods = []string{"PUT DELETE"} }), PreflightVerdict},
		{"policy refuses, upstream allows anyone", cfg, preflight(evilOrigin, "PUT"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{"*"}, AllowMethods: []string{"*"}}, PreflightVerdict},
		{"both refuse", cfg, preflight(evilOrigin, "PUT"), UpstreamAnswer{Status: 403}, 0},
		{"other origin value", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowOrigin = []string{"*"} }), PreflightOrigin},
		{"more methods", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowMethods = []string{"PUT, DELETE, PATCH"} }), PreflightMethods},
		{"fewer headers", cfg, preflight(appOrigin, "PUT"), with(func(u *UpstreamAnswer) { u.AllowHeaders = []string{"x-a"} }), PreflightHeaders},
		{"origin, methods and headers", cfg, preflight(appOrigin, "PUT"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}},
			PreflightOrigin | PreflightMethods | PreflightHeaders},
		{"wildcards do not count with credentials", credCfg, preflight(appOrigin, "PATCH"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{appOrigin}, AllowCredentials: []string{"true"}, AllowMethods: []string{"*"}}, 0},
		{"credentials missing upstream", credCfg, preflight(appOrigin, "GET"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{appOrigin}}, PreflightVerdict},
		{"star never covers authorization", `{"allow_origins": ["*"]}`, preflight(appOrigin, "GET", "authorization"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{"*"}, AllowHeaders: []string{"*"}}, 0},

		{"actual: same", credCfg, actual("GET", appOrigin),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{appOrigin}, AllowCredentials: []string{"true"}}, 0},
		{"actual: upstream sends nothing", credCfg, actual("GET", appOrigin), UpstreamAnswer{Status: 200}, ActualOrigin | ActualCredentials},
		{"actual: upstream without credentials", credCfg, actual("GET", appOrigin),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{appOrigin}}, ActualCredentials},
		{"actual: upstream allows a disallowed origin", cfg, actual("GET", evilOrigin),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{"*"}}, ActualOrigin},
		{"actual: both disallow", cfg, actual("GET", evilOrigin), UpstreamAnswer{Status: 500}, 0},
		{"not CORS", cfg, &Request{Method: "GET"}, UpstreamAnswer{Status: 200, AllowOrigin: []string{"*"}}, 0},
		// Enforcing would have let these answers through: no disagreement.
		{"forwarded preflight", `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward"}`, preflight(evilOrigin, "PUT"),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{evilOrigin}, AllowMethods: []string{"PUT"}}, 0},
		{"kept upstream headers", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`, actual("GET", evilOrigin),
			UpstreamAnswer{Status: 200, AllowOrigin: []string{evilOrigin}}, 0},
		{"keep, but the upstream sent nothing", `{"allow_origins": ["https://app.example.com"], "upstream_cors_headers": "keep"}`, actual("GET", appOrigin),
			UpstreamAnswer{Status: 200}, ActualOrigin},
	}
}

func TestCompareUpstream(t *testing.T) {
	t.Parallel()
	for _, tc := range compareCases() {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := mustLoad(t, tc.cfg)
			var d Decision
			p.Evaluate(tc.req, &d)
			if got := CompareUpstream(tc.req, &d, &tc.up); got != tc.want {
				t.Errorf("CompareUpstream = %v; want %v", got, tc.want)
			}
		})
	}
}

// TestCompareUpstreamDoesNotAllocate: audit mode compares every audited
// response; the comparison reads the lists in place. Not parallel:
// testing.AllocsPerRun counts every allocation of the process.
func TestCompareUpstreamDoesNotAllocate(t *testing.T) {
	cases := append(compareCases(),
		compareCase{"echoed headers over several lines", credConfig, preflight(appOrigin, "PATCH", "x-a", "x-b, X-C"),
			UpstreamAnswer{Status: 204, AllowOrigin: []string{appOrigin}, AllowCredentials: []string{"true"},
				AllowMethods: []string{"PATCH"}, AllowHeaders: []string{"x-c, X-B", "x-a"}}, 0},
		compareCase{"echoed headers, one fewer upstream", credConfig, preflight(appOrigin, "PATCH", "x-a", "x-b"),
			UpstreamAnswer{Status: 204, AllowOrigin: []string{appOrigin}, AllowCredentials: []string{"true"},
				AllowMethods: []string{"PATCH"}, AllowHeaders: []string{"x-a, x-b, x-c"}}, PreflightHeaders},
	)
	for _, tc := range cases {
		var d Decision
		mustLoad(t, tc.cfg).Evaluate(tc.req, &d)
		if got := CompareUpstream(tc.req, &d, &tc.up); got != tc.want {
			t.Errorf("%s: CompareUpstream = %v; want %v", tc.desc, got, tc.want)
			continue
		}
		if got := testing.AllocsPerRun(100, func() { CompareUpstream(tc.req, &d, &tc.up) }); got != 0 {
			t.Errorf("%s: %v allocations per CompareUpstream; want 0", tc.desc, got)
		}
	}
}

// equalJoined and readsTrue read header lines as Fetch joins them.
func TestJoinedLines(t *testing.T) {
	t.Parallel()
	lists := [][]string{nil, {""}, {"", ""}, {"a"}, {"a, b"}, {"a", "b"}, {"a,", "b"}, {"a, ", "b"}, {"ab"}, {"true"}, {"true", ""}, {"tr", "ue"}}
	for _, a := range lists {
		for _, b := range lists {
			if got, want := equalJoined(a, b), join(a) == join(b); got != want {
				t.Errorf("equalJoined(%q, %q) = %v; want %v", a, b, got, want)
			}
		}
		if got, want := readsTrue(a), join(a) == "true"; got != want {
			t.Errorf("readsTrue(%q) = %v; want %v", a, got, want)
		}
	}
}

func TestDisagreementNames(t *testing.T) {
	t.Parallel()
	var names []string
	for _, k := range AllDisagreements.Kinds() {
		names = append(names, k.String())
	}
	want := []string{"preflight_verdict", "preflight_origin", "preflight_methods", "preflight_headers", "actual_origin", "actual_credentials"}
	if !slices.Equal(names, want) {
		t.Errorf("kinds = %q; want %q", names, want)
	}
	if got := (PreflightOrigin | ActualCredentials).String(); got != "preflight_origin|actual_credentials" {
		t.Errorf("String of a set = %q", got)
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"]}`)
	var d Decision
	r := preflight(appOrigin, "PUT")
	p.Evaluate(r, &d)
	u := UpstreamAnswer{Status: 200, AllowOrigin: []string{appOrigin}, AllowMethods: []string{"PUT, PATCH"}}
	pol, up := Describe(PreflightMethods, &d, &u)
	if pol != `send access-control-allow-methods: "PUT"` || up != `sent access-control-allow-methods: "PUT, PATCH"` {
		t.Errorf("Describe = %q, %q", pol, up)
	}
	pol, up = Describe(PreflightVerdict, &d, &UpstreamAnswer{Status: 404})
	if pol != "allow the preflight" || up != `sent an answer the browser would refuse (status 404, access-control-allow-origin: (none))` {
		t.Errorf("Describe verdict = %q, %q", pol, up)
	}
	p.Evaluate(preflight(evilOrigin, "PUT"), &d)
	pol, up = Describe(PreflightVerdict, &d, &UpstreamAnswer{Status: 204, AllowOrigin: []string{"*"}})
	if pol != "refuse the preflight (origin not allowed)" || up != "sent an answer the browser would accept" {
		t.Errorf("Describe verdict = %q, %q", pol, up)
	}
}

// value returns the value the decision sends for header name, its lines
// joined as a browser reads them ("" when absent).
func (d *Decision) value(name string) string {
	var lines []string
	for _, h := range d.Headers() {
		if h.Name == name {
			lines = append(lines, string(h.AppendValue(nil)))
		}
	}
	return join(lines)
}

// join combines header lines as Fetch's "get" does.
func join(lines []string) string { return strings.Join(lines, ", ") }
