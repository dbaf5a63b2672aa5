//go:build !wasip1

package main

import (
	"strings"
	"testing"

	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/hostcalls/calls"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

// Host calls per request: proxy-wasm calls only, made at least once in a
// hundred requests, sorted by name.
func TestHostCallsPerRequest(t *testing.T) {
	s := envoyhost.SoakResult{Requests: 300, HostCalls: envoyhost.HostCalls{Hostcalls: map[string]int64{
		"env.proxy_send_local_response": 100, "env.proxy_get_header_map_value": 400,
		"env.proxy_log": 2, "wasi_snapshot_preview1.clock_time_get": 900,
	}}}
	if got, want := hostCallsPerRequest(s), "get_header_map_value 1.33, send_local_response 0.33"; got != want {
		t.Errorf("hostCallsPerRequest = %q; want %q", got, want)
	}
}

// timingsOf gives every kind the same measurements, µs per run: for each
// module, one slice.
func timingsOf(perModule ...[]float64) timings {
	t := timings{}
	for i, k := range kinds {
		for _, v := range perModule {
			scaled := make([]float64, len(v))
			for j, x := range v {
				scaled[j] = x * 1000 * float64(i+1) // ns; kind i costs i+1 times as much
			}
			t[k.name] = append(t[k.name], scaled)
		}
	}
	return t
}

func sample() results {
	return results{
		module: "cors.wasm", config: "envoy/cors.json", runs: 3,
		local:  timingsOf([]float64{5, 4, 6}, []float64{7.5, 7, 8}, []float64{6, 5.5, 7}),
		envoy:  timingsOf([]float64{2, 2.5, 3}, []float64{5, 4.5, 6}, []float64{4, 3.5, 4.5}),
		allocs: &allocCount{allocs: 0, requests: 60000, memoryBefore: 4980736, memoryAfter: 4980736},
		soakN:  1000000,
		soaks: []envoyhost.SoakResult{
			{Requests: 1000000, MemoryStart: 2752512, MemoryEnd: 2752512, MemoryMax: 2752512},
			{Requests: 1000000, MemoryStart: 4718592, MemoryEnd: 4718592, MemoryMax: 4784128,
				HostCalls: envoyhost.HostCalls{Hostcalls: map[string]int64{"env.proxy_increment_metric": 1000000}}},
		},
		size: 4918894, passthroughSize: 1900755, floorSize: 1939658,
		calls: &callResults{n: 10,
			local: callTimesOf([]float64{5000, 5500, 4500}, 20),
			envoy: callTimesOf([]float64{2400, 2500, 2300}, 100)},
	}
}

// callTimesOf gives the kinds per-call times of three runs: the i-th kind
// (from 0) base·(i+1) in the middle, 5 ns less and 20 more around it.
func callTimesOf(none []float64, base float64) *callTimes {
	t := &callTimes{none: none, perCall: map[string][]float64{}}
	for i, k := range calls.Kinds {
		m := base * float64(i+1)
		t.perCall[k.Name] = []float64{m + 20, m, m - 5}
	}
	return t
}

// The table: per kind, each host's pass-through and cors.wasm medians with
// their ranges and the ratio of the medians; the floor module's median, its
// ratio to the pass-through's and cors.wasm's median minus its own; one host
// call of each kind in each host, median and range in ns, and the time of a
// request without one; then allocations, memory, host calls and sizes.
func TestTable(t *testing.T) {
	want := `Module benchmark: cors.wasm against the pass-through module, configuration envoy/cors.json; 3 runs each, interleaved; median (range), ratio of the medians.

| request | local host: pass-through µs | cors.wasm µs | ratio | Envoy host library: pass-through µs | cors.wasm µs | ratio |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 5.00 (4.00–6.00) | 7.50 (7.00–8.00) | 1.50× | 2.50 (2.00–3.00) | 5.00 (4.50–6.00) | 2.00× |
| actual, allowed (3 headers and Vary added) | 10.00 (8.00–12.00) | 15.00 (14.00–16.00) | 1.50× | 5.00 (4.00–6.00) | 10.00 (9.00–12.00) | 2.00× |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 15.00 (12.00–18.00) | 22.50 (21.00–24.00) | 1.50× | 7.50 (6.00–9.00) | 15.00 (13.50–18.00) | 2.00× |

The floor module (tools/floor) makes cors.wasm's host calls for each kind and nothing else, in the same runs: floor/pass-through is what the host calls alone cost, cors.wasm − floor (difference of the medians) the filter's own work.

| request | local host: floor µs | floor/pass-through | cors.wasm − floor µs | Envoy host library: floor µs | floor/pass-through | cors.wasm − floor µs |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 6.00 (5.50–7.00) | 1.20× | 1.50 | 4.00 (3.50–4.50) | 1.60× | 1.00 |
| actual, allowed (3 headers and Vary added) | 12.00 (11.00–14.00) | 1.20× | 3.00 | 8.00 (7.00–9.00) | 1.60× | 2.00 |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 18.00 (16.50–21.00) | 1.20× | 4.50 | 12.00 (10.50–13.50) | 1.60× | 3.00 |

One host call: the hostcalls module (tools/hostcalls) makes 10 calls of one kind per request on the response header map, and nothing else; (its time − its time with no call) / 10, each run against its own run's, ns per call, median (range).

| host call | local host ns | Envoy host library ns |
|---|---|---|
| get_header_map_value, header present (the host calls back proxy_on_memory_allocate) | 20 (15–40) | 100 (95–120) |
| get_header_map_value, header absent | 40 (35–60) | 200 (195–220) |
| get_header_map_pairs, the whole response map (allocated in the module, as a present value) | 60 (55–80) | 300 (295–320) |
| remove_header_map_value, header absent | 80 (75–100) | 400 (395–420) |
| replace_header_map_value, a present header with its own value | 100 (95–120) | 500 (495–520) |
| add_header_map_value (each call adds a line the response then carries) | 120 (115–140) | 600 (595–620) |
| increment_metric | 140 (135–160) | 700 (695–720) |
| set_property, the same property again (corswasm's verdict_filter_state: a filter state entry) | 160 (155–180) | 800 (795–820) |
| (a request with no call, µs) | 5.00 (4.50–5.50) | 2.40 (2.30–2.50) |

| measure | value |
|---|---|
| heap allocations per request (allocation-counting build, local host, the three kinds: 60000 requests after warm-up) | 0.0000 (0 allocations in 60000 requests) |
| linear memory, local host, after warm-up → after 60000 more requests | 4.75 MiB → 4.75 MiB |
| linear memory, Envoy host library, 1000000 mixed requests: cors.wasm start → end (max) | 4.50 MiB → 4.50 MiB (4.56 MiB) |
| the same for the pass-through module | 2.62 MiB → 2.62 MiB (2.62 MiB) |
| host calls per request in the soak (cors.wasm) | increment_metric 1.00 |
| module size | 4918894 bytes (pass-through 1900755, floor 1939658) |
`
	if got := sample().table(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

// Without Envoy's host library the table says why and leaves its columns
// and rows out; without the counting build, the allocation rows.
func TestTableWithoutEnvoyHost(t *testing.T) {
	r := sample()
	r.envoy, r.soaks, r.allocs, r.calls.envoy = nil, nil, nil, nil
	r.envoyNote = "Envoy host library: not measured: the envoyhost kit is unavailable: no ../shared/envoyhost/build.sh"
	got := r.table()
	for _, want := range []string{
		"| not CORS (response gets Vary) | 5.00 (4.00–6.00) | 7.50 (7.00–8.00) | 1.50× | – | – | – |\n",
		"| not CORS (response gets Vary) | 6.00 (5.50–7.00) | 1.20× | 1.50 | – | – | – |\n",
		"| increment_metric | 140 (135–160) | – |\n| set_property, the same property again (corswasm's verdict_filter_state: a filter state entry) | 160 (155–180) | – |\n| (a request with no call, µs) | 5.00 (4.50–5.50) | – |\n\n",
		"\n\nEnvoy host library: not measured: the envoyhost kit is unavailable: no ../shared/envoyhost/build.sh\n\n| measure | value |\n|---|---|\n| module size |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"heap allocations", "Envoy host library, ", "host calls per request"} {
		if strings.Contains(got, absent) {
			t.Errorf("table has %q:\n%s", absent, got)
		}
	}
}

// A -before build gets a table of its own against the same pass-through runs.
func TestTableBefore(t *testing.T) {
	r := sample()
	r.before, r.beforeSize = "/tmp/old.wasm", 5464664
	r.local = timingsOf([]float64{5, 4, 6}, []float64{7.5, 7, 8}, []float64{6, 5.5, 7}, []float64{10, 9, 11})
	r.envoy = timingsOf([]float64{2, 2.5, 3}, []float64{5, 4.5, 6}, []float64{4, 3.5, 4.5}, []float64{7.5, 7, 8})
	want := `
The same runs, /tmp/old.wasm (5464664 bytes), interleaved with the others:

| request | local host µs | ratio | Envoy host library µs | ratio |
|---|---|---|---|---|
| not CORS (response gets Vary) | 10.00 (9.00–11.00) | 2.00× | 7.50 (7.00–8.00) | 3.00× |
| actual, allowed (3 headers and Vary added) | 20.00 (18.00–22.00) | 2.00× | 15.00 (14.00–16.00) | 3.00× |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 30.00 (27.00–33.00) | 2.00× | 22.50 (21.00–24.00) | 3.00× |
`
	got := r.table()
	if !strings.HasSuffix(got, want) {
		t.Errorf("table:\n%s\nwant it to end with:\n%s", got, want)
	}
	for _, want := range []string{
		"| not CORS (response gets Vary) | 5.00 (4.00–6.00) | 7.50 (7.00–8.00) | 1.50× |",
		"| not CORS (response gets Vary) | 6.00 (5.50–7.00) | 1.20× | 1.50 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the -before build's timings moved cors.wasm's or the floor's: no %q in\n%s", want, got)
		}
	}
}

// Without the hostcalls module's measurements (-call-n 0) there is no
// one-host-call table.
func TestTableWithoutCalls(t *testing.T) {
	r := sample()
	r.calls = nil
	if got := r.table(); strings.Contains(got, "One host call") {
		t.Errorf("table has the one-host-call table:\n%s", got)
	}
}
