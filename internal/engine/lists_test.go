package engine

import "testing"

// The lists the package exports are the caller's copies: changing one
// changes nothing for the next caller, nor for the response phase.
func TestExportedListsAreCopies(t *testing.T) {
	t.Parallel()
	codes := Codes()
	codes[0] = "other"
	if Codes()[0] != CodeConfigMissing {
		t.Errorf("Codes()[0] = %q after a caller changed its copy", Codes()[0])
	}
	for _, names := range []func() []string{UpstreamCORSHeaders, IsolationHeaders} {
		list := names()
		want := list[0]
		list[0] = "x-other"
		if got := names()[0]; got != want {
			t.Errorf("a list's first name is %q after a caller changed its copy; want %q", got, want)
		}
		var f ResponseFacts
		f.Observe(want, "v")
		if f.CORS == 0 && f.Isolation == 0 {
			t.Errorf("ResponseFacts no longer records %q after a caller changed its copy", want)
		}
	}
	p := mustLoad(t, `{"allow_origins": ["https://a.example", "https://a.example"]}`)
	w := p.Warnings()
	want := *w[0]
	w[0].Reason = "changed"
	w[0] = &FieldError{Reason: "replaced"}
	if got := p.Warnings(); len(got) != 1 || *got[0] != want {
		t.Errorf("Warnings() = %v after a caller changed its copy; want %v", got, want)
	}
}
