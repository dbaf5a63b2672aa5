package engine

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

// TopLevelField tells a top-level field, or a near miss of one, from a
// name that is neither.
func TestTopLevelField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, field string
		ok          bool
	}{
		{"allow_origins", "allow_origins", true},
		{"rules", "rules", true},
		{"allow_origin", "allow_origins", true},
		{"allowed_origins", "allow_origins", true},
		{"maxAge", "max_age", true},
		{"redirect_uri", "", false},
		{"client_id", "", false},
		{"token_endpoint", "", false},
	} {
		if field, ok := TopLevelField(tc.name); field != tc.field || ok != tc.ok {
			t.Errorf("TopLevelField(%q) = %q, %v; want %q, %v", tc.name, field, ok, tc.field, tc.ok)
		}
	}
}
