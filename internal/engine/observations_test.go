package engine

import (
	"errors"
	"slices"
	"testing"
)

// Observations are on, with the defaults, whenever an enabled policy is in
// audit mode; audit_observations changes them, and max_entries 0 turns
// them off.
func TestObservationsSettings(t *testing.T) {
	t.Parallel()
	const rule = `"rules": [{"name": "legacy", "match": {"path_prefixes": ["/legacy/"]}, "mode": "audit"}]`
	for _, tc := range []struct {
		desc, cfg string
		want      Observations
	}{
		{"no audit mode", `{"allow_origins": ["https://a.example"]}`, Observations{}},
		{"a disabled audited policy", `{"allow_origins": ["https://a.example"], "mode": "audit", "enabled": false}`, Observations{}},
		{"top level in audit mode", `{"allow_origins": ["https://a.example"], "mode": "audit"}`,
			Observations{MaxEntries: DefaultObservationEntries, PathSegments: DefaultObservationSegments}},
		{"a rule in audit mode", `{"allow_origins": ["https://a.example"], ` + rule + `}`,
			Observations{MaxEntries: 4096, PathSegments: 1}},
		{"configured", `{"allow_origins": ["https://a.example"], ` + rule + `, "audit_observations": {"max_entries": 10, "path_segments": 0, "log_level": "warn"}}`,
			Observations{MaxEntries: 10, PathSegments: 0, Warn: true}},
		{"info", `{"allow_origins": ["https://a.example"], ` + rule + `, "audit_observations": {"log_level": "info", "path_segments": 8}}`,
			Observations{MaxEntries: 4096, PathSegments: 8}},
		{"turned off", `{"allow_origins": ["https://a.example"], ` + rule + `, "audit_observations": {"max_entries": 0, "log_level": "warn"}}`,
			Observations{}},
		{"without audit mode", `{"allow_origins": ["https://a.example"], "audit_observations": {"max_entries": 10}}`, Observations{}},
	} {
		if got := mustLoad(t, tc.cfg).Observations(); got != tc.want {
			t.Errorf("%s: Observations() = %+v; want %+v", tc.desc, got, tc.want)
		}
	}
}

// Bad values are reported with their codes; a rule cannot set the field.
func TestObservationsProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, cfg, path string
		code            Code
	}{
		{"max_entries too large", `{"audit_observations": {"max_entries": 65537}}`, "audit_observations.max_entries", CodeOutOfRange},
		{"max_entries negative", `{"audit_observations": {"max_entries": -1}}`, "audit_observations.max_entries", CodeOutOfRange},
		{"max_entries not an integer", `{"audit_observations": {"max_entries": "10"}}`, "audit_observations.max_entries", CodeWrongType},
		{"path_segments too large", `{"audit_observations": {"path_segments": 9}}`, "audit_observations.path_segments", CodeOutOfRange},
		{"log_level unknown", `{"audit_observations": {"log_level": "debug"}}`, "audit_observations.log_level", CodeInvalidValue},
		{"not an object", `{"audit_observations": true}`, "audit_observations", CodeWrongType},
		{"unknown field", `{"audit_observations": {"max_entry": 1}}`, "audit_observations", CodeUnknownField},
		{"in a rule", `{"rules": [{"name": "a", "match": {"paths": ["/a"]}, "mode": "audit", "audit_observations": {}}]}`, `rules[0] "a"`, CodeUnknownField},
	} {
		err := loadProblemAt(tc.cfg, tc.path)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: no problem at %s in %s", tc.desc, tc.path, tc.cfg)
			continue
		}
		if fe.Code != tc.code {
			t.Errorf("%s: code %q; want %q (%v)", tc.desc, fe.Code, tc.code, fe)
		}
	}
}

// Set where no policy audits, the field is accepted with a warning.
func TestObservationsWithoutAuditWarns(t *testing.T) {
	t.Parallel()
	_, warnings := Check([]byte(`{"allow_origins": ["https://a.example"], "audit_observations": {"max_entries": 10}}`))
	if !slices.ContainsFunc(warnings, func(w *FieldError) bool { return w.Path == "audit_observations" && w.Code == CodeNoEffect }) {
		t.Errorf("warnings %v; want a no_effect warning at audit_observations", warnings)
	}
	_, warnings = Check([]byte(`{"allow_origins": ["https://a.example"], "mode": "audit", "audit_observations": {"max_entries": 10}}`))
	if len(warnings) != 0 {
		t.Errorf("warnings %v; want none with audit mode", warnings)
	}
}

// topLevelOnly lists exactly the top-level fields rules do not have.
func TestTopLevelOnlyFields(t *testing.T) {
	t.Parallel()
	var want []string
	for _, f := range topFields {
		if _, ok := policyField(f.name); !ok {
			want = append(want, f.name)
		}
	}
	if !slices.Equal(topLevelOnly, want) {
		t.Errorf("topLevelOnly = %q; want %q", topLevelOnly, want)
	}
}
