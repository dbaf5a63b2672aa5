package filter

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// An observation line's length is bounded at configuration time, and the
// line buffer holds the longest line without growing.

// boundRule is the rule of boundConfig: a long name, audit mode, every path.
var boundRule = strings.Repeat("r", 64)

const boundConfig = `{"allow_origins": ["https://app.example.com"],
	"rules": [{"name": "%s", "match": {"path_prefixes": ["/"]}, "mode": "audit"}],
	"audit_observations": {"max_entries": %d}}`

// boundObserver is an observer of boundConfig with a table of entries.
func boundObserver(t *testing.T, entries int) (*engine.Policy, *observer) {
	t.Helper()
	pol, err := engine.Load(fmt.Appendf(nil, boundConfig, boundRule, entries))
	if err != nil {
		t.Fatal(err)
	}
	return pol, newObserver(pol.Observations(), pol.RuleNames())
}

// worstCase fills a as a preflight whose every value is v (the origin
// after prefix), with more Access-Control-Request-Headers lines than shown,
// and returns an upstream answer of more lines than shown of every observed
// header, each v.
func worstCase(pol *engine.Policy, a *auditState, prefix, v string) (*engine.UpstreamAnswer, []headermap.Pair) {
	a.host, a.path = v, "/"+v
	a.origins[0] = prefix + v
	for i := range a.lines {
		a.lines[i] = v
	}
	a.req = engine.Request{Method: "OPTIONS", Origins: a.origins[:1], RequestMethod: v,
		RequestHeaders: a.lines[:], RequestPrivateNetwork: "true", Scheme: "https", Authority: a.host, Path: a.path}
	pol.Evaluate(&a.req, &a.d)
	pairs := []headermap.Pair{{Name: ":status", Value: "999999999"}}
	for _, name := range observedAnswer {
		for range maxAnswerLines + 1 {
			pairs = append(pairs, headermap.Pair{Name: name, Value: v})
		}
	}
	return &engine.UpstreamAnswer{Status: 999999999}, pairs
}

// The longest line a configuration can give is exactly maxLine long: every
// value at its longest (plain bytes, which escape to themselves), every
// field cut.
func TestObservationLineIsAtMostMaxLine(t *testing.T) {
	pol, o := boundObserver(t, 10)
	a := &auditState{}
	u, pairs := worstCase(pol, a, "", strings.Repeat("a", 1000))
	if a.d.Rule() != boundRule || !isPreflight(a) {
		t.Fatalf("decided by rule %q, kind %v; want %q's preflight", a.d.Rule(), a.d.Kind(), boundRule)
	}
	line := o.record(a, u, pairs)
	if len(line) != o.maxLine {
		t.Errorf("the longest line is %d bytes; maxLine %d", len(line), o.maxLine)
	}
	rest, ok := strings.CutPrefix(string(line), observationMarker)
	if !ok || !json.Valid([]byte(rest)) {
		t.Fatalf("not an observation line: %s", line)
	}
	if cap(o.buf) != 2*o.maxLine {
		t.Errorf("line space %d bytes; want %d", cap(o.buf), 2*o.maxLine)
	}
	t.Logf("maxLine %d bytes, line space %d bytes", o.maxLine, cap(o.buf))
}

// A hostile client and upstream, every value as long as allowed and made
// of bytes needing \u00XX escapes, every header at more lines than shown
// (and now and then a short line): each line new, logged or dropped,
// allocates nothing, fits in maxLine, is valid JSON, and the line space
// never grows.
func TestHostileObservationsDoNotAllocate(t *testing.T) {
	const entries = 200
	pol, o := boundObserver(t, entries)
	space := cap(o.buf)
	hostile := strings.Repeat("\x01\x7f", 500)
	origins := make([]string, 3*entries)
	for i := range origins {
		origins[i] = fmt.Sprint(i) + hostile
	}
	a, short := &auditState{}, &auditState{}
	u, pairs := worstCase(pol, a, "", hostile)
	shortU, shortPairs := worstCase(pol, short, "", "v")
	next := 0
	send := func() []byte {
		// A new origin: a new observation; a short line now and then, so
		// that the longest lines start anywhere in the line space.
		i := next
		next++
		if i%3 == 0 {
			short.origins[0] = origins[i][:len(origins[i])-len(hostile)]
			return o.record(short, shortU, shortPairs)
		}
		a.origins[0] = origins[i]
		return o.record(a, u, pairs)
	}
	// Each line as it is built: valid JSON, within maxLine.
	for range 20 {
		line := send()
		rest, ok := strings.CutPrefix(string(line), observationMarker)
		if !ok || !json.Valid([]byte(rest)) || len(line) > o.maxLine || strings.ContainsAny(rest, "\n\r\x01\x7f") {
			t.Fatalf("line of %d bytes (maxLine %d): %q", len(line), o.maxLine, line)
		}
	}
	longest, built := 0, 0
	allocs := testing.AllocsPerRun(2*entries, func() {
		if line := send(); line != nil {
			longest = max(longest, len(line))
			built++
		}
	})
	if allocs != 0 {
		t.Errorf("a hostile observation allocates %v times; want 0", allocs)
	}
	if cap(o.buf) != space || longest > o.maxLine {
		t.Errorf("line space %d bytes, was %d; longest line %d, maxLine %d", cap(o.buf), space, longest, o.maxLine)
	}
	if o.n != entries || built != entries-20 {
		t.Errorf("%d in the table, %d lines built; want %d and %d", o.n, built, entries, entries-20)
	}
}

