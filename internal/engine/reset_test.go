package engine

import (
	"reflect"
	"slices"
	"testing"
)

// verdict.reset, Request.Reset, ResponsePlan.Clear and the edits' reset set
// fields one by one instead of assigning a zero value (a bulk memory call in
// the wasm module), clearing of header arrays only the headers in use.
// These tests fail when a field is added and not reset, and when a reset
// leaves a field set.

func TestVerdictReset(t *testing.T) {
	t.Parallel()
	// Every field but headers, of which reset clears those in use (only
	// headers[:nHeaders] is read). A new field must be reset and listed here.
	set := verdict{
		kind: PreflightAllowed, reason: MethodNotAllowed, detail: "PUT", reply: true, status: 204,
		vary: varyOnOrigin, upstream: KeepUpstream, rule: "r", ruleIndex: 2,
		disabled: true, audit: true, rollout: RolloutAudited, percent: 10, isolation: []Header{{Name: "x"}}, credentials: true,
		nHeaders: 3,
	}
	checkFieldsSet(t, set, "headers")
	for i := range set.nHeaders {
		set.headers[i] = Header{Name: "n", Value: "v", Detail: "d"}
	}
	set.reset()
	if !reflect.DeepEqual(set, verdict{}) {
		t.Errorf("after reset: %+v; want the zero verdict", set)
	}
}

func TestRequestReset(t *testing.T) {
	t.Parallel()
	set := Request{Method: "GET", Origins: []string{"o"}, RequestMethod: "PUT",
		RequestHeaders: []string{"x"}, RequestPrivateNetwork: "true", Scheme: "https", Authority: "a", Path: "/",
		Route: "r", VirtualHost: "v"}
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

// A verdict, plan or edits reused for a request with fewer headers keeps no
// view of the earlier request's bytes: every header past the count is
// empty. Here a preflight echoes request header names (with credentials and
// "*"), then an actual request needs fewer headers.
func TestReusedArraysDropViews(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_credentials": true,
		"allow_methods": ["*"], "allow_headers": ["*"], "max_age": 60}`)
	var d Decision
	p.Evaluate(preflight(appOrigin, "PATCH", "x-a", "x-b", "x-c"), &d)
	if d.own.nHeaders < 6 {
		t.Fatalf("preflight verdict has %d headers; want several echoed ones", d.own.nHeaders)
	}
	var plan ResponsePlan
	var edits ResponseEdits
	p.Evaluate(actual("GET", appOrigin), &d)
	plan.Reset(&d)
	plan.Edit(ResponseFacts{}, &edits)
	big := edits.nAdded
	// The same arrays for a request with fewer headers.
	p.Evaluate(preflight(appOrigin, "PATCH", "x-a", "x-b", "x-c"), &d)
	p.Evaluate(&Request{Method: "GET", Origins: []string{"https://evil.example"}}, &d)
	plan.Reset(&d)
	plan.Edit(ResponseFacts{}, &edits)
	if edits.nAdded >= big {
		t.Fatalf("edits of a disallowed request: %d headers; want fewer than %d", edits.nAdded, big)
	}
	for name, tail := range map[string][]Header{
		"Decision": d.own.headers[d.own.nHeaders:], "ResponsePlan": plan.headers[plan.nHeaders:], "ResponseEdits": edits.added[edits.nAdded:],
	} {
		for i, h := range tail {
			if h != (Header{}) {
				t.Errorf("%s keeps header %+v past its count (at %d)", name, h, i)
			}
		}
	}
}

// A Decision lets go of a request's bytes: Reset empties it, and a request
// without Origin, whose verdict is the policy's own, drops the previous
// request's. AppendViews lists every string of the request's bytes.
func TestDecisionDropsRequestViews(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, `{"allow_origins": ["https://app.example.com"], "allow_credentials": true,
		"allow_methods": ["*"], "allow_headers": ["*"], "debug": true}`)
	views := func(d *Decision) []string {
		var out []string
		for _, s := range d.AppendViews(nil) {
			if *s != "" {
				out = append(out, *s)
			}
		}
		return out
	}
	echo := preflight(appOrigin, "PATCH", "x-a")
	refused := preflight(appOrigin, "PATCH", "authorization")
	var d Decision
	p.Evaluate(echo, &d)
	if got := views(&d); !slices.Contains(got, appOrigin) || !slices.Contains(got, "PATCH") || !slices.Contains(got, "x-a") {
		t.Errorf("AppendViews of an echoing preflight: %q; want the origin, method and header echoed", got)
	}
	d.Reset()
	if got := views(&d); len(got) != 0 || d.Kind() != NotCORS {
		t.Errorf("after Reset: views %q, kind %v; want none", got, d.Kind())
	}
	p.Evaluate(refused, &d)
	if d.Detail() == "" || !slices.Contains(views(&d), d.Detail()) {
		t.Errorf("the refused token %q is not among the views %q", d.Detail(), views(&d))
	}
	p.Evaluate(&Request{Method: "GET"}, &d)
	if got := views(&d); len(got) != 0 {
		t.Errorf("a request without Origin after a preflight: views %q", got)
	}
	if d.own.nHeaders != 0 || d.own.detail != "" {
		t.Errorf("a request without Origin keeps the previous verdict's %d headers, detail %q", d.own.nHeaders, d.own.detail)
	}
}
