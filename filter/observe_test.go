package filter

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// observeConfig audits the billing rule; the top level enforces.
const observeConfig = `{
	"allow_origins": ["https://app.example.com"],
	"allow_methods": ["PUT", "DELETE"],
	"rules": [{"name": "billing", "match": {"path_prefixes": ["/billing/"]}, "mode": "audit",
	           "allow_headers": ["content-type", "x-request-id"]}]
	%s
}`

// observeCfg is observeConfig with an audit_observations object ("" for
// none).
func observeCfg(obs string) string {
	if obs != "" {
		obs = `, "audit_observations": ` + obs
	}
	return strings.Replace(observeConfig, "%s", obs, 1)
}

// observations are the observation lines the filter logged at level.
func observations(host proxytest.HostEmulator, warn bool) []string {
	logs := host.GetInfoLogs()
	if warn {
		logs = host.GetWarnLogs()
	}
	var out []string
	for _, l := range logs {
		if strings.HasPrefix(l, observationMarker) {
			out = append(out, l)
		}
	}
	return out
}

// observation decodes an observation line, failing the test if it is not
// the marker and one JSON object.
func observation(t *testing.T, line string) map[string]any {
	t.Helper()
	rest, ok := strings.CutPrefix(line, observationMarker)
	if !ok || strings.ContainsAny(line, "\n\r") {
		t.Fatalf("not one observation line: %q", line)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(rest), &o); err != nil {
		t.Fatalf("observation %q: %v", rest, err)
	}
	return o
}

// The line is exactly the contract's, natively and in the module.
func TestObservationLine(t *testing.T) {
	const want = `corswasm: observation {"v":1,"host":"api.example.com","rule":"billing","path":"/billing/","kind":"preflight",` +
		`"origin":"https://app.example.com","method":"PUT","request_headers":"content-type,x-request-id","status":204,` +
		`"answer":{"access-control-allow-origin":["https://app.example.com"],"access-control-allow-methods":["PUT, DELETE"],"vary":["Origin"]}}`
	const wantActual = `corswasm: observation {"v":1,"host":"api.example.com:8443","rule":"billing","path":"/billing/","kind":"actual",` +
		`"origin":"https://app.example.com","method":"POST","status":201,"answer":{"access-control-allow-origin":["https://app.example.com"],` +
		`"access-control-allow-credentials":["true"],"access-control-expose-headers":["x-a","x-b"],"access-control-max-age":["5"],"vary":["Origin","Accept"]}}`
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, observeCfg(""))
		roundTrip(t, host, request("OPTIONS", "/billing/invoices/7?token=x", "origin", app, "access-control-request-method", "PUT",
			"access-control-request-headers", "content-type", "access-control-request-headers", "x-request-id"),
			[][2]string{{":status", "204"}, {"vary", "Origin"}, {"access-control-allow-methods", "PUT, DELETE"},
				{"access-control-allow-origin", app}, {"x-other", "1"}})
		if got := observations(host, false); len(got) != 1 || got[0] != want {
			t.Errorf("lines %q;\nwant [%q]", got, want)
		}
		roundTrip(t, host, onHost("api.example.com:8443", request("POST", "/billing/", "origin", app)),
			[][2]string{{":status", "201"}, {"access-control-allow-origin", app}, {"vary", "Origin"}, {"access-control-expose-headers", "x-a"},
				{"access-control-allow-credentials", "true"}, {"access-control-max-age", "5"}, {"vary", "Accept"}, {"access-control-expose-headers", "x-b"}})
		if got := observations(host, false); len(got) != 2 || got[1] != wantActual {
			t.Errorf("lines %q;\nwant the second %q", got, wantActual)
		}
		if n := counterValue(t, host, MetricAuditObservationsLogged); n != 2 {
			t.Errorf("%s = %d; want 2", MetricAuditObservationsLogged, n)
		}
	})
}

