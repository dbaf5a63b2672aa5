package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// TestEvaluateDoesNotAllocate runs every path of Evaluate, with debug
// reasons on and off, and requires each to allocate nothing: the filter
// evaluates every request, refusals included, and a hostile client chooses
// which path it takes. Each case also checks the verdict, so that the path
// it names is the one taken.
//
// Not parallel: testing.AllocsPerRun counts every allocation of the process.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	const (
		anyConfig    = `{"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"], "expose_headers": ["*"], "timing_allow_origin": true}`
		pnaConfig    = `{"allow_origins": ["https://app.example.com"], "allow_private_network": true}`
		rejectConfig = `{"allow_origins": ["https://app.example.com"], "on_disallowed_origin": "reject"}`
		regexConfig  = `{"allow_origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"]}`
		rulesConfig  = `{"allow_origins": ["https://app.example.com"], "rules": [
			{"name": "exact", "match": {"hosts": ["api.example.com"], "path_prefixes": ["/v1/"]}, "allow_credentials": true},
			{"name": "wild", "match": {"hosts": ["*.tenants.example.com"]}, "allow_origins": ["https://*.tenants.example.com"]},
			{"name": "off", "match": {"path_prefixes": ["/healthz"]}, "enabled": false},
			{"name": "audit", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit", "allow_methods": ["PUT"]},
			{"name": "login", "match": {"paths": ["/login"]}, "on_disallowed_origin": "reject"},
			{"name": "v2", "match": {"path_separated_prefixes": ["/v2"]}, "allow_origins": ["https://v2.example.com"]}]}`
		routesConfig = `{"allow_origins": ["https://app.example.com"], "rules": [
			{"name": "checkout", "match": {"routes": ["httproute/shop/checkout/*"]}, "allow_origins": ["https://shop.example.com"]},
			{"name": "istio", "match": {"routes": ["reviews-v2"], "virtual_hosts": ["reviews.default.svc.cluster.local:80"]}, "allow_credentials": true}]}`
	)
	routed := func(route, vhost string, r *Request) *Request { r.Route, r.VirtualHost = route, vhost; return r }
	withPNA := func(r *Request) *Request { r.RequestPrivateNetwork = "true"; return r }
	on := func(host, path string, r *Request) *Request { r.Authority, r.Path = host, path; return r }
	cases := []struct {
		desc   string
		cfg    string
		req    *Request
		kind   Kind
		reason Reason
	}{
		{"not CORS", basicConfig, &Request{Method: "GET"}, NotCORS, NoReason},
		{"not CORS, any origin (the static answer)", anyConfig, &Request{Method: "GET"}, NotCORS, NoReason},
		{"preflight allowed", basicConfig, preflight(appOrigin, "PUT", "Content-Type, x-request-id"), PreflightAllowed, NoReason},
		{"preflight allowed, any origin", anyConfig, preflight(evilOrigin, "PURGE", "x-a"), PreflightAllowed, NoReason},
		{"preflight echoed (credentials and *)", credConfig, preflight(appOrigin, "DELETE", "x-a, X-B", ",", "x-c"), PreflightAllowed, NoReason},
		{"preflight, private network", pnaConfig, withPNA(preflight(appOrigin, "GET")), PreflightAllowed, NoReason},
		{"preflight, origin refused", basicConfig, preflight(evilOrigin, "PUT"), PreflightRefused, OriginNotAllowed},
		{"preflight, malformed origin", basicConfig, preflight(appOrigin+"/", "PUT"), PreflightRefused, MalformedOrigin},
		{"preflight, second origin line", basicConfig, &Request{Method: "OPTIONS", Origins: []string{appOrigin, appOrigin}, RequestMethod: "PUT"}, PreflightRefused, MalformedOrigin},
		{"preflight, method refused", basicConfig, preflight(appOrigin, "DELETE"), PreflightRefused, MethodNotAllowed},
		{"preflight, malformed method", basicConfig, preflight(appOrigin, "P T"), PreflightRefused, MalformedMethod},
		{"preflight, method too long", credConfig, preflight(appOrigin, strings.Repeat("M", 1<<20)), PreflightRefused, MethodTooLong},
		{"preflight, header refused", basicConfig, preflight(appOrigin, "PUT", "x-"+strings.Repeat("b", 300)), PreflightRefused, HeaderNotAllowed},
		{"preflight, header refused after a mixed-case one", basicConfig, preflight(appOrigin, "PUT", "Content-Type", "X-Other"), PreflightRefused, HeaderNotAllowed},
		{"preflight, malformed headers", basicConfig, preflight(appOrigin, "PUT", "a b"), PreflightRefused, MalformedHeaders},
		{"preflight, headers too large", basicConfig, preflight(appOrigin, "PUT", strings.Repeat(",", 1<<20)), PreflightRefused, TooManyHeaders},
		{"preflight, too many names", anyConfig, preflight(appOrigin, "GET", strings.Repeat("x,", MaxRequestHeaderNames+1)), PreflightRefused, TooManyHeaders},
		{"preflight, too many lines", anyConfig, preflight(appOrigin, "GET", slices.Repeat([]string{"x"}, MaxRequestHeadersLines+1)...), PreflightRefused, TooManyHeaders},
		{"preflight, private network refused", basicConfig, withPNA(preflight(appOrigin, "GET")), PreflightRefused, PrivateNetworkNotAllowed},
		{"preflight refused, forwarded", `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward"}`, preflight(appOrigin, "DELETE"), PreflightRefused, MethodNotAllowed},
		{"preflight refused for its origin, forwarded", `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward_disallowed_origin"}`, preflight(evilOrigin, "DELETE"), PreflightRefused, OriginNotAllowed},
		{"preflight refused for its method, answered", `{"allow_origins": ["https://app.example.com"], "on_unmatched_preflight": "forward_disallowed_origin"}`, preflight(appOrigin, "DELETE"), PreflightRefused, MethodNotAllowed},
		{"actual allowed", basicConfig, actual("GET", appOrigin), ActualAllowed, NoReason},
		{"actual allowed, any origin", anyConfig, actual("GET", evilOrigin), ActualAllowed, NoReason},
		{"actual allowed, wildcard origin", `{"allow_origins": ["https://*.example.com"]}`, actual("GET", "https://a.b.example.com"), ActualAllowed, NoReason},
		{"actual allowed, regex origin", regexConfig, actual("GET", "https://pr-12.preview.example.com"), ActualAllowed, NoReason},
		{"actual disallowed", basicConfig, actual("GET", evilOrigin), ActualDisallowed, OriginNotAllowed},
		{"actual disallowed, hostile origin", `{"allow_origins": ["https://*.example.com"]}`, actual("GET", "https://"+strings.Repeat("a.", 120)+"example.net"), ActualDisallowed, OriginNotAllowed},
		{"actual disallowed, hostile origin under a regex's domain", regexConfig, actual("GET", testconfig.HostileOrigin("preview.example.com")), ActualDisallowed, OriginNotAllowed},
		{"actual rejected", rejectConfig, actual("POST", evilOrigin), ActualDisallowed, OriginNotAllowed},
		{"actual, same origin never rejected", rejectConfig, actual("POST", "https://api.example.com"), ActualDisallowed, OriginNotAllowed},
		{"rule by exact host", rulesConfig, on("api.example.com", "/v1/x", actual("GET", appOrigin)), ActualAllowed, NoReason},
		{"rule by wildcard host", rulesConfig, on("a.tenants.example.com", "/", actual("GET", "https://b.tenants.example.com")), ActualAllowed, NoReason},
		{"rule by mixed-case host with a port", rulesConfig, on("API.Example.COM:8443", "/v1/x", preflight(appOrigin, "GET")), PreflightAllowed, NoReason},
		{"disabled rule", rulesConfig, on("x.example", "/healthz", actual("GET", evilOrigin)), NotCORS, NoReason},
		{"audit rule", rulesConfig, on("x.example", "/legacy/a", preflight(appOrigin, "DELETE")), PreflightRefused, MethodNotAllowed},
		{"rule by exact path", rulesConfig, on("x.example", "/login?next=/", actual("POST", evilOrigin)), ActualDisallowed, OriginNotAllowed},
		{"rule by route prefix", routesConfig, routed("httproute/shop/checkout/rule/0/match/0/shop_example_com", "", actual("GET", "https://shop.example.com")), ActualAllowed, NoReason},
		{"rule by route and virtual host", routesConfig, routed("reviews-v2", "reviews.default.svc.cluster.local:80", preflight(appOrigin, "GET")), PreflightAllowed, NoReason},
		{"no rule by route", routesConfig, routed("other", "x", actual("GET", "https://shop.example.com")), ActualDisallowed, OriginNotAllowed},
		{"rule by separated prefix", rulesConfig, on("x.example", "/v2/orders", actual("GET", "https://v2.example.com")), ActualAllowed, NoReason},
	}
	scale := testconfig.Scale{Origins: 100, Wildcards: 10, Rules: 20}
	for _, debug := range []bool{false, true} {
		for _, tc := range cases {
			cfg := tc.cfg
			if debug {
				cfg = `{"debug": true,` + strings.TrimPrefix(cfg, "{")
			}
			p := mustLoad(t, cfg)
			var d Decision
			p.Evaluate(tc.req, &d)
			if d.Kind() != tc.kind || d.Reason() != tc.reason {
				t.Errorf("%s (debug %v): %v (%v); want %v (%v)", tc.desc, debug, d.Kind(), d.Reason(), tc.kind, tc.reason)
				continue
			}
			if got := testing.AllocsPerRun(100, func() { p.Evaluate(tc.req, &d) }); got != 0 {
				t.Errorf("%s (debug %v): %v allocations per Evaluate; want 0", tc.desc, debug, got)
			}
		}
	}
	// Many rules and origins: choosing among them allocates nothing either.
	p, err := Load(scale.JSON())
	if err != nil {
		t.Fatal(err)
	}
	r := on(strings.ToUpper(scale.Host(7)), scale.PathPrefix(7)+"x", actual("GET", scale.Origin(99)))
	if got := testing.AllocsPerRun(100, func() {
		var d Decision
		p.Evaluate(r, &d)
	}); got != 0 {
		t.Errorf("scale configuration: %v allocations per Evaluate; want 0", got)
	}
}

