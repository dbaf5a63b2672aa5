//go:build !wasip1

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/corswasm/corswasm/tools/envoyhost"
)

// Envoy's host library: the envoyhost kit's harness, driven by package
// envoyhost, restricted calls trapping as in Envoy with V8.

// engine is a Wasm runtime the kit's harness can run Envoy's host library
// on: its name in the tables, and its ENVOYHOST_ENGINE value.
type engine struct{ name, kit string }

// engines are those make bench measures, in the tables' order: Wasmtime,
// and V8, Envoy's default runtime.
var engines = []engine{{"Wasmtime", "wasmtime"}, {"V8", "v8"}}

// engineEnv is the variable that chooses the engine of the harness the kit
// builds (../shared/envoyhost/README.md).
const engineEnv = "ENVOYHOST_ENGINE"

// harness returns the harness binary for engine e: given, or built by the
// kit with e's ENVOYHOST_ENGINE. Without the kit (or its build's packages)
// it returns a note for the table instead; a kit that fails to build is an
// error.
func harness(ctx context.Context, given string, e engine) (path, note string, err error) {
	if given != "" {
		if _, err := os.Stat(given); err != nil {
			return "", "", err
		}
		return given, "", nil
	}
	old, had := os.LookupEnv(engineEnv)
	os.Setenv(engineEnv, e.kit)
	path, err = envoyhost.Harness(ctx)
	if had {
		os.Setenv(engineEnv, old)
	} else {
		os.Unsetenv(engineEnv)
	}
	if errors.Is(err, envoyhost.ErrKitUnavailable) {
		return "", "Envoy host library, " + e.name + ": not measured: " + err.Error(), nil
	}
	return path, "", err
}

// harnessRequest is a kind as the harness takes it.
func harnessRequest(k kind) envoyhost.Request {
	headers := []envoyhost.Header{{":method", k.method}, {":path", path}, {":authority", authority}, {":scheme", "https"}}
	headers = append(headers, k.headers...)
	return envoyhost.Request{
		Name:     k.name,
		Headers:  append(headers, common...),
		Upstream: &envoyhost.Response{Status: 200, Headers: upstreamHeaders},
	}
}

// soak runs n streams of the requests through the module and fails on
// anything that makes the soak unclean.
func soak(ctx context.Context, opts envoyhost.Options, module string, n int, requests []envoyhost.Request) (envoyhost.SoakResult, error) {
	opts.Module = module
	s, err := envoyhost.Soak(ctx, opts, n, requests)
	if p := s.Problems(); err == nil && p != nil {
		err = errors.New(strings.Join(p, "; "))
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w", filepath.Base(module), err)
	}
	return s, nil
}

// envoyTimes measures ns per request in Envoy's host library: runs soaks
// of loop streams per kind and module, interleaved.
func envoyTimes(ctx context.Context, opts envoyhost.Options, modules []string, runs, loop int) (timings, error) {
	res := newTimings(len(modules))
	for range runs {
		for _, k := range kinds {
			for i, m := range modules {
				s, err := soak(ctx, opts, m, loop, []envoyhost.Request{harnessRequest(k)})
				if err != nil {
					return nil, err
				}
				res[k.name][i] = append(res[k.name][i], s.NsPerRequest)
			}
		}
	}
	return res, nil
}

// envoySoaks soaks each module with n requests cycling through every kind:
// its linear memory and host calls.
func envoySoaks(ctx context.Context, opts envoyhost.Options, modules []string, n int) ([]envoyhost.SoakResult, error) {
	var mix []envoyhost.Request
	for _, k := range kinds {
		mix = append(mix, harnessRequest(k))
	}
	var out []envoyhost.SoakResult
	for _, m := range modules {
		s, err := soak(ctx, opts, m, n, mix)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