// One line per distinct observation: the same request and answer again
// logs nothing, another answer logs again; an actual request's status is
// not part of what makes it distinct, a preflight's is.
func TestObservationDeduplication(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, observeCfg(""))
		preflight := request("OPTIONS", "/billing/a", "origin", app, "access-control-request-method", "PUT")
		actual := request("GET", "/billing/a", "origin", app)
		steps := []struct {
			req, up [][2]string
			lines   int
		}{
			{preflight, upstreamResponse("access-control-allow-origin", app), 1},
			{preflight, upstreamResponse("access-control-allow-origin", app), 1},
			{onHost("api.example.com", request("OPTIONS", "/billing/b", "origin", app, "access-control-request-method", "PUT")),
				upstreamResponse("access-control-allow-origin", app), 1}, // the same path bucket
			{preflight, upstreamResponse("access-control-allow-origin", "*"), 2},
			{preflight, [][2]string{{":status", "403"}, {"access-control-allow-origin", app}}, 3},
			{actual, upstreamResponse("access-control-allow-origin", app), 4},
			{actual, [][2]string{{":status", "500"}, {"access-control-allow-origin", app}}, 4},
			{request("GET", "/billing/a", "origin", evil), upstreamResponse("access-control-allow-origin", app), 5},
		}
		for i, s := range steps {
			roundTrip(t, host, s.req, s.up)
			if got := observations(host, false); len(got) != s.lines {
				t.Fatalf("after step %d: %d lines; want %d:\n%s", i, len(got), s.lines, strings.Join(got, "\n"))
			}
		}
		if o := observation(t, observations(host, false)[3]); o["status"] != float64(200) {
			t.Errorf("actual request: status %v; want the first seen, 200", o["status"])
		}
		if n := counterValue(t, host, MetricAuditObservationsLogged); n != 5 {
			t.Errorf("%s = %d; want 5", MetricAuditObservationsLogged, n)
		}
	})
}

// A full table logs no more: each new observation is counted as dropped.
func TestObservationTableFull(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, observeCfg(`{"max_entries": 2}`))
		for _, o := range []string{app, evil, "https://third.example", app, "https://fourth.example"} {
			roundTrip(t, host, request("GET", "/billing/a", "origin", o), upstreamResponse())
		}
		got := observations(host, false)
		if len(got) != 2 || !strings.Contains(got[0], app) || !strings.Contains(got[1], evil) {
			t.Errorf("lines %q; want the first two origins'", got)
		}
		if n := counterValue(t, host, MetricAuditObservationsLogged); n != 2 {
			t.Errorf("%s = %d; want 2", MetricAuditObservationsLogged, n)
		}
		if n := counterValue(t, host, MetricAuditObservationsDropped); n != 2 {
			t.Errorf("%s = %d; want 2", MetricAuditObservationsDropped, n)
		}
	})
}

// The path bucket keeps the first segments, and the "/" after the last
// when more follows.
func TestPathBucket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path     string
		segments int
		want     string
	}{
		{"/", 0, "/"}, {"/", 1, "/"}, {"/", 2, "/"},
		{"/a", 0, "/"}, {"/a", 1, "/a"}, {"/a", 2, "/a"},
		{"/a/", 0, "/"}, {"/a/", 1, "/a/"}, {"/a/", 2, "/a/"},
		{"/a/b", 0, "/"}, {"/a/b", 1, "/a/"}, {"/a/b", 2, "/a/b"},
		{"/billing/invoices/7", 1, "/billing/"}, {"/billing/invoices/7", 2, "/billing/invoices/"},
		{"/billing/invoices/7", 8, "/billing/invoices/7"}, {"//x", 1, "//"}, {"*", 1, "*"}, {"", 1, ""},
		{"/a/b?x", 0, "/"}, {"/a/b?x", 1, "/a/"}, {"/a/b?x", 2, "/a/b"}, {"/a?x/y/", 1, "/a"},
	} {
		got := pathBucket(pathOnly(tc.path), tc.segments)
		if got != tc.want {
			t.Errorf("pathBucket(%q, %d) = %q; want %q", tc.path, tc.segments, got, tc.want)
		}
		if !strings.HasPrefix(tc.path, got) {
			t.Errorf("pathBucket(%q, %d) = %q: not a prefix", tc.path, tc.segments, got)
		}
	}
}

