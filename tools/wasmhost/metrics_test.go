//go:build !wasip1

package wasmhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestMetricsSharedAcrossVMs: both VMs define the same metrics and add to
// the same values, as with Envoy's stats store.
func TestMetricsSharedAcrossVMs(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t), VMs: 2})
	maxServed := 0
	for range 6 {
		resp, _ := do(t, srv, "GET", "/", "")
		n, _ := strconv.Atoi(resp.Header.Get("X-Test-Served"))
		maxServed = max(maxServed, n)
	}
	if maxServed >= 6 {
		t.Fatalf("one VM served all 6 requests; want them spread over both VMs")
	}
	for name, want := range map[string]uint64{
		"requests_total":                  6,
		"wasmcustom.requests_total":       6,
		"logs_total":                      6, // proxy_on_log ran for every request
		"request_header_count":            6, // histogram: samples
		"wasmcustom.request_header_count": 6,
	} {
		if got, ok := h.Counter(name); !ok || got != want {
			t.Errorf("Counter(%q) = %d, %v; want %d, true", name, got, ok, want)
		}
	}
	if _, ok := h.Counter("nope"); ok {
		t.Error(`Counter("nope") found a metric`)
	}
	stats := h.Stats()
	if len(stats) != 3 || stats["wasmcustom.requests_total"] != 6 {
		t.Errorf("Stats() = %v; want the three metrics by their Envoy names", stats)
	}
}

// TestHostCalls: calls are counted by qualified name, start-up's included,
// so that the difference of two snapshots is what the requests between them
// called. testdata/testfilter defines three metrics at start-up and, per
// request, increments one in the request callback and one in proxy_on_log,
// records one histogram sample and reads each header map whole once.
func TestHostCalls(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t), VMs: 1})
	before := h.HostCalls()
	if n := before["env.proxy_define_metric"]; n != 3 {
		t.Errorf("start-up: env.proxy_define_metric %d; want 3 (calls %v)", n, before)
	}
	if n := before["env.proxy_get_buffer_bytes"]; n != 1 {
		t.Errorf("start-up: env.proxy_get_buffer_bytes %d; want 1 (calls %v)", n, before)
	}
	if _, ok := before["env.proxy_increment_metric"]; ok {
		t.Errorf("start-up: env.proxy_increment_metric counted before any request (calls %v)", before)
	}
	for range 2 {
		do(t, srv, "GET", "/", "")
	}
	after := h.HostCalls()
	for name, want := range map[string]uint64{
		"env.proxy_define_metric":        0,
		"env.proxy_get_buffer_bytes":     0,
		"env.proxy_increment_metric":     4,
		"env.proxy_record_metric":        2,
		"env.proxy_get_header_map_pairs": 4,
	} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("two requests: %s %d; want %d (calls %v → %v)", name, got, want, before, after)
		}
	}
}

func TestStatsStore(t *testing.T) {
	t.Parallel()
	var s statsStore
	c, st := s.define(metricCounter, "c")
	if c != 0 || st != statusOK {
		t.Fatalf("first counter: id %d status %d; want id 0 (kind in the low bits, as in Envoy)", c, st)
	}
	if again, _ := s.define(metricCounter, "c"); again != c {
		t.Errorf("defining c again gave id %d; want %d", again, c)
	}
	if _, st := s.define(metricGauge, "c"); st != statusBadArgument {
		t.Errorf("c as a gauge: status %d; want BadArgument", st)
	}
	if _, st := s.define(3, "x"); st != statusBadArgument {
		t.Errorf("metric type 3: status %d; want BadArgument", st)
	}
	g, _ := s.define(metricGauge, "g")
	hist, _ := s.define(metricHistogram, "h")
	steps := []struct {
		desc string
		got  uint32
		want uint32
	}{
		{"counter +2", s.increment(c, 2), statusOK},
		{"counter -1", s.increment(c, -1), statusBadArgument},
		{"counter record 3", s.record(c, 3), statusOK},
		{"gauge +5", s.increment(g, 5), statusOK},
		{"gauge -2", s.increment(g, -2), statusOK},
		{"histogram +1", s.increment(hist, 1), statusBadArgument},
		{"histogram record", s.record(hist, 40), statusOK},
		{"unknown id", s.increment(c+4*10, 1), statusNotFound},
		{"id of the wrong kind", s.increment(c|1, 1), statusNotFound},
	}
	for _, step := range steps {
		if step.got != step.want {
			t.Errorf("%s: status %d; want %d", step.desc, step.got, step.want)
		}
	}
	if v, st := s.get(c); v != 5 || st != statusOK {
		t.Errorf("counter = %d (%d); want 5", v, st)
	}
	if v, _ := s.get(g); v != 3 {
		t.Errorf("gauge = %d; want 3", v)
	}
	s.record(g, 9)
	if v, _ := s.get(g); v != 9 {
		t.Errorf("gauge after record = %d; want 9 (record sets a gauge)", v)
	}
	if _, st := s.get(hist); st != statusBadArgument {
		t.Errorf("get(histogram) status %d; want BadArgument", st)
	}
	want := "wasmcustom.c: 5\nwasmcustom.g: 9\nwasmcustom.h: count(1) sum(40)\n"
	if got := s.text(); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
}

func TestAdmin(t *testing.T) {
	t.Parallel()
	h, err := New(context.Background(), Config{Module: testFilter(t), Upstream: newUpstream(t, nil), VMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, h)
	admin := httptest.NewServer(h.Admin())
	defer admin.Close()
	do(t, srv, "GET", "/", "")
	get := func(path string) (int, string) {
		resp, err := http.Get(admin.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/stats"); code != 200 || body != "wasmcustom.logs_total: 1\nwasmcustom.request_header_count: count(1) sum(6)\nwasmcustom.requests_total: 1\n" {
		t.Errorf("/stats: %d\n%s", code, body)
	}
	if code, body := get("/ready"); code != 200 || body != "LIVE\n" {
		t.Errorf("/ready: %d %q; want 200 LIVE", code, body)
	}
	code, body := get("/logs")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	var first LogLine
	var raw map[string]any
	if code != 200 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[0]), &raw) != nil ||
		first.Message != "vm_start vm_config_size=0" || raw["level"] != "info" {
		t.Errorf("/logs: %d\n%s", code, body)
	}
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body := get("/ready"); code != 503 || body != "DRAINING\n" {
		t.Errorf("/ready after Close: %d %q; want 503 DRAINING", code, body)
	}
	if resp, _ := do(t, srv, "GET", "/", ""); resp.StatusCode != 503 {
		t.Errorf("request after Close: %d; want 503", resp.StatusCode)
	}
	if err := h.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
