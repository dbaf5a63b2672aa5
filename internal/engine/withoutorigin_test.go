package engine

import (
	"reflect"
	"testing"
)

// withoutOriginConfigs have verdicts on a request without Origin of every
// shape: Vary alone, headers ("*" without credentials), upstream handling,
// isolation, rules disabled and in audit mode.
var withoutOriginConfigs = []string{
	basicConfig, credConfig,
	`{"allow_origins": ["*"], "expose_headers": ["x-a"], "timing_allow_origin": true}`,
	`{"allow_origins": ["*"], "upstream_cors_headers": "keep"}`,
	`{"allow_origins": ["https://a.example"], "isolation": {"cross_origin_resource_policy": "same-site"},
	  "rules": [
	    {"name": "off", "match": {"hosts": ["off.example"]}, "enabled": false},
	    {"name": "audit", "match": {"path_prefixes": ["/audit"]}, "mode": "audit"},
	    {"name": "any", "match": {"hosts": ["any.example"]}, "allow_origins": ["*"], "allow_credentials": false}
	  ]}`,
}

// Evaluate answers a request without Origin with the verdict compiled with
// the policy; it must be the one evaluating the request gives, whatever the
// rules, the request's host and path, and its other fields (which play no
// part).
func TestWithoutOriginVerdictIsEvaluated(t *testing.T) {
	t.Parallel()
	requests := []Request{
		{Method: "GET"},
		{Method: "OPTIONS", RequestMethod: "PUT", RequestHeaders: []string{"x-a"}},
		{Method: "GET", Authority: "off.example", Path: "/"},
		{Method: "POST", Authority: "api.example", Path: "/audit/x", Scheme: "https"},
		{Method: "GET", Authority: "ANY.example:443", Path: "/y"},
	}
	for _, c := range withoutOriginConfigs {
		p := mustLoad(t, c)
		for _, r := range requests {
			var d Decision
			var want verdict
			p.scopeOf(&r).decide(&r, &want)
			p.Evaluate(&r, &d)
			if d.shared == nil {
				t.Errorf("%s: request %+v: evaluated; want the compiled verdict", c, r)
				continue
			}
			if !reflect.DeepEqual(*d.shared, want) {
				t.Errorf("%s\nrequest %+v:\ncompiled  %+v\nevaluated %+v", c, r, *d.shared, want)
			}
		}
		// With an Origin, the verdict is evaluated into the Decision.
		r := actual("GET", appOrigin)
		var want verdict
		p.scopeOf(r).decide(r, &want)
		var d Decision
		d.shared = &p.top.withoutOrigin
		p.Evaluate(r, &d)
		if d.shared != nil || !reflect.DeepEqual(d.own, want) {
			t.Errorf("%s: a CORS request's Decision = %+v; want its own %+v", c, d, want)
		}
	}
}

// A caller cannot change the verdict every request without Origin shares:
// changing a Decision's headers, reusing it, copying it changes that
// Decision alone. A write through the shared verdict itself would change
// the answer to every later request without Origin.
func TestSharedVerdictStaysUnchanged(t *testing.T) {
	t.Parallel()
	const hostile = "https://evil.example"
	noOrigin := &Request{Method: "GET"}
	for _, c := range withoutOriginConfigs {
		p := mustLoad(t, c)
		var pristine Decision
		p.Evaluate(noOrigin, &pristine)
		want := pristine.Outcome(nil)

		var d Decision
		p.Evaluate(noOrigin, &d)
		for i := range d.Headers() {
			d.Headers()[i].Value = hostile
		}
		copied := d
		for i := range copied.Headers() {
			copied.Headers()[i].Name = "x-hostile"
		}
		// The Decision written over, reused for a CORS request and a
		// request without Origin again.
		p.Evaluate(actual("POST", evilOrigin), &d)
		p.Evaluate(noOrigin, &d)
		var later Decision
		p.Evaluate(noOrigin, &later)
		for _, got := range []*Decision{&d, &later} {
			if o := got.Outcome(nil); !reflect.DeepEqual(o, want) {
				t.Errorf("%s: after callers changed their Decisions, a request without Origin gets %+v; want %+v", c, o, want)
			}
		}
	}
}
