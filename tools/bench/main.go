//go:build !wasip1

// Command bench prints the module benchmark table of `make bench`: per kind
// of request, what cors.wasm costs against a pass-through module built on
// the same Go runtime and ABI binding, in the local host (tools/wasmhost, on
// wazero) and in Envoy's own Wasm host library on each engine the kit
// builds it for, Wasmtime and V8 (the envoyhost kit's harness, through
// package tools/envoyhost, when the kit can be built; -engines chooses);
// what the floor module (tools/floor: cors.wasm's host calls and nothing
// else) costs against the same pass-through, and cors.wasm minus the floor, the filter's
// own work; what one host call of each kind costs in each host (the
// hostcalls module, tools/hostcalls); heap allocations per request (the
// allocation-counting test build); linear memory after many requests; the
// modules' sizes. Each host gets a table of its own; linear memory per VM
// is reported for each engine.
//
// Timings on a shared machine are noisy: the modules run in the same
// process, interleaved, each measurement is repeated (-runs) and the table
// shows medians, ranges and the ratio of the medians.
//
//	go -C tools run ./bench -module ../build/cors.wasm -allocstat ../build/cors-allocstat.wasm
//
// Files: kinds.go the requests, local.go and envoy.go the hosts (envoy.go
// the engines), allocs.go the allocation count, hostcalls.go the
// one-host-call table, table.go the rest of the output.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

type options struct {
	module, allocstat, passthrough, floor, config string
	before, hostcalls                             string
	runs, localN, envoyLoop, soak                 int
	// callN is the hostcalls module's calls per request (0: no
	// one-host-call table); callLocalN and callEnvoyLoop its requests per
	// measurement. In Envoy's host library that is a tenth of the module
	// table's: the table makes eight measurements per run, each starting
	// the harness (about a second of compiling the module), and n calls
	// per request are a difference of microseconds, which fewer requests
	// still show.
	callN, callLocalN, callEnvoyLoop int
	// harnesses are the harness binaries given by engine name (default:
	// built by the kit); engines the engines measured.
	harnesses map[string]*string
	engines   string
}

func main() {
	var o options
	flag.StringVar(&o.module, "module", "build/cors.wasm", "the module")
	flag.StringVar(&o.allocstat, "allocstat", "build/cors-allocstat.wasm", "the allocation-counting test build of the module (\"\": no allocation count)")
	flag.StringVar(&o.passthrough, "passthrough", "", "the pass-through module (default: built from tools/passthrough)")
	flag.StringVar(&o.floor, "floor", "", "the floor module, cors.wasm's host calls alone (default: built from tools/floor)")
	flag.StringVar(&o.hostcalls, "hostcalls", "", "the hostcalls module, one kind of host call N times (default: built from tools/hostcalls)")
	flag.IntVar(&o.callN, "call-n", 10, "host calls per request of the hostcalls module, for the one-host-call table (0: no such table)")
	flag.IntVar(&o.callLocalN, "call-local-n", 40000, "requests per measurement of the hostcalls module in the local host")
	flag.IntVar(&o.callEnvoyLoop, "call-envoy-loop", 20000, "requests per measurement of the hostcalls module in Envoy's host library")
	flag.StringVar(&o.config, "config", "envoy/cors.json", "the plugin configuration")
	flag.IntVar(&o.runs, "runs", 5, "measurements of each kind and module")
	flag.IntVar(&o.localN, "local-n", 20000, "requests per measurement in the local host")
	flag.IntVar(&o.envoyLoop, "envoy-loop", 200000, "requests per measurement in Envoy's host library (the harness's --loop)")
	flag.IntVar(&o.soak, "soak", 1000000, "mixed requests of the memory soak")
	o.harnesses = map[string]*string{
		"Wasmtime": flag.String("harness", "", "the envoyhost harness binary on Wasmtime (default: built by the kit, $ENVOYHOST_KIT or ../shared/envoyhost)"),
		"V8":       flag.String("harness-v8", "", "the envoyhost harness binary on V8 (default: built by the kit with ENVOYHOST_ENGINE=v8)"),
	}
	flag.StringVar(&o.engines, "engines", "wasmtime,v8", "the engines Envoy's host library is measured on, comma-separated (\"\": none)")
	flag.StringVar(&o.before, "before", "", "another build of the module (e.g. before a change), measured interleaved with the others and shown in a second table")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run measures and prints the table. Relative paths start at the
// repository's root.
func run(ctx context.Context, o options) error {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return err
	}
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(root, *p)
		}
	}
	for _, p := range []*string{&o.module, &o.allocstat, &o.config, &o.passthrough, &o.floor, &o.hostcalls, &o.before, o.harnesses["Wasmtime"], o.harnesses["V8"]} {
		abs(p)
	}
	config, err := os.ReadFile(o.config)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "corswasm-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, m := range []struct {
		path      *string
		pkg, name string
		used      bool
	}{
		{&o.passthrough, "./passthrough", "the pass-through module", true},
		{&o.floor, "./floor", "the floor module", true},
		{&o.hostcalls, "./hostcalls", "the hostcalls module", o.callN > 0},
	} {
		if *m.path == "" && m.used {
			if *m.path, err = buildToolsModule(root, tmp, m.pkg); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
		}
	}
	// In the order of the module indices (modPassthrough…).
	paths := []string{o.passthrough, o.module, o.floor}
	if o.before != "" {
		paths = append(paths, o.before)
	}
	modules := make([][]byte, len(paths))
	for i, p := range paths {
		if modules[i], err = os.ReadFile(p); err != nil {
			return fmt.Errorf("%w (make bench builds the modules)", err)
		}
	}
	measured, err := chosenEngines(o.engines)
	if err != nil {
		return err
	}
	r := results{module: filepath.Base(o.module), config: rel(root, o.config), runs: o.runs, soakN: o.soak,
		size: len(modules[modCors]), passthroughSize: len(modules[modPassthrough]), floorSize: len(modules[modFloor])}
	if o.before != "" {
		r.before, r.beforeSize = rel(root, o.before), len(modules[modBefore])
	}

	local := host{name: "local host"}
	progress("local host: %d runs of %d requests per kind and module", o.runs, o.localN)
	if local.times, err = localTimes(modules, config, o.runs, o.localN); err != nil {
		return fmt.Errorf("local host: %w", err)
	}
	if o.allocstat != "" {
		bin, err := os.ReadFile(o.allocstat)
		if err != nil {
			return fmt.Errorf("%w (make bench builds it)", err)
		}
		a, err := localAllocs(bin, config, o.localN)
		if err != nil {
			return fmt.Errorf("local host, %s: %w", filepath.Base(o.allocstat), err)
		}
		r.allocs = &a
	}
	if o.callN > 0 {
		r.callN = o.callN
		hostcalls, err := os.ReadFile(o.hostcalls)
		if err != nil {
			return fmt.Errorf("the hostcalls module: %w", err)
		}
		progress("local host, one host call: %d runs of %d requests, with none and with %d calls of each kind", o.runs, o.callLocalN, o.callN)
		if local.calls, err = localCalls(hostcalls, o.runs, o.callN, o.callLocalN); err != nil {
			return fmt.Errorf("local host, the hostcalls module: %w", err)
		}
	}
	r.hosts = append(r.hosts, local)

	for _, e := range measured {
		h, err := envoyHost(ctx, o, e, config, paths)
		if err != nil {
			return fmt.Errorf("Envoy host library, %s: %w", e.name, err)
		}
		r.hosts = append(r.hosts, h)
	}
	fmt.Print(r.table())
	return nil
}

