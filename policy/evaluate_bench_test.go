package policy_test

import (
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/policy"
)

// BenchmarkEvaluate compares Evaluate through policy with the engine's own,
// which the filter calls, on the same preflight in the same run: the two
// should cost the same (policy's Policy and Decision are the engine's,
// converted). Run
//
//	go test -run '^$' -bench Evaluate -benchmem ./policy/
func BenchmarkEvaluate(b *testing.B) {
	config := []byte(`{"allow_origins": ["https://app.example.com"], "allow_methods": ["PUT"], "allow_headers": ["content-type", "x-request-id"]}`)
	r := &policy.Request{
		Method:         "OPTIONS",
		Origins:        []string{"https://app.example.com"},
		RequestMethod:  "PUT",
		RequestHeaders: []string{"content-type,x-request-id"},
	}
	b.Run("engine", func(b *testing.B) {
		p, err := engine.Load(config)
		if err != nil {
			b.Fatal(err)
		}
		var d engine.Decision
		b.ReportAllocs()
		for b.Loop() {
			p.Evaluate(r, &d)
		}
		if d.Kind() != engine.PreflightAllowed {
			b.Fatalf("decision %v; want preflight allowed", d.Kind())
		}
	})
	b.Run("policy", func(b *testing.B) {
		p, err := policy.Load(config)
		if err != nil {
			b.Fatal(err)
		}
		var d policy.Decision
		b.ReportAllocs()
		for b.Loop() {
			p.Evaluate(r, &d)
		}
		if d.Kind() != policy.PreflightAllowed {
			b.Fatalf("decision %v; want preflight allowed", d.Kind())
		}
	})
}
