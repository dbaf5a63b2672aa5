package policy

import (
	"strings"
	"testing"
)

// These tests count allocations, so they do not run in parallel.

// The filter evaluates every request with one reused Decision: no path of
// Evaluate may allocate, debug reasons naming a refused token included.
func TestEvaluateAllocatesNothing(t *testing.T) {
	configs := map[string]string{
		"basic": basicConfig,
		"debug": `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["x-a"],
			"debug": true, "on_disallowed_origin": "reject", "timing_allow_origin": true}`,
		"any": `{"allow_origins": ["*"], "allow_headers": ["*"], "allow_methods": ["*"], "expose_headers": ["x-b"]}`,
		"credentials echo": `{"allow_origins": ["https://*.example.com", "http://localhost:*"], "allow_origin_regexes": ["https://[a-z]+\\.example\\.org"],
			"allow_headers": ["*"], "allow_methods": ["*"], "allow_credentials": true}`,
		"rules": `{"allow_origins": ["https://app.example.com"], "rules": [
			{"name": "a", "match": {"hosts": ["*.example.com"], "path_prefixes": ["/a/"]}, "mode": "audit"},
			{"name": "b", "match": {"path_prefixes": ["/b/"]}, "enabled": false}]}`,
	}
	requests := []*Request{
		{Method: "GET", Authority: "api.example.com", Path: "/a/x"},
		actual("GET", appOrigin),
		actual("POST", evilOrigin),
		actual("POST", "https://APP.example.com"),
		actual("POST", "null"),
		preflight(appOrigin, "PUT", "x-a"),
		preflight(appOrigin, "PATCH"),
		preflight(appOrigin, "PUT", "x-a, X-Secret-"+strings.Repeat("b", 100)),
		preflight(appOrigin, "PUT", "X-A", "x-b,,x-c"),
		preflight(evilOrigin, "DELETE"),
		preflight("https://x.example.org", "PUT", "content-type"),
		preflight("http://localhost:8080", "GET"),
		{Method: "OPTIONS", Origin: appOrigin, OriginCount: 1, RequestMethod: "GET", RequestPrivateNetwork: "true"},
		{Method: "GET", Origin: appOrigin, OriginCount: 2},
	}
	for name, cfg := range configs {
		p := mustLoad(t, cfg)
		var d Decision
		for _, r := range requests {
			r.Path, r.Authority = "/a/x", "api.example.com"
			if n := testing.AllocsPerRun(20, func() { p.Evaluate(r, &d); _ = d.Headers() }); n != 0 {
				t.Errorf("%s: Evaluate(%+v) made %v allocations", name, r, n)
			}
		}
	}
}

// x-cors-reason is built inside the Decision; a copy of the Decision
// carries the value too.
func TestReasonValueSurvivesCopy(t *testing.T) {
	t.Parallel()
	for _, r := range reasonNames {
		if len(r)+2+maxReasonDetail > maxReasonValue {
			t.Errorf("reason %q does not fit in %d bytes with its detail", r, maxReasonValue)
		}
	}
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "debug": true}`)
	var d Decision
	p.Evaluate(preflight(appOrigin, "PATCH"), &d)
	saved := d
	p.Evaluate(preflight(appOrigin, "DELETE"), &d)
	if got := saved.value(HeaderReason); got != "method not allowed: PATCH" {
		t.Errorf("copied decision's x-cors-reason = %q", got)
	}
	if got := d.value(HeaderReason); got != "method not allowed: DELETE" {
		t.Errorf("x-cors-reason = %q", got)
	}
}

// Audit mode compares every audited response: with a reused
// UpstreamAnswer, comparing and describing allocate nothing.
func TestCompareUpstreamAllocatesNothing(t *testing.T) {
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT", "DELETE"],
		"allow_headers": ["content-type", "x-a"], "allow_private_network": true}`)
	cred := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_credentials": true, "allow_headers": ["*"], "allow_methods": ["*"]}`)
	var u UpstreamAnswer
	fill := func(status int, acao, acac, acam, acah []string) {
		u.Reset()
		u.Status = status
		u.AllowOrigin = append(u.AllowOrigin, acao...)
		u.AllowCredentials = append(u.AllowCredentials, acac...)
		u.AllowMethods = append(u.AllowMethods, acam...)
		u.AllowHeaders = append(u.AllowHeaders, acah...)
	}
	cases := []struct {
		p    *Policy
		r    *Request
		fill func()
	}{
		{p, preflight(appOrigin, "PUT", "x-a", "Content-Type"), func() {
			fill(204, []string{appOrigin}, nil, []string{"GET, DELETE", "PUT, PATCH"}, []string{"X-A,content-type", "x-b"})
		}},
		{p, preflight(appOrigin, "PUT"), func() { fill(200, []string{"*"}, nil, []string{"*"}, []string{"*"}) }},
		{p, preflight(evilOrigin, "PUT"), func() { fill(200, []string{"*"}, nil, []string{"PUT"}, nil) }},
		{p, preflight(appOrigin, "PUT"), func() { fill(404, nil, nil, nil, nil) }},
		{cred, preflight(appOrigin, "PATCH", "x-a,x-b"), func() {
			fill(200, []string{appOrigin}, []string{"true", "true"}, []string{"PATCH"}, []string{"x-a", "x-b"})
		}},
		{cred, actual("GET", appOrigin), func() { fill(200, []string{appOrigin, "*"}, []string{"false"}, nil, nil) }},
		{p, actual("GET", evilOrigin), func() { fill(200, []string{"*"}, nil, nil, nil) }},
	}
	var d Decision
	var line []byte
	for i, tc := range cases {
		tc.p.Evaluate(tc.r, &d)
		run := func() {
			tc.fill()
			k := CompareUpstream(tc.r, &d, &u)
			for kind := Disagreement(1); kind <= k; kind <<= 1 {
				if k&kind != 0 {
					line = AppendDescription(line[:0], kind, &d, &u)
				}
			}
		}
		run()
		if n := testing.AllocsPerRun(20, run); n != 0 {
			t.Errorf("case %d: comparing and describing made %v allocations", i, n)
		}
	}
}

// AppendDescription says what Describe says.
func TestAppendDescriptionMatchesDescribe(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_credentials": true}`)
	ups := []UpstreamAnswer{
		{Status: 200, AllowOrigin: []string{"*"}, AllowMethods: []string{"PUT, PATCH", "GET"}, AllowCredentials: []string{"true"}},
		{Status: 404},
		{Status: 200, AllowOrigin: []string{strings.Repeat("x", 300)}, AllowHeaders: []string{"a\x00b"}},
	}
	for _, r := range []*Request{preflight(appOrigin, "PUT"), preflight(evilOrigin, "PUT"), actual("GET", appOrigin)} {
		var d Decision
		p.Evaluate(r, &d)
		for i := range ups {
			for _, k := range AllDisagreements.Kinds() {
				pol, up := Describe(k, &d, &ups[i])
				want := "policy would " + pol + "; upstream " + up
				if got := string(AppendDescription(nil, k, &d, &ups[i])); got != want {
					t.Errorf("AppendDescription(%v) = %q; want %q", k, got, want)
				}
			}
		}
	}
}
