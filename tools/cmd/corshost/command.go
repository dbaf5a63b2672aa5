//go:build !wasip1

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/tools/echo"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// command is one run of the command once its flags and files are read:
// where it writes, and the servers it started.
type command struct {
	stdout, stderr io.Writer
	errLog         *log.Logger // the servers' error log
	servers        []*server   // every server started, in order
}

// listeners are the addresses the command serves on.
type listeners struct {
	proxy net.Listener // the filtered listener (Envoy's listener)
	admin net.Listener // the admin interface
}

// bindListeners binds both addresses before the module loads, so that a
// port in use is reported at once. Connections wait in the backlog until
// serving.
func bindListeners(o options) (listeners, error) {
	proxy, err := listen(o.listen, "-listen", "LISTEN")
	if err != nil {
		return listeners{}, err
	}
	admin, err := listen(o.admin, "-admin", "ADMIN")
	if err != nil {
		proxy.Close()
		return listeners{}, err
	}
	return listeners{proxy: proxy, admin: admin}, nil
}

func (l listeners) close() {
	l.admin.Close()
	l.proxy.Close()
}

// upstream is the service behind the filter.
type upstream struct {
	url     *url.URL
	builtin bool   // the built-in echo upstream
	note    string // printed after its URL
}

// startUpstream returns u as the upstream or, when u is nil, starts the
// built-in echo upstream on a free loopback port.
func (c *command) startUpstream(u *url.URL) (upstream, error) {
	if u != nil {
		return upstream{url: u}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return upstream{}, fmt.Errorf("starting the echo upstream: %w", err)
	}
	c.servers = append(c.servers, serve("the echo upstream", echo.Handler(), ln, c.errLog))
	return upstream{
		url:     &url.URL{Scheme: "http", Host: ln.Addr().String()},
		builtin: true,
		note:    " (built-in echo upstream: answers with JSON describing the request it got)",
	}, nil
}

// startHost starts the module's VMs with the plugin configuration. The
// plugin's log goes to stderr, but only once the configuration is
// accepted: a refused one is reported from New's error, which quotes the
// same lines.
func startHost(ctx context.Context, o options, in inputs, upstream *url.URL, stderr io.Writer) (*wasmhost.Host, error) {
	pluginLog := &gate{w: stderr}
	host, err := wasmhost.New(ctx, wasmhost.Config{
		Module:       in.module,
		PluginConfig: in.pluginConfig.data,
		Upstream:     upstream,
		VMs:          o.vms,
		WASI:         o.wasi,
		FailOpen:     o.failOpen,
		LogOutput:    pluginLog,
	})
	if err != nil {
		return nil, err
	}
	pluginLog.open()
	return host, nil
}

// startFailed reports why the host did not start with the configuration
// config (its file, and its place in the file), and returns the exit code: being interrupted while starting
// is a clean exit.
func (c *command) startFailed(ctx context.Context, config string, err error) int {
	if ctx.Err() != nil {
		fmt.Fprintln(c.stdout, "corshost: interrupted while starting. Bye.")
		return exitOK
	}
	fmt.Fprintf(c.stderr, "corshost: the module did not start with %s:\n", config)
	printIndented(c.stderr, err.Error())
	return exitError
}

// serveHost serves the host on the proxy listener and its admin interface
// on the admin listener. It returns the proxy's server.
func (c *command) serveHost(host *wasmhost.Host, lns listeners) *server {
	proxy := serve("the listener", host, lns.proxy, c.errLog)
	admin := serve("the admin interface", host.Admin(), lns.admin, c.errLog)
	c.servers = append(c.servers, proxy, admin)
	return proxy
}

// wait serves until ctx is done or a server stops on its own, and returns
// the exit code so far.
func (c *command) wait(ctx context.Context) int {
	select {
	case <-ctx.Done():
		return exitOK
	case s := <-failed(c.servers):
		fmt.Fprintf(c.stderr, "corshost: %s stopped: %v\n", s.name, s.err)
		return exitError
	}
}

// shutdown stops the command within shutdownTimeout: in-flight requests
// finish first (they hold VMs), then the VMs go, then the admin interface
// and the upstream. It returns code, or exitError if a step failed.
func (c *command) shutdown(proxy *server, host *wasmhost.Host, code int) int {
	fmt.Fprintln(c.stdout, "corshost: shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := proxy.srv.Shutdown(ctx); err != nil {
		fmt.Fprintf(c.stderr, "corshost: stopping the listener: %v\n", err)
		code = exitError
	}
	if err := host.Close(ctx); err != nil {
		fmt.Fprintf(c.stderr, "corshost: stopping the host: %v\n", err)
		code = exitError
	}
	for _, s := range c.servers {
		if s == proxy {
			continue
		}
		if err := s.srv.Shutdown(ctx); err != nil {
			fmt.Fprintf(c.stderr, "corshost: stopping %s: %v\n", s.name, err)
			code = exitError
		}
	}
	if code == exitOK {
		fmt.Fprintln(c.stdout, "corshost: stopped. Bye.")
	}
	return code
}

// closeServers closes every server started, whatever its state; after
// shutdown it has nothing left to do.
func (c *command) closeServers() {
	for _, s := range c.servers {
		_ = s.srv.Close()
	}
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
