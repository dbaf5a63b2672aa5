//go:build !wasip1

// Command corshost runs the corswasm module (build/cors.wasm) locally, in
// the Envoy-faithful proxy-wasm host of package tools/wasmhost, in front of
// an upstream: by default a built-in echo upstream (package tools/echo).
// `make run` builds the module and starts it with the example
// configuration, envoy/cors.json:
//
//	make run
//	make run CONFIG=my.json UPSTREAM=http://127.0.0.1:8080 LISTEN=127.0.0.1:8000
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
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/tools/echo"
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
	fs.StringVar(&o.config, "config", "envoy/cors.json", "the plugin configuration `file` (JSON)")
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

// run is the whole command: it starts the host with the flags in args,
// prints to stdout what it loaded and how to try it, mirrors the plugin's
// log to stderr, and serves until ctx is done. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "corshost: %v\n", err)
		return exitUsage
	}
	var upstream *url.URL // nil: the built-in echo upstream
	if o.upstream != "" {
		if upstream, err = parseUpstream(o.upstream); err != nil {
			fmt.Fprintf(stderr, "corshost: -upstream: %v\n", err)
			return exitUsage
		}
	}

	module, err := os.ReadFile(o.module)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stderr, "corshost: no module at %s: run make build first (or use make run, which builds it), or point -module at a .wasm file\n", o.module)
		} else {
			fmt.Fprintf(stderr, "corshost: reading the module: %v\n", err)
		}
		return exitError
	}
	pluginConfig, err := os.ReadFile(o.config)
	if err != nil {
		fmt.Fprintf(stderr, "corshost: reading the configuration: %v\n", err)
		return exitError
	}

	// Bind both addresses before loading the module, so that a port in use
	// is reported at once. Connections wait in the backlog until serving.
	ln, err := listen(o.listen, "-listen", "LISTEN")
	if err != nil {
		fmt.Fprintf(stderr, "corshost: %v\n", err)
		return exitError
	}
	defer ln.Close()
	adminLn, err := listen(o.admin, "-admin", "ADMIN")
	if err != nil {
		fmt.Fprintf(stderr, "corshost: %v\n", err)
		return exitError
	}
	defer adminLn.Close()

	var servers []*server
	defer func() {
		for _, s := range servers {
			_ = s.srv.Close()
		}
	}()
	errLog := log.New(stderr, "corshost: ", 0)
	builtinEcho := upstream == nil
	upstreamNote := ""
	if builtinEcho {
		echoLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintf(stderr, "corshost: starting the echo upstream: %v\n", err)
			return exitError
		}
		servers = append(servers, serve("the echo upstream", echo.Handler(), echoLn, errLog))
		upstream = &url.URL{Scheme: "http", Host: echoLn.Addr().String()}
		upstreamNote = " (built-in echo upstream: answers with JSON describing the request it got)"
	}

	fmt.Fprintf(stdout, "corshost: corswasm in a local proxy-wasm host (Envoy-like; see tools/wasmhost)\n")
	fmt.Fprintf(stdout, "  module:   %s (%s)\n", o.module, size(len(module)))
	fmt.Fprintf(stdout, "  config:   %s\n", o.config)
	fmt.Fprintf(stdout, "  host:     WASI %s, %d VM(s), %s\n", o.wasi, o.vms, map[bool]string{false: "fail-closed", true: "fail-open"}[o.failOpen])

	// The plugin's log goes to stderr, but only once the configuration is
	// accepted: a refused one is reported from New's error, which quotes
	// the same lines.
	pluginLog := &gate{w: stderr}
	host, err := wasmhost.New(ctx, wasmhost.Config{
		Module:       module,
		PluginConfig: pluginConfig,
		Upstream:     upstream,
		VMs:          o.vms,
		WASI:         o.wasi,
		FailOpen:     o.failOpen,
		LogOutput:    pluginLog,
	})
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(stdout, "corshost: interrupted while starting. Bye.")
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "corshost: the module did not start with %s:\n", o.config)
		printIndented(stderr, err.Error())
		return exitError
	}
	pluginLog.open()

	proxy := serve("the listener", host, ln, errLog)
	admin := serve("the admin interface", host.Admin(), adminLn, errLog)
	servers = append(servers, proxy, admin)

	base := "http://" + dialable(ln.Addr())
	adminBase := "http://" + dialable(adminLn.Addr())
	fmt.Fprintf(stdout, "  upstream: %s%s\n", upstream, upstreamNote)
	fmt.Fprintf(stdout, "  listen:   %s\n", base)
	fmt.Fprintf(stdout, "  admin:    %s (/stats, /ready, /logs)\n", adminBase)
	fmt.Fprintln(stdout)
	ex := examples(pluginConfig, base, builtinEcho)
	fmt.Fprintln(stdout, "Try it:")
	for _, n := range ex.notes {
		fmt.Fprintf(stdout, "  (%s)\n", n)
	}
	for _, e := range ex.requests {
		fmt.Fprintln(stdout)
		fmt.Fprintf(stdout, "  # %s\n", e.title)
		fmt.Fprintf(stdout, "  %s\n", e.curl())
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "  # the filter's counters")
	fmt.Fprintf(stdout, "  curl -s %s/stats\n", adminBase)
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "Serving. Ctrl-C to stop.")

	code := exitOK
	select {
	case <-ctx.Done():
	case s := <-failed(servers):
		fmt.Fprintf(stderr, "corshost: %s stopped: %v\n", s.name, s.err)
		code = exitError
	}

	fmt.Fprintln(stdout, "corshost: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// In-flight requests finish first (they hold VMs), then the VMs go,
	// then the admin interface and the upstream.
	if err := proxy.srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "corshost: stopping the listener: %v\n", err)
		code = exitError
	}
	if err := host.Close(sctx); err != nil {
		fmt.Fprintf(stderr, "corshost: stopping the host: %v\n", err)
		code = exitError
	}
	for _, s := range servers {
		if s == proxy {
			continue
		}
		if err := s.srv.Shutdown(sctx); err != nil {
			fmt.Fprintf(stderr, "corshost: stopping %s: %v\n", s.name, err)
			code = exitError
		}
	}
	if code == exitOK {
		fmt.Fprintln(stdout, "corshost: stopped. Bye.")
	}
	return code
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

