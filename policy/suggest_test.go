package policy

import "testing"

func TestSuggest(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"allow_origin":      "allow_origins",
		"AllowOrigins":      "allow_origins",
		"allow-methods":     "allow_methods",
		"maxAge":            "max_age",
		"exposedHeaders":    "expose_headers",
		"allowedOrigins":    "allow_origins",
		"preflightContinue": "on_unmatched_preflight",
		"completely_other":  "",
	} {
		if got := suggest(in, policyFields); got != want {
			t.Errorf("suggest(%q) = %q; want %q", in, got, want)
		}
	}
}