// chosenEngines returns the engines named in list (comma-separated, case
// ignored), in the tables' order.
func chosenEngines(list string) ([]engine, error) {
	var out []engine
	names := strings.Split(strings.ToLower(list), ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	for _, e := range engines {
		if slices.Contains(names, e.kit) {
			out = append(out, e)
		}
	}
	for _, n := range names {
		if n != "" && !slices.ContainsFunc(engines, func(e engine) bool { return e.kit == n }) {
			return nil, fmt.Errorf("-engines: unknown engine %q (wasmtime, v8)", n)
		}
	}
	return out, nil
}

// envoyHost measures Envoy's host library on engine e: the modules' times,
// the memory soaks and the one-host-call table. Without the kit it returns
// the host with a note.
func envoyHost(ctx context.Context, o options, e engine, config []byte, paths []string) (host, error) {
	h := host{name: "Envoy host library, " + e.name}
	harnessPath, note, err := harness(ctx, *o.harnesses[e.name], e)
	if err != nil || note != "" {
		progress("%s", note)
		h.note = note
		return h, err
	}
	opts := envoyhost.Options{Harness: harnessPath, Config: config, Restricted: envoyhost.RestrictedTrap, NoReload: true}
	progress("%s (%s): %d runs of --loop %d per kind and module", h.name, harnessPath, o.runs, o.envoyLoop)
	if h.times, err = envoyTimes(ctx, opts, paths, o.runs, o.envoyLoop); err != nil {
		return h, err
	}
	progress("%s: memory soak of %d mixed requests per module", h.name, o.soak)
	if h.soaks, err = envoySoaks(ctx, opts, []string{paths[modPassthrough], paths[modCors]}, o.soak); err != nil {
		return h, err
	}
	if o.callN > 0 {
		progress("%s, one host call: %d runs of --loop %d, with none and with %d calls of each kind", h.name, o.runs, o.callEnvoyLoop, o.callN)
		if h.calls, err = envoyCalls(ctx, opts, o.hostcalls, o.runs, o.callN, o.callEnvoyLoop); err != nil {
			return h, fmt.Errorf("the hostcalls module: %w", err)
		}
	}
	return h, nil
}

// buildToolsModule builds the tools module's main package pkg (e.g.
// "./floor") as make build builds cors.wasm, into dir, and returns its path.
func buildToolsModule(root, dir, pkg string) (string, error) {
	bin, err := testmodule.Build(filepath.Join(root, "tools"), pkg)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, filepath.Base(pkg)+".wasm")
	return path, os.WriteFile(path, bin, 0o644)
}

// rel is p relative to the repository's root, when it is inside it.
func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
