//go:build !wasip1

package main

import (
	"slices"
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
	soaks := []envoyhost.SoakResult{
		{Requests: 1000000, MemoryStart: 2752512, MemoryEnd: 2752512, MemoryMax: 2752512},
		{Requests: 1000000, MemoryStart: 4718592, MemoryEnd: 4718592, MemoryMax: 4784128,
			HostCalls: envoyhost.HostCalls{Hostcalls: map[string]int64{"env.proxy_increment_metric": 1000000}}},
	}
	return results{
		module: "cors.wasm", config: "envoy/cors.json", runs: 3,
		hosts: []host{
			{name: "local host", times: timingsOf([]float64{5, 4, 6}, []float64{7.5, 7, 8}, []float64{6, 5.5, 7}),
				calls: callTimesOf([]float64{5000, 5500, 4500}, 20)},
			{name: "Envoy host library, Wasmtime", times: timingsOf([]float64{2, 2.5, 3}, []float64{5, 4.5, 6}, []float64{4, 3.5, 4.5}),
				calls: callTimesOf([]float64{2400, 2500, 2300}, 100), soaks: soaks},
			{name: "Envoy host library, V8", times: timingsOf([]float64{3, 3.5, 4}, []float64{6, 5.5, 7}, []float64{5, 4.5, 5.5}),
				calls: callTimesOf([]float64{3400, 3500, 3300}, 50),
				soaks: []envoyhost.SoakResult{
					{Requests: 1000000, MemoryStart: 2818048, MemoryEnd: 2818048, MemoryMax: 2818048},
					{Requests: 1000000, MemoryStart: 4849664, MemoryEnd: 4849664, MemoryMax: 4849664,
						HostCalls: envoyhost.HostCalls{Hostcalls: map[string]int64{"env.proxy_increment_metric": 1000000}}},
				}},
		},
		allocs: &allocCount{allocs: 0, requests: 60000, memoryBefore: 4980736, memoryAfter: 4980736},
		soakN:  1000000,
		size:   4918894, passthroughSize: 1900755, floorSize: 1939658,
		callN: 10,
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

// The table: per host, per kind, the pass-through and cors.wasm medians
// with their ranges and the ratio of the medians, the floor module's median,
// its ratio to the pass-through's and cors.wasm's median minus its own; one
// host call of each kind in each host, median and range in ns, and the time
// of a request without one; then allocations, memory per VM in each engine,
// host calls and sizes.
func TestTable(t *testing.T) {
	want := `Module benchmark: cors.wasm against the pass-through module, and the floor module (tools/floor: cors.wasm's host calls for each kind and nothing else), configuration envoy/cors.json; 3 runs each, interleaved; median (range), ratio of the medians. floor/pass-through is what the host calls alone cost, cors.wasm − floor (difference of the medians) the filter's own work.

Local host:

| request | pass-through µs | cors.wasm µs | ratio | floor µs | floor/pass-through | cors.wasm − floor µs |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 5.00 (4.00–6.00) | 7.50 (7.00–8.00) | 1.50× | 6.00 (5.50–7.00) | 1.20× | 1.50 |
| actual, allowed (3 headers and Vary added) | 10.00 (8.00–12.00) | 15.00 (14.00–16.00) | 1.50× | 12.00 (11.00–14.00) | 1.20× | 3.00 |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 15.00 (12.00–18.00) | 22.50 (21.00–24.00) | 1.50× | 18.00 (16.50–21.00) | 1.20× | 4.50 |

Envoy host library, Wasmtime:

| request | pass-through µs | cors.wasm µs | ratio | floor µs | floor/pass-through | cors.wasm − floor µs |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 2.50 (2.00–3.00) | 5.00 (4.50–6.00) | 2.00× | 4.00 (3.50–4.50) | 1.60× | 1.00 |
| actual, allowed (3 headers and Vary added) | 5.00 (4.00–6.00) | 10.00 (9.00–12.00) | 2.00× | 8.00 (7.00–9.00) | 1.60× | 2.00 |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 7.50 (6.00–9.00) | 15.00 (13.50–18.00) | 2.00× | 12.00 (10.50–13.50) | 1.60× | 3.00 |

Envoy host library, V8:

| request | pass-through µs | cors.wasm µs | ratio | floor µs | floor/pass-through | cors.wasm − floor µs |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 3.50 (3.00–4.00) | 6.00 (5.50–7.00) | 1.71× | 5.00 (4.50–5.50) | 1.43× | 1.00 |
| actual, allowed (3 headers and Vary added) | 7.00 (6.00–8.00) | 12.00 (11.00–14.00) | 1.71× | 10.00 (9.00–11.00) | 1.43× | 2.00 |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 10.50 (9.00–12.00) | 18.00 (16.50–21.00) | 1.71× | 15.00 (13.50–16.50) | 1.43× | 3.00 |

One host call: the hostcalls module (tools/hostcalls) makes 10 calls of one kind per request on the response header map, and nothing else; (its time − its time with no call) / 10, each run against its own run's, ns per call, median (range).

| host call | local host ns | Envoy host library, Wasmtime ns | Envoy host library, V8 ns |
|---|---|---|---|
| get_header_map_value, header present (the host calls back proxy_on_memory_allocate) | 20 (15–40) | 100 (95–120) | 50 (45–70) |
| get_header_map_value, header absent | 40 (35–60) | 200 (195–220) | 100 (95–120) |
| get_header_map_pairs, the whole response map (allocated in the module, as a present value) | 60 (55–80) | 300 (295–320) | 150 (145–170) |
| remove_header_map_value, header absent | 80 (75–100) | 400 (395–420) | 200 (195–220) |
| replace_header_map_value, a present header with its own value | 100 (95–120) | 500 (495–520) | 250 (245–270) |
| add_header_map_value (each call adds a line the response then carries) | 120 (115–140) | 600 (595–620) | 300 (295–320) |
| increment_metric | 140 (135–160) | 700 (695–720) | 350 (345–370) |
| set_property, the same property again (corswasm's verdict_filter_state: a filter state entry) | 160 (155–180) | 800 (795–820) | 400 (395–420) |
| (a request with no call, µs) | 5.00 (4.50–5.50) | 2.40 (2.30–2.50) | 3.40 (3.30–3.50) |

| measure | value |
|---|---|
| heap allocations per request (allocation-counting build, local host, the three kinds: 60000 requests after warm-up) | 0.0000 (0 allocations in 60000 requests) |
| linear memory, local host, after warm-up → after 60000 more requests | 4.75 MiB → 4.75 MiB |
| linear memory per VM, Envoy host library, Wasmtime, 1000000 mixed requests: cors.wasm start → end (max) | 4.50 MiB → 4.50 MiB (4.56 MiB) |
| the same for the pass-through module | 2.62 MiB → 2.62 MiB (2.62 MiB) |
| host calls per request in the soak (cors.wasm), Envoy host library, Wasmtime | increment_metric 1.00 |
| linear memory per VM, Envoy host library, V8, 1000000 mixed requests: cors.wasm start → end (max) | 4.62 MiB → 4.62 MiB (4.62 MiB) |
| the same for the pass-through module | 2.69 MiB → 2.69 MiB (2.69 MiB) |
| host calls per request in the soak (cors.wasm), Envoy host library, V8 | increment_metric 1.00 |
| module size | 4918894 bytes (pass-through 1900755, floor 1939658) |
`
	if got := sample().table(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

// An engine not measured (no kit, or its build's packages missing): the
// table says why and leaves that engine's table, columns and rows out;
// without the counting build, the allocation rows.
func TestTableWithoutEnvoyHost(t *testing.T) {
	r := sample()
	r.allocs = nil
	r.hosts[2] = host{name: "Envoy host library, V8", note: "Envoy host library, V8: not measured: the envoyhost kit is unavailable: prerequisites missing"}
	got := r.table()
	for _, want := range []string{
		"| not CORS (response gets Vary) | 2.50 (2.00–3.00) | 5.00 (4.50–6.00) | 2.00× | 4.00 (3.50–4.50) | 1.60× | 1.00 |\n",
		"\n\nEnvoy host library, V8: not measured: the envoyhost kit is unavailable: prerequisites missing\n\nOne host call",
		"| increment_metric | 140 (135–160) | 700 (695–720) | – |\n| set_property, the same property again (corswasm's verdict_filter_state: a filter state entry) | 160 (155–180) | 800 (795–820) | – |\n| (a request with no call, µs) | 5.00 (4.50–5.50) | 2.40 (2.30–2.50) | – |\n\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"heap allocations", "Envoy host library, V8:\n", "Envoy host library, V8, ", "soak (cors.wasm), Envoy host library, V8"} {
		if strings.Contains(got, absent) {
			t.Errorf("table has %q:\n%s", absent, got)
		}
	}
}

// A -before build gets a table of its own against the same pass-through
// runs, with a column pair per host.
func TestTableBefore(t *testing.T) {
	r := sample()
	r.before, r.beforeSize = "/tmp/old.wasm", 5464664
	r.hosts[0].times = timingsOf([]float64{5, 4, 6}, []float64{7.5, 7, 8}, []float64{6, 5.5, 7}, []float64{10, 9, 11})
	r.hosts[1].times = timingsOf([]float64{2, 2.5, 3}, []float64{5, 4.5, 6}, []float64{4, 3.5, 4.5}, []float64{7.5, 7, 8})
	r.hosts[2] = host{name: "Envoy host library, V8", note: "Envoy host library, V8: not measured"}
	want := `
The same runs, /tmp/old.wasm (5464664 bytes), interleaved with the others:

| request | local host µs | ratio | Envoy host library, Wasmtime µs | ratio | Envoy host library, V8 µs | ratio |
|---|---|---|---|---|---|---|
| not CORS (response gets Vary) | 10.00 (9.00–11.00) | 2.00× | 7.50 (7.00–8.00) | 3.00× | – | – |
| actual, allowed (3 headers and Vary added) | 20.00 (18.00–22.00) | 2.00× | 15.00 (14.00–16.00) | 3.00× | – | – |
| preflight, allowed (cors.wasm answers; pass-through forwards) | 30.00 (27.00–33.00) | 2.00× | 22.50 (21.00–24.00) | 3.00× | – | – |
`
	got := r.table()
	if !strings.HasSuffix(got, want) {
		t.Errorf("table:\n%s\nwant it to end with:\n%s", got, want)
	}
	for _, want := range []string{
		"| not CORS (response gets Vary) | 5.00 (4.00–6.00) | 7.50 (7.00–8.00) | 1.50× | 6.00 (5.50–7.00) | 1.20× | 1.50 |",
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
	r.callN = 0
	if got := r.table(); strings.Contains(got, "One host call") {
		t.Errorf("table has the one-host-call table:\n%s", got)
	}
}

// -engines chooses the engines, in the tables' order, and refuses an
// unknown one.
func TestChosenEngines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"wasmtime,v8", []string{"Wasmtime", "V8"}},
		{"V8, wasmtime", []string{"Wasmtime", "V8"}},
		{"v8", []string{"V8"}},
		{"", nil},
	} {
		got, err := chosenEngines(tc.in)
		if err != nil {
			t.Fatalf("chosenEngines(%q): %v", tc.in, err)
		}
		var names []string
		for _, e := range got {
			names = append(names, e.name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("chosenEngines(%q) = %v; want %v", tc.in, names, tc.want)
		}
	}
	if _, err := chosenEngines("wasmtime,spidermonkey"); err == nil || !strings.Contains(err.Error(), "spidermonkey") {
		t.Errorf("chosenEngines with an unknown engine: %v; want an error naming it", err)
	}
}