// listen binds addr, explaining the usual failures: flagName and makeVar
// say how to choose another address.
func listen(addr, flagName, makeVar string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s (%s): the address is already in use, by another corshost or Envoy perhaps; choose another with %s host:port (make run %s=host:port)", addr, flagName, flagName, makeVar)
	}
	return nil, fmt.Errorf("cannot listen on %s (%s): %w", addr, flagName, err)
}

// dialable is the address of a listener as a client reaches it: an
// unspecified IP (0.0.0.0, ::) becomes the loopback address.
func dialable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// server is one HTTP server of the command and how it ended.
type server struct {
	name string
	srv  *http.Server
	done chan struct{} // closed when Serve returned
	err  error         // Serve's error, other than http.ErrServerClosed
}

// serve starts serving h on ln in the background.
func serve(name string, h http.Handler, ln net.Listener, errLog *log.Logger) *server {
	s := &server{
		name: name,
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// failed delivers the first server whose Serve returned on its own.
func failed(servers []*server) <-chan *server {
	ch := make(chan *server, len(servers))
	for _, s := range servers {
		go func() {
			<-s.done
			if s.err != nil {
				ch <- s
			}
		}()
	}
	return ch
}

// gate is a writer that holds what it gets until open is called, then
// passes everything through. Writes may come from several goroutines.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	held   []byte
	opened bool
}

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		g.held = append(g.held, p...)
		return len(p), nil
	}
	return g.w.Write(p)
}

// open writes what was held and lets later writes through.
func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, _ = g.w.Write(g.held)
	g.held, g.opened = nil, true
}

// printIndented prints a multi-line message, such as wasmhost.New's error
// with the plugin's output, one line each, with the message's tabs turned
// into indentation.
func printIndented(w io.Writer, msg string) {
	for line := range strings.SplitSeq(msg, "\n") {
		depth := len(line) - len(strings.TrimLeft(line, "\t"))
		fmt.Fprintf(w, "  %s%s\n", strings.Repeat("  ", depth), strings.TrimSpace(line))
	}
}

// size formats a byte count for people.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