// Through the filter: the query goes, and path_segments counts.
func TestObservationPath(t *testing.T) {
	for _, tc := range []struct {
		segments, path, want string
	}{
		{"0", "/billing/a/b?x", "/"}, {"1", "/billing/a/b?x", "/billing/"}, {"2", "/billing/a/b?x", "/billing/a/"},
		{"1", "/billing/", "/billing/"}, {"2", "/billing/?x=/y/z", "/billing/"},
	} {
		t.Run(tc.segments+" "+tc.path, func(t *testing.T) {
			host := startHost(t, NewVMContext(), observeCfg(`{"path_segments": `+tc.segments+`}`))
			roundTrip(t, host, request("GET", tc.path, "origin", app), upstreamResponse())
			got := observations(host, false)
			if len(got) != 1 {
				t.Fatalf("lines %q; want one", got)
			}
			if p := observation(t, got[0])["path"]; p != tc.want {
				t.Errorf("path %q; want %q", p, tc.want)
			}
		})
	}
}

// Values over 256 bytes are cut to 256 and named in "cut"; so is an
// answer header sent on more lines than the line lists.
func TestObservationCutsLongValues(t *testing.T) {
	long := strings.Repeat("a", 300)
	up := upstreamResponse("vary", strings.Repeat("v", 257), "access-control-allow-origin", app)
	for range maxAnswerLines + 1 {
		up = append(up, [2]string{"access-control-expose-headers", "x-a"})
	}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, observeCfg(`{"path_segments": 2}`))
		req := onHost(long+".example", request("OPTIONS", "/billing/"+long, "origin", "https://"+long,
			"access-control-request-method", long, "access-control-request-headers", long[:200], "access-control-request-headers", long[:100]))
		roundTrip(t, host, req, up)
		got := observations(host, false)
		if len(got) != 1 {
			t.Fatalf("lines %q; want one", got)
		}
		o := observation(t, got[0])
		for _, f := range []string{"host", "path", "origin", "method", "request_headers"} {
			if s, _ := o[f].(string); len(s) != maxObservedValue {
				t.Errorf("%s: %d bytes; want %d", f, len(s), maxObservedValue)
			}
		}
		answer, _ := o["answer"].(map[string]any)
		if v, _ := answer["vary"].([]any); len(v) != 1 || len(v[0].(string)) != maxObservedValue {
			t.Errorf("vary %v; want one line of %d bytes", v, maxObservedValue)
		}
		if v, _ := answer["access-control-expose-headers"].([]any); len(v) != maxAnswerLines {
			t.Errorf("expose headers %v; want %d lines", v, maxAnswerLines)
		}
		want := []any{"host", "path", "origin", "method", "request_headers", "access-control-expose-headers", "vary"}
		if cut, _ := o["cut"].([]any); !slices.Equal(cut, want) {
			t.Errorf("cut %v; want %v", cut, want)
		}
		// An uncut line has no "cut".
		roundTrip(t, host, request("GET", "/billing/x", "origin", app), upstreamResponse())
		if got := observations(host, false); len(got) != 2 || strings.Contains(got[1], `"cut"`) {
			t.Errorf("lines %q; want a second without cut", got)
		}
	})
}

