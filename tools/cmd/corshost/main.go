//go:build !wasip1

// Command corshost runs the corswasm module (build/cors.wasm) locally, in
// the Envoy-faithful proxy-wasm host of package tools/wasmhost, in front of
// an upstream: by default a built-in echo upstream (package tools/echo).
// `make run` builds the module and starts it with the example
// configuration, envoy/cors.json:
//
//	make run
//	make run CONFIG=my.json UPSTREAM=http://127.0.0.1:8080 LISTEN=127.0.0.1:8000
//	make run CONFIG=envoy/wasmplugin.yaml
//	make run CONFIG=tools/e2e/envoy.yaml PLUGIN=corswasm-forward
//
// -config reads any file `corswasm check` reads, through the same code
// (internal/configsource): a corswasm JSON file, or corswasm's plugin in
// an Envoy configuration, an Istio WasmPlugin or EnvoyFilter, or a kubectl
// List, other teams' plugins skipped with a note. A file with several
// corswasm plugins needs -plugin (PLUGIN) to name the one to run.
//
// or, without make, from the repository's root (corshost is in the tools
// module, tools/):
//
//	go -C tools build -o ../build/corshost ./cmd/corshost
//	build/corshost -config envoy/cors.json -upstream http://127.0.0.1:8080
//
// On start it prints what it loaded, the plugin's log lines (on stderr),
// its addresses and curl commands that show the configuration at work: an
// allowed preflight, a refused one and an actual request. The admin
// address serves the plugin's counters at /stats, /ready and /logs, like a
// small part of Envoy's admin interface. SIGINT (Ctrl-C) or SIGTERM stop it
// cleanly. A configuration the plugin refuses makes it exit 1, printing
// the plugin's errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/tools/wasmhost"
)

// Exit codes of run.
const (
	exitOK    = 0
	exitError = 1 // bad configuration, missing module, unusable address
	exitUsage = 2 // bad flags, as the flag package does
)

// shutdownTimeout bounds the graceful shutdown: requests still in flight
// after it are cut.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// Once the first signal started the shutdown, a second one kills
		// the process the default way.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command-line flags.
type options struct {
	module   string
	config   string
	plugin   string
	upstream string
	listen   string
	admin    string
	wasi     string
	vms      int
	failOpen bool
}

// parseFlags reads the flags in args, reporting problems and -h on stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("corshost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corshost [flags]\n\n"+
			"Runs the corswasm module in the local proxy-wasm host, in front of an upstream.\n"+
			"`make run` builds the module and runs this with the example configuration.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.module, "module", "build/cors.wasm", "the proxy-wasm `file` to run (make build writes build/cors.wasm)")
	fs.StringVar(&o.config, "config", "envoy/cors.json", "the plugin configuration `file`: a corswasm JSON file, or an Envoy configuration, Istio WasmPlugin or EnvoyFilter, Envoy Gateway EnvoyExtensionPolicy or kubectl List holding corswasm's plugin (as corswasm check reads it)")
	fs.StringVar(&o.plugin, "plugin", "", "in a -config file with several corswasm plugins, run the one this `pattern` names (as corswasm check's --plugin)")
	fs.StringVar(&o.upstream, "upstream", "", "the `URL` of the service behind the filter; empty starts a built-in echo upstream")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:10000", "the `address` of the filtered listener (Envoy's listener)")
	fs.StringVar(&o.admin, "admin", "127.0.0.1:9901", "the `address` of the admin interface (/stats, /ready, /logs)")
	fs.StringVar(&o.wasi, "wasi", wasmhost.WASIEnvoy133, "the WASI `profile`: "+wasmhost.WASIEnvoy133+" or "+wasmhost.WASICurrent)
	fs.IntVar(&o.vms, "vms", 2, "the number of VMs, like Envoy's --concurrency")
	fs.BoolVar(&o.failOpen, "fail-open", false, "let requests through unfiltered once their VM failed (Envoy's fail_open)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q: corshost takes flags only (see -h)", fs.Arg(0))
	}
	if o.wasi != wasmhost.WASIEnvoy133 && o.wasi != wasmhost.WASICurrent {
		return o, fmt.Errorf("-wasi %q: use %s or %s", o.wasi, wasmhost.WASIEnvoy133, wasmhost.WASICurrent)
	}
	if o.vms < 1 {
		return o, fmt.Errorf("-vms %d: use 1 or more", o.vms)
	}
	return o, nil
}

