//go:build !wasip1

// Command envoyhostbench measures the time per request of cors.wasm in
// Envoy's own Wasm host library (the envoyhost kit's harness, package
// tools/envoyhost), against the pass-through module (tools/passthrough),
// which does nothing on the same Go runtime and ABI binding: their ratio is
// what the CORS filter costs per request in Envoy's host, host overhead in
// both. `make bench` runs it:
//
//	go -C tools run ./cmd/envoyhostbench -module ../build/cors.wasm
//
// Each request kind is a soak of -requests streams on one worker VM, run
// -rounds times for each module, alternating them so that the noise of a
// shared machine falls on both; the table gives medians. Timings are
// Wasmtime's, not V8's: compare the ratios. Without the kit it says what is
// missing and exits 0, except under CI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "envoyhostbench:", err)
		os.Exit(1)
	}
}

// kinds are the requests measured, as in BenchmarkModuleRequest
// (tools/e2e): the upstream answers 200 with a Vary of its own.
var kinds = []struct {
	name    string
	headers []envoyhost.Header
}{
	{"not CORS", nil},
	{"actual, allowed", []envoyhost.Header{{"origin", "https://app.example.com"}}},
	{"preflight, allowed", []envoyhost.Header{{"origin", "https://app.example.com"},
		{"access-control-request-method", "PUT"}, {"access-control-request-headers", "content-type,x-request-id"}}},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("envoyhostbench", flag.ContinueOnError)
	module := fs.String("module", "../build/cors.wasm", "the cors.wasm module")
	config := fs.String("config", "e2e/testdata/main.json", "the plugin configuration")
	requests := fs.Int("requests", 200000, "streams per soak")
	rounds := fs.Int("rounds", 3, "soaks per module and request kind")
	if err := fs.Parse(args); err != nil {
		return err
	}
	harness, err := envoyhost.Harness(ctx)
	if errors.Is(err, envoyhost.ErrKitUnavailable) && os.Getenv("CI") == "" {
		fmt.Fprintf(stdout, "envoyhostbench: skipped: %v\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	cfg, err := os.ReadFile(*config)
	if err != nil {
		return err
	}
	passthrough, err := passthroughModule()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(passthrough))

	modules := []string{passthrough, *module}
	rows := make([]row, len(kinds))
	var host string
	// Rounds outermost, modules innermost: a noisy minute of the machine
	// falls on every kind and on both modules alike.
	for range *rounds {
		for k, kind := range kinds {
			rows[k].kind = kind.name
			for m, path := range modules {
				opts := envoyhost.Options{Harness: harness, Module: path, Config: cfg, Restricted: envoyhost.RestrictedTrap, NoReload: true}
				s, err := envoyhost.Soak(ctx, opts, *requests, []envoyhost.Request{request(kind.headers)})
				if err != nil {
					return err
				}
				if s.Failures != 0 || s.Mismatches != 0 {
					return fmt.Errorf("%s, %s: %d failures (%q), %d mismatches (%s)", path, kind.name, s.Failures, s.FailureExamples, s.Mismatches, s.FirstMismatch)
				}
				rows[k].ns[m] = append(rows[k].ns[m], s.NsPerRequest)
				host = fmt.Sprintf("proxy-wasm-cpp-host %.7s, %s", s.CppHost, s.Runtime)
			}
		}
	}
	fmt.Fprintf(stdout, "In Envoy's Wasm host library (%s), restricted calls trapping:\n%d streams per soak, median of %d soaks\n\n",
		host, *requests, *rounds)
	return writeTable(stdout, rows)
}

// request is a request with the given headers, a preflight (OPTIONS) when
// it asks for a method, and the upstream's answer if it is forwarded.
func request(headers []envoyhost.Header) envoyhost.Request {
	method := "GET"
	for _, h := range headers {
		if h.Name() == "access-control-request-method" {
			method = "OPTIONS"
		}
	}
	return envoyhost.Request{
		Headers: append([]envoyhost.Header{{":method", method}, {":path", "/items?id=1"},
			{":authority", "api.example.com"}, {":scheme", "https"}}, headers...),
		Upstream: &envoyhost.Response{Status: 200, Headers: []envoyhost.Header{{"content-type", "application/json"}, {"vary", "Accept-Encoding"}}},
	}
}

// passthroughModule builds tools/passthrough into a temporary file.
func passthroughModule() (string, error) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return "", err
	}
	bin, err := testmodule.Build(filepath.Join(root, "tools"), "./passthrough")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "envoyhostbench")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "passthrough.wasm")
	return path, os.WriteFile(path, bin, 0o644)
}