// TestDebugReasonHeader: the x-cors-reason of a refused token is its fixed
// text and the token, kept apart in the Header and joined by AppendValue.
func TestDebugReasonHeader(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"debug": true,`+strings.TrimPrefix(basicConfig, "{"))
	var d Decision
	p.Evaluate(preflight(appOrigin, "DELETE"), &d)
	want := []Header{{Name: HeaderReason, Value: "method not allowed", Detail: "DELETE"}}
	if !slices.Equal(d.Headers(), want) {
		t.Fatalf("headers %q; want %q", d.Headers(), want)
	}
	if got := string(d.Headers()[0].AppendValue([]byte("x: "))); got != "x: method not allowed: DELETE" {
		t.Errorf("AppendValue = %q", got)
	}
	plain := h(HeaderAllowOrigin, appOrigin)
	if got := string(plain.AppendValue(nil)); got != appOrigin {
		t.Errorf("AppendValue without a detail = %q", got)
	}
}

// Audit mode compares every audited response: with a reused
// UpstreamAnswer, comparing and describing allocate nothing.
func TestCompareAndDescribeAllocateNothing(t *testing.T) {
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

// The response phase (a plan kept per stream, the facts of a response,
// the edits) allocates nothing.
func TestResponsePhaseAllocatesNothing(t *testing.T) {
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "expose_headers": ["x-b"], "allow_credentials": true,
		"timing_allow_origin": true, "isolation": {"cross_origin_resource_policy": "same-site"}}`)
	upstream := [][2]string{{"vary", "Accept-Encoding"}, {"access-control-allow-origin", "*"},
		{"timing-allow-origin", "*"}, {"cross-origin-opener-policy", "same-origin"}, {"content-type", "text/plain"}}
	var d Decision
	var e ResponseEdits
	for _, r := range []*Request{actual("GET", appOrigin), actual("GET", evilOrigin), {Method: "GET"}} {
		p.Evaluate(r, &d)
		n := testing.AllocsPerRun(20, func() {
			plan := d.ResponsePlan()
			var f ResponseFacts
			for _, h := range upstream {
				f.Observe(h[0], h[1])
			}
			plan.Edit(f, &e)
		})
		if n != 0 {
			t.Errorf("%+v: the response phase made %v allocations", r, n)
		}
	}
}
