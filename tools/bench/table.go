//go:build !wasip1

package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/tools/envoyhost"
)

// timings are ns per request by kind name, then module (modPassthrough…),
// one value per run.
type timings map[string][][]float64

// The modules measured, as indices in timings: the -before build only with
// that option.
const (
	modPassthrough = iota
	modCors
	modFloor
	modBefore
)

func newTimings(modules int) timings {
	t := timings{}
	for _, k := range kinds {
		t[k.name] = make([][]float64, modules)
	}
	return t
}

// host is one host's measurements: the local host, or Envoy's host library
// on one engine.
type host struct {
	// name heads the host's table and columns: "local host", "Envoy host
	// library, Wasmtime"...
	name string
	// times is nil when the host was not measured, and note says why.
	times timings
	note  string
	// calls is the one-host-call table's runs in this host (nil without
	// that table).
	calls *callTimes
	// soaks are the memory soaks in Envoy's host library, of soakN mixed
	// requests: the pass-through module, then cors.wasm (none in the local
	// host).
	soaks []envoyhost.SoakResult
}

// results is everything the table shows.
type results struct {
	module, config string // as shown
	runs           int
	// hosts are the local host, then Envoy's host library on each engine.
	hosts []host
	// allocs is nil without the allocation-counting build.
	allocs *allocCount
	soakN  int
	// size, passthroughSize and floorSize are the modules' sizes in bytes.
	size, passthroughSize, floorSize int
	// before names the -before build ("" without one), beforeSize its
	// size; its timings are modBefore's.
	before     string
	beforeSize int
	// callN is the hostcalls module's calls per request, 0 without the
	// one-host-call table.
	callN int
}

// table renders the results as the Markdown tables make bench prints.
func (r results) table() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("Module benchmark: %s against the pass-through module, and the floor module (tools/floor: cors.wasm's host calls for each kind and nothing else), "+
		"configuration %s; %d runs each, interleaved; median (range), ratio of the medians. "+
		"floor/pass-through is what the host calls alone cost, cors.wasm − floor (difference of the medians) the filter's own work.\n\n",
		r.module, r.config, r.runs)
	for _, h := range r.hosts {
		if h.times == nil {
			p("%s\n\n", h.note)
			continue
		}
		p("%s:\n\n", upperFirst(h.name))
		p("| request | pass-through µs | cors.wasm µs | ratio | floor µs | floor/pass-through | cors.wasm − floor µs |\n")
		p("|---|---|---|---|---|---|---|\n")
		for _, k := range kinds {
			p("| %s | %s | %s | %s |\n", k.label, cell(h.times[k.name][modPassthrough]), h.times.against(k, modCors), h.times.floor(k))
		}
		p("\n")
	}
	if r.callN > 0 {
		p("%s\n", r.callTable())
	}
	p("| measure | value |\n|---|---|\n")
	if a := r.allocs; a != nil {
		p("| heap allocations per request (allocation-counting build, local host, the three kinds: %d requests after warm-up) | %.4f (%d allocations in %d requests) |\n",
			a.requests, float64(a.allocs)/float64(a.requests), a.allocs, a.requests)
		p("| linear memory, local host, after warm-up → after %d more requests | %s → %s |\n", a.requests, mib(a.memoryBefore), mib(a.memoryAfter))
	}
	for _, h := range r.hosts {
		if len(h.soaks) != 2 {
			continue
		}
		pt, cors := h.soaks[0], h.soaks[1]
		p("| linear memory per VM, %s, %d mixed requests: cors.wasm start → end (max) | %s → %s (%s) |\n",
			h.name, r.soakN, mib(cors.MemoryStart), mib(cors.MemoryEnd), mib(cors.MemoryMax))
		p("| the same for the pass-through module | %s → %s (%s) |\n", mib(pt.MemoryStart), mib(pt.MemoryEnd), mib(pt.MemoryMax))
		p("| host calls per request in the soak (cors.wasm), %s | %s |\n", h.name, hostCallsPerRequest(cors))
	}
	p("| module size | %d bytes (pass-through %d, floor %d) |\n", r.size, r.passthroughSize, r.floorSize)
	if r.before != "" {
		p("\nThe same runs, %s (%d bytes), interleaved with the others:\n\n", r.before, r.beforeSize)
		p("| request |")
		for _, h := range r.hosts {
			p(" %s µs | ratio |", h.name)
		}
		p("\n|---|%s\n", strings.Repeat("---|---|", len(r.hosts)))
		for _, k := range kinds {
			p("| %s |", k.label)
			for _, h := range r.hosts {
				if h.times == nil {
					p(" – | – |")
				} else {
					p(" %s |", h.times.against(k, modBefore))
				}
			}
			p("\n")
		}
	}
	return b.String()
}

// upperFirst capitalises s's first letter (ASCII).
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// against is module m's cell for kind k and the ratio of its median to the
// pass-through's: "µs | ratio".
func (t timings) against(k kind, m int) string {
	v := t[k.name]
	return fmt.Sprintf("%s | %.2f×", cell(v[m]), median(v[m])/median(v[modPassthrough]))
}

// floor is the floor module's cells for kind k: "µs | ratio to the
// pass-through | cors.wasm − floor µs".
func (t timings) floor(k kind) string {
	v := t[k.name]
	return fmt.Sprintf("%s | %.2f", t.against(k, modFloor), (median(v[modCors])-median(v[modFloor]))/1000)
}

// cell is a measurement's median and range in µs.
func cell(ns []float64) string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(ns)/1000, slices.Min(ns)/1000, slices.Max(ns)/1000)
}

// median returns the middle value (the mean of the two middle ones for an
// even count), 0 for none.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mib(b int64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// hostCallsPerRequest lists the proxy-wasm host calls (env.proxy_*) the soak
// made per request, those made at least once in a hundred requests, by name.
// The counts include start-up's, spread over the soak.
func hostCallsPerRequest(s envoyhost.SoakResult) string {
	var calls []string
	for name, n := range s.Hostcalls {
		per := float64(n) / float64(s.Requests)
		if call, ok := strings.CutPrefix(name, "env.proxy_"); ok && per >= 0.01 {
			calls = append(calls, fmt.Sprintf("%s %.2f", call, per))
		}
	}
	slices.Sort(calls)
	return strings.Join(calls, ", ")
}