// A request already seen, or new when the table is full, builds no line.
func TestSeenOrDroppedObservationBuildsNothing(t *testing.T) {
	pol, o := boundObserver(t, 1)
	a := &auditState{}
	u, pairs := worstCase(pol, a, "x", "v")
	if o.record(a, u, pairs) == nil {
		t.Fatal("the first observation was not logged")
	}
	used := len(o.buf)
	if line := o.record(a, u, pairs); line != nil || len(o.buf) != used {
		t.Errorf("a seen observation: line %q, %d bytes of line space used; want none, %d", line, len(o.buf), used)
	}
	u, pairs = worstCase(pol, a, "y", "v")
	if line := o.record(a, u, pairs); line != nil || len(o.buf) != used {
		t.Errorf("the table full: line %q, %d bytes of line space used; want none, %d", line, len(o.buf), used)
	}
}

// actualStatus is the status field of a line, which an actual request's
// key leaves out.
var actualStatus = regexp.MustCompile(`,"status":[0-9]+`)

// Two requests have the same key exactly when their lines are the same,
// an actual request's status aside: values differing only beyond the cut,
// or in which invalid bytes they hold, are the same; a value at its
// longest and one cut to it are not.
func TestObservationKeyIsTheLine(t *testing.T) {
	pol, o := boundObserver(t, 10)
	long := strings.Repeat("é", 200)
	type req struct {
		method, origin, host, path, acrm string
		acrh                             []string
		status                           int
		answer                           []headermap.Pair
	}
	reqs := []req{
		{method: "GET", origin: app, host: "h", path: "/a"},
		{method: "GET", origin: app, host: "h", path: "/a", status: 500},
		{method: "GET", origin: app, host: "h", path: "/b"},
		{method: "GET", origin: app, host: "h", path: "/a/b"},
		{method: "POST", origin: app, host: "h", path: "/a"},
		{method: "GET", origin: app + "\xff", host: "h", path: "/a"},
		{method: "GET", origin: app + "\xfe", host: "h", path: "/a"},
		{method: "GET", origin: app + "\ufffd", host: "h", path: "/a"},
		{method: "GET", origin: app + "\u0085", host: "h", path: "/a"},
		{method: "GET", origin: long, host: "h", path: "/a"},
		{method: "GET", origin: long + "x", host: "h", path: "/a"},
		{method: "GET", origin: long + "y", host: "h", path: "/a"},
		{method: "GET", origin: strings.Repeat("a", 256), host: "h", path: "/a"},
		{method: "GET", origin: strings.Repeat("a", 257), host: "h", path: "/a"},
		{method: "GET", origin: strings.Repeat("a", 258), host: "h", path: "/a"},
		{method: "GET", origin: app, host: "h", path: "/a", answer: []headermap.Pair{{Name: "vary", Value: "a"}, {Name: "vary", Value: "b"}}},
		{method: "GET", origin: app, host: "h", path: "/a", answer: []headermap.Pair{{Name: "vary", Value: "a,b"}}},
		{method: "GET", origin: app, host: "h", path: "/a", answer: []headermap.Pair{{Name: "vary", Value: "a"}, {Name: "access-control-max-age", Value: "b"}}},
		{method: "GET", origin: app, host: "h", path: "/a", answer: []headermap.Pair{{Name: "vary", Value: "a"}, {Name: "vary", Value: "b"},
			{Name: "vary", Value: "c"}, {Name: "vary", Value: "d"}, {Name: "vary", Value: "e"}, {Name: "vary", Value: "f"}, {Name: "vary", Value: "g"}, {Name: "vary", Value: "h"}}},
		{method: "GET", origin: app, host: "h", path: "/a", answer: []headermap.Pair{{Name: "vary", Value: "a"}, {Name: "vary", Value: "b"},
			{Name: "vary", Value: "c"}, {Name: "vary", Value: "d"}, {Name: "vary", Value: "e"}, {Name: "vary", Value: "f"}, {Name: "vary", Value: "g"}, {Name: "vary", Value: "h"}, {Name: "vary", Value: "i"}}},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "h", path: "/a"},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "h", path: "/a", status: 204},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "h", path: "/a", acrh: []string{"a", "b"}},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "h", path: "/a", acrh: []string{"a,b"}},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "h", path: "/a", acrh: []string{long, "z"}},
		{method: "OPTIONS", acrm: "GET", origin: app, host: "h", path: "/a"},
		{method: "OPTIONS", acrm: "PUT", origin: app, host: "hh", path: "/a"},
	}
	type seen struct {
		key  uint64
		line string
	}
	var got []seen
	for _, r := range reqs {
		a := &auditState{host: r.host, path: r.path}
		a.origins[0] = r.origin
		a.req = engine.Request{Method: r.method, Origins: a.origins[:1], RequestMethod: r.acrm, RequestHeaders: r.acrh,
			Scheme: "https", Authority: r.host, Path: r.path}
		pol.Evaluate(&a.req, &a.d)
		u := &engine.UpstreamAnswer{Status: r.status}
		line := string(o.appendObservation(nil, a, u, r.answer))
		if !isPreflight(a) {
			line = actualStatus.ReplaceAllString(line, "")
		}
		got = append(got, seen{o.key(a, u, r.answer), line})
	}
	same := 0
	for i := range got {
		for j := range i {
			if (got[i].key == got[j].key) != (got[i].line == got[j].line) {
				t.Errorf("requests %d and %d: keys equal %v, lines equal %v:\n%s\n%s", j, i,
					got[i].key == got[j].key, got[i].line == got[j].line, got[j].line, got[i].line)
			}
			if got[i].line == got[j].line {
				same++
			}
		}
	}
	if same < 4 {
		t.Errorf("%d pairs of requests with the same line; want the cases made equal", same)
	}
}
