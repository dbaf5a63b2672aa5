package policy

import (
	"reflect"
	"testing"
)

// verdict.reset, Request.Reset, ResponsePlan.Clear and the edits' reset set
// fields one by one instead of assigning a zero value (a bulk memory call in
// the wasm module), leaving header arrays alone.
// These tests fail when a field is added and not reset, and when a reset
// leaves a field set.

func TestVerdictReset(t *testing.T) {
	t.Parallel()
	// Every field but headers, which reset leaves (only headers[:nHeaders]
	// is read). A new field must be reset and listed here.
	set := verdict{
		kind: PreflightAllowed, reason: MethodNotAllowed, detail: "PUT", reply: true, status: 204,
		vary: varyOnOrigin, upstream: KeepUpstream, rule: "r", ruleIndex: 2,
		disabled: true, audit: true, isolation: []Header{{Name: "x"}}, credentials: true,
		nHeaders: 3,
	}
	checkFieldsSet(t, set, "headers")
	set.headers[0] = Header{Name: "kept"}
	set.reset()
	want := verdict{}
	want.headers[0] = Header{Name: "kept"}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("after reset: %+v; want the zero verdict", set)
	}
}

func TestRequestReset(t *testing.T) {
	t.Parallel()
	set := Request{Method: "GET", Origins: []string{"o"}, RequestMethod: "PUT",
		RequestHeaders: []string{"x"}, RequestPrivateNetwork: "true", Scheme: "https", Authority: "a", Path: "/"}
	checkFieldsSet(t, set, "")
	set.Reset()
	if !reflect.DeepEqual(set, Request{}) {
		t.Errorf("after Reset: %+v; want the zero Request", set)
	}
}

func TestResponsePlanClear(t *testing.T) {
	t.Parallel()
	set := ResponsePlan{nHeaders: 1, vary: true, upstream: ReplaceUpstream, isolation: []Header{{Name: "x"}}}
	checkFieldsSet(t, set, "headers")
	set.Clear()
	if !reflect.DeepEqual(set, ResponsePlan{}) {
		t.Errorf("after Clear: %+v; want the empty plan", set)
	}
	if !set.Empty() {
		t.Error("a cleared plan is not Empty")
	}
}

func TestResponseEditsReset(t *testing.T) {
	t.Parallel()
	var e ResponseEdits
	plan := ResponsePlan{nHeaders: 1, upstream: ReplaceUpstream, vary: true}
	plan.headers[0] = Header{Name: HeaderAllowOrigin, Value: "https://a.example"}
	plan.Edit(ResponseFacts{CORS: 1}, &e)
	if len(e.Removed()) == 0 || len(e.Added()) == 0 {
		t.Fatalf("edits %v %v; want a removal and additions", e.Removed(), e.Added())
	}
	(&ResponsePlan{}).Edit(ResponseFacts{CORS: 1}, &e)
	if len(e.Removed()) != 0 || len(e.Added()) != 0 {
		t.Errorf("an empty plan's edits after another's: %v %v; want none", e.Removed(), e.Added())
	}
	if n := reflect.TypeOf(e).NumField(); n != 4 {
		t.Errorf("ResponseEdits has %d fields; Edit resets only nRemoved and nAdded", n)
	}
}

// checkFieldsSet fails unless every field of the struct v but skip is
// non-zero: the test setting them must cover every field.
func checkFieldsSet(t *testing.T, v any, skip string) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if f := rv.Type().Field(i); f.Name != skip && rv.Field(i).IsZero() {
			t.Errorf("%s.%s is not set by the test: reset it, and set it here", rv.Type().Name(), f.Name)
		}
	}
}
