package policy

import (
	"reflect"
	"testing"
)

// Decide answers a request without Origin with a verdict computed when the
// policy was compiled; it must be Evaluate's, whatever the rules, the
// request's host and path, and its other fields (which play no part).
func TestDecideWithoutOriginIsEvaluate(t *testing.T) {
	t.Parallel()
	configs := []string{
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
	requests := []Request{
		{Method: "GET"},
		{Method: "OPTIONS", RequestMethod: "PUT", RequestHeaders: []string{"x-a"}},
		{Method: "GET", Authority: "off.example", Path: "/"},
		{Method: "POST", Authority: "api.example", Path: "/audit/x", Scheme: "https"},
		{Method: "GET", Authority: "ANY.example:443", Path: "/y"},
	}
	for _, c := range configs {
		p, err := Load([]byte(c))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		for _, r := range requests {
			var want, scratch Decision
			p.Evaluate(&r, &want)
			got := p.Decide(&r, &scratch)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("%s\nrequest %+v:\nDecide   %+v\nEvaluate %+v", c, r, *got, want)
			}
			if got == &scratch {
				t.Errorf("%s: request %+v: Decide wrote the caller's Decision; want the compiled one", c, r)
			}
		}
		// With an Origin, Decide is Evaluate into the caller's Decision.
		r := actual("GET", appOrigin)
		var want, scratch Decision
		p.Evaluate(r, &want)
		if got := p.Decide(r, &scratch); got != &scratch || !reflect.DeepEqual(scratch, want) {
			t.Errorf("%s: Decide on a CORS request = %+v; want Evaluate's %+v in the caller's Decision", c, *got, want)
		}
	}
}