// parseArgs reads the command line: the flags, and the -upstream URL (nil
// for the built-in echo upstream).
func parseArgs(args []string, stderr io.Writer) (options, *url.URL, error) {
	o, err := parseFlags(args, stderr)
	if err != nil || o.upstream == "" {
		return o, nil, err
	}
	u, err := parseUpstream(o.upstream)
	if err != nil {
		return o, nil, fmt.Errorf("-upstream: %w", err)
	}
	return o, u, nil
}

// parseUpstream checks the -upstream URL: the host sends every request to
// its scheme and host, so a path or query would be silently ignored.
func parseUpstream(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: want an http:// or https:// URL such as http://127.0.0.1:8080", s)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: give only scheme://host[:port]; requests keep their own path", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// run is the whole command: it starts the host with the flags in args,
// prints to stdout what it loaded and how to try it, mirrors the plugin's
// log to stderr, and serves until ctx is done. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, upstreamURL, err := parseArgs(args, stderr)
	if err != nil {
		return usageExit(stderr, err)
	}
	in, err := readInputs(o)
	var choose *choiceError
	if errors.As(err, &choose) {
		return usageExit(stderr, err)
	}
	if err != nil {
		return fail(stderr, err)
	}
	for _, n := range in.pluginConfig.notes {
		fmt.Fprintf(stderr, "corshost: %s\n", n)
	}
	lns, err := bindListeners(o)
	if err != nil {
		return fail(stderr, err)
	}
	defer lns.close()

	c := &command{stdout: stdout, stderr: stderr, errLog: log.New(stderr, "corshost: ", 0)}
	defer c.closeServers()
	up, err := c.startUpstream(upstreamURL)
	if err != nil {
		return fail(stderr, err)
	}
	printLoaded(stdout, o, len(in.module), in.pluginConfig.label)
	host, err := startHost(ctx, o, in, up.url, stderr)
	if err != nil {
		return c.startFailed(ctx, in.pluginConfig.label, err)
	}
	proxy := c.serveHost(host, lns)
	printServing(stdout, up, lns, in.pluginConfig.data)
	return c.shutdown(proxy, host, c.wait(ctx))
}

// usageExit reports a bad command line and returns the exit code; -h is
// not an error.
func usageExit(stderr io.Writer, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "corshost: %v\n", err)
	return exitUsage
}

// fail reports err, which stopped the command before it served, and
// returns the exit code.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "corshost: %v\n", err)
	return exitError
}

// inputs are the files the command reads before it starts anything.
type inputs struct {
	module       []byte       // the proxy-wasm module
	pluginConfig pluginConfig // its plugin configuration
}

// readInputs reads the module and the plugin configuration, saying how to
// get a module when there is none; a configuration file that holds
// several corswasm configurations is a *choiceError.
func readInputs(o options) (inputs, error) {
	module, err := os.ReadFile(o.module)
	if errors.Is(err, os.ErrNotExist) {
		return inputs{}, fmt.Errorf("no module at %s: run make build first (or use make run, which builds it), or point -module at a .wasm file", o.module)
	}
	if err != nil {
		return inputs{}, fmt.Errorf("reading the module: %w", err)
	}
	data, err := os.ReadFile(o.config)
	if err != nil {
		return inputs{}, fmt.Errorf("reading the configuration: %w", err)
	}
	pc, err := readPluginConfig(o.config, data, o.plugin)
	if err != nil {
		return inputs{}, err
	}
	return inputs{module: module, pluginConfig: pc}, nil
}
