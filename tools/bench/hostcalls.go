//go:build !wasip1

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/hostcalls/calls"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// The "one host call" table: what one proxy-wasm host call of each kind
// costs in each host, the prices behind the filter's choices of what to ask
// the host. The hostcalls module (tools/hostcalls) makes n calls of one kind
// per request, in its response callback, and nothing else per request; (its
// time with n calls − its time with none) / n is one call.
//
// Each run measures the module with no call, then with n calls of each kind
// in turn. With no call the module does the same whatever kind its
// configuration names, so that one measurement is every kind's baseline in
// its run: in Envoy's host library each measurement starts the harness,
// about a second of compiling the module, and a baseline per kind would
// double the table's time. Each run's difference is taken against its own
// baseline, so a machine that slows down between runs moves both.

// callTimes are one host's runs: ns per request with no call, and ns per
// call of each kind by name, (t(n) − t(none)) / n of the same run.
type callTimes struct {
	none    []float64
	perCall map[string][]float64
}

// callRequest is the request every measurement serves: the module ignores
// it, and the upstream's answer carries calls.Present.
var callRequest = kinds[0]

// callRuns makes runs runs in one host: measure(config) is the module's ns
// per request with that plugin configuration.
func callRuns(runs, n int, measure func(config []byte) (float64, error)) (*callTimes, error) {
	t := &callTimes{perCall: map[string][]float64{}}
	for range runs {
		none, err := measure(calls.Config(calls.Kinds[0], 0))
		if err != nil {
			return nil, fmt.Errorf("no call: %w", err)
		}
		t.none = append(t.none, none)
		for _, k := range calls.Kinds {
			ns, err := measure(calls.Config(k, n))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.Name, err)
			}
			t.perCall[k.Name] = append(t.perCall[k.Name], (ns-none)/float64(n))
		}
	}
	return t, nil
}

// localCalls measures in the local host: one host per configuration, each
// warmed up first, then count requests per measurement.
func localCalls(module []byte, runs, n, count int) (*callTimes, error) {
	hosts := map[string]*wasmhost.Host{}
	configs := [][]byte{calls.Config(calls.Kinds[0], 0)}
	for _, k := range calls.Kinds {
		configs = append(configs, calls.Config(k, n))
	}
	for _, c := range configs {
		h, err := newHost(module, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		defer h.Close(context.Background())
		if _, err := timeLocal(h, callRequest, max(count/10, 1)); err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		hosts[string(c)] = h
	}
	t, err := callRuns(runs, n, func(config []byte) (float64, error) {
		return timeLocal(hosts[string(config)], callRequest, count)
	})
	if err != nil {
		return nil, err
	}
	// The module logs a critical line when a call answers otherwise than
	// the table says (a present header absent, a failed call).
	for c, h := range hosts {
		for _, l := range h.Logs() {
			if l.Level >= wasmhost.LevelError {
				return nil, fmt.Errorf("%s: the module logged %q", c, l.Message)
			}
		}
	}
	return t, nil
}

// envoyCalls measures in Envoy's host library: one soak of loop streams per
// measurement. soak fails on a critical line the module logs.
func envoyCalls(ctx context.Context, opts envoyhost.Options, module string, runs, n, loop int) (*callTimes, error) {
	requests := []envoyhost.Request{harnessRequest(callRequest)}
	return callRuns(runs, n, func(config []byte) (float64, error) {
		opts := opts
		opts.Config = config
		s, err := soak(ctx, opts, module, loop, requests)
		return s.NsPerRequest, err
	})
}

// callTable renders the table: per kind, ns per call in each host, median
// (range) over the runs; then each host's time per request without a call.
func (r results) callTable() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("One host call: the hostcalls module (tools/hostcalls) makes %d calls of one kind per request on the response header map, "+
		"and nothing else; (its time − its time with no call) / %d, each run against its own run's, ns per call, median (range).\n\n", r.callN, r.callN)
	p("| host call |")
	for _, h := range r.hosts {
		p(" %s ns |", h.name)
	}
	p("\n|---|%s\n", strings.Repeat("---|", len(r.hosts)))
	for _, k := range calls.Kinds {
		p("| %s |", k.Label)
		for _, h := range r.hosts {
			if h.calls == nil {
				p(" – |")
			} else {
				p(" %s |", nsCell(h.calls.perCall[k.Name]))
			}
		}
		p("\n")
	}
	p("| (a request with no call, µs) |")
	for _, h := range r.hosts {
		if h.calls == nil {
			p(" – |")
		} else {
			p(" %s |", cell(h.calls.none))
		}
	}
	p("\n")
	return b.String()
}

// nsCell is a median and range in ns.
func nsCell(ns []float64) string {
	return fmt.Sprintf("%.0f (%.0f–%.0f)", median(ns), slices.Min(ns), slices.Max(ns))
}