// Hostile bytes in the origin, host and request headers give one valid
// JSON line, which says what was sent where the bytes were valid UTF-8.
func TestObservationHostileBytes(t *testing.T) {
	const (
		origin = "https://a.example\n\r\"}, corswasm: observation {\"v\":1}\x00\x7f\u2028"
		host   = "api.example.com\"\n"
		acrh   = "x-\xff\xfe\\\"a"
	)
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		h := startHost(t, vm, observeCfg(""))
		roundTrip(t, h, onHost(host, request("OPTIONS", "/billing/\n\"", "origin", origin, "access-control-request-method", "PU\"T",
			"access-control-request-headers", acrh)), upstreamResponse("access-control-allow-origin", origin, "vary", "\xc3"))
		got := observations(h, false)
		if len(got) != 1 {
			t.Fatalf("lines %q; want one", got)
		}
		// The marker a value carries stays inside a JSON string: the first
		// marker starts one JSON object that runs to the end of the line.
		if strings.ContainsAny(got[0], "\n\r\u2028\u2029") {
			t.Errorf("line %q holds a line break", got[0])
		}
		o := observation(t, got[0])
		if o["origin"] != origin || o["host"] != host || o["method"] != "PU\"T" || o["path"] != "/billing/" {
			t.Errorf("observation %v: values not as sent", o)
		}
		if o["request_headers"] != "x-\ufffd\ufffd\\\"a" {
			t.Errorf("request_headers %q; want the invalid bytes as U+FFFD", o["request_headers"])
		}
	})
}

// log_level "warn" logs the lines at warning level, and none at info.
func TestObservationWarnLevel(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, observeCfg(`{"log_level": "warn"}`))
		roundTrip(t, host, request("GET", "/billing/x", "origin", app), upstreamResponse())
		if got := observations(host, true); len(got) != 1 {
			t.Errorf("warning lines %q; want one observation", got)
		}
		if got := observations(host, false); len(got) != 0 {
			t.Errorf("info lines %q; want no observation", got)
		}
	})
}

// Nothing is recorded for what audit mode does not decide: requests the
// enforcing top level decides, and requests without Origin; nor when
// max_entries is 0. Without audit mode no counter is defined.
func TestObservationsOnlyInAuditMode(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		t.Run("enforced and not CORS", func(t *testing.T) { observeNothingEnforced(t, vm) })
		t.Run("max_entries 0", func(t *testing.T) {
			off := startHost(t, vm, observeCfg(`{"max_entries": 0}`))
			roundTrip(t, off, request("GET", "/billing/x", "origin", app), upstreamResponse())
			if got := observations(off, false); len(got) != 0 {
				t.Errorf("lines %q; want none", got)
			}
			if _, err := off.GetCounterMetric(MetricAuditObservationsLogged); err == nil {
				t.Errorf("%s defined; want no counter", MetricAuditObservationsLogged)
			}
		})
		t.Run("enforce mode", func(t *testing.T) {
			enforce := startHost(t, vm, `{"allow_origins": ["https://app.example.com"]}`)
			roundTrip(t, enforce, request("GET", "/billing/x", "origin", app), upstreamResponse())
			if _, err := enforce.GetCounterMetric(MetricAuditObservationsLogged); err == nil {
				t.Errorf("%s defined; want no counter", MetricAuditObservationsLogged)
			}
		})
	})
}

func observeNothingEnforced(t *testing.T, vm types.VMContext) {
	{
		host := startHost(t, vm, observeCfg(""))
		roundTrip(t, host, request("GET", "/other", "origin", app), upstreamResponse())
		roundTrip(t, host, request("OPTIONS", "/other", "origin", app, "access-control-request-method", "PUT"), upstreamResponse())
		roundTrip(t, host, request("GET", "/billing/x"), upstreamResponse("access-control-allow-origin", "*"))
		if got := observations(host, false); len(got) != 0 {
			t.Errorf("lines %q; want none", got)
		}
		if n := counterValue(t, host, MetricAuditObservationsLogged); n != 0 {
			t.Errorf("%s = %d; want 0", MetricAuditObservationsLogged, n)
		}
	}
}
