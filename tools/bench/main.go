//go:build !wasip1

// Command bench prints the module benchmark table of `make bench`: per kind
// of request, what cors.wasm costs against a pass-through module built on
// the same Go runtime and ABI binding, in the local host (tools/wasmhost, on
// wazero) and in Envoy's own Wasm host library (the envoyhost kit's harness,
// through package tools/envoyhost, when the kit can be built); what the
// floor module (tools/floor: cors.wasm's host calls and nothing else) costs
// against the same pass-through, and cors.wasm minus the floor, the filter's
// own work; what one host call of each kind costs in each host (the
// hostcalls module, tools/hostcalls); heap allocations per request (the
// allocation-counting test build); linear memory after many requests; the
// modules' sizes.
//
// Timings on a shared machine are noisy: the modules run in the same
// process, interleaved, each measurement is repeated (-runs) and the table
// shows medians, ranges and the ratio of the medians.
//
//	go -C tools run ./bench -module ../build/cors.wasm -allocstat ../build/cors-allocstat.wasm
//
// Files: kinds.go the requests, local.go and envoy.go the two hosts,
// allocs.go the allocation count, hostcalls.go the one-host-call table,
// table.go the rest of the output.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

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
	harness                          string
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
	flag.StringVar(&o.harness, "harness", "", "the envoyhost harness binary (default: built by the kit, $ENVOYHOST_KIT or ../shared/envoyhost)")
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
	for _, p := range []*string{&o.module, &o.allocstat, &o.config, &o.passthrough, &o.floor, &o.hostcalls, &o.harness, &o.before} {
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
	r := results{module: filepath.Base(o.module), config: rel(root, o.config), runs: o.runs, soakN: o.soak,
		size: len(modules[modCors]), passthroughSize: len(modules[modPassthrough]), floorSize: len(modules[modFloor])}
	if o.before != "" {
		r.before, r.beforeSize = rel(root, o.before), len(modules[modBefore])
	}

	progress("local host: %d runs of %d requests per kind and module", o.runs, o.localN)
	if r.local, err = localTimes(modules, config, o.runs, o.localN); err != nil {
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
	var hostcalls []byte
	if o.callN > 0 {
		if hostcalls, err = os.ReadFile(o.hostcalls); err != nil {
			return fmt.Errorf("the hostcalls module: %w", err)
		}
		r.calls = &callResults{n: o.callN}
		progress("local host, one host call: %d runs of %d requests, with none and with %d calls of each kind", o.runs, o.callLocalN, o.callN)
		if r.calls.local, err = localCalls(hostcalls, o.runs, o.callN, o.callLocalN); err != nil {
			return fmt.Errorf("local host, the hostcalls module: %w", err)
		}
	}

	h, note, err := harness(ctx, o.harness)
	if err != nil {
		return err
	}
	if note != "" {
		progress("%s", note)
		r.envoyNote = note
	} else {
		opts := envoyhost.Options{Harness: h, Config: config, Restricted: envoyhost.RestrictedTrap, NoReload: true}
		progress("Envoy host library (%s): %d runs of --loop %d per kind and module", h, o.runs, o.envoyLoop)
		if r.envoy, err = envoyTimes(ctx, opts, paths, o.runs, o.envoyLoop); err != nil {
			return fmt.Errorf("Envoy host library: %w", err)
		}
		progress("Envoy host library: memory soak of %d mixed requests per module", o.soak)
		if r.soaks, err = envoySoaks(ctx, opts, []string{paths[modPassthrough], paths[modCors]}, o.soak); err != nil {
			return fmt.Errorf("Envoy host library: %w", err)
		}
		if r.calls != nil {
			progress("Envoy host library, one host call: %d runs of --loop %d, with none and with %d calls of each kind", o.runs, o.callEnvoyLoop, o.callN)
			if r.calls.envoy, err = envoyCalls(ctx, opts, o.hostcalls, o.runs, o.callN, o.callEnvoyLoop); err != nil {
				return fmt.Errorf("Envoy host library, the hostcalls module: %w", err)
			}
		}
	}
	fmt.Print(r.table())
	return nil
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
