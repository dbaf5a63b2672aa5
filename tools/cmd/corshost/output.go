//go:build !wasip1

package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// printLoaded prints what the command loaded, before the module starts.
// config names the configuration: its file, and its place in the file.
func printLoaded(w io.Writer, o options, moduleSize int, config string) {
	fmt.Fprintf(w, "corshost: corswasm in a local proxy-wasm host (Envoy-like; see tools/wasmhost)\n")
	fmt.Fprintf(w, "  module:   %s (%s)\n", o.module, size(moduleSize))
	fmt.Fprintf(w, "  config:   %s\n", config)
	fmt.Fprintf(w, "  host:     WASI %s, %d VM(s), %s\n", o.wasi, o.vms, map[bool]string{false: "fail-closed", true: "fail-open"}[o.failOpen])
}

// printServing prints where the command serves and the requests to try,
// derived from the plugin configuration, ending with the line that says it
// serves.
func printServing(w io.Writer, up upstream, lns listeners, pluginConfig []byte) {
	base := "http://" + dialable(lns.proxy.Addr())
	adminBase := "http://" + dialable(lns.admin.Addr())
	fmt.Fprintf(w, "  upstream: %s%s\n", up.url, up.note)
	fmt.Fprintf(w, "  listen:   %s\n", base)
	fmt.Fprintf(w, "  admin:    %s (/stats, /ready, /logs)\n", adminBase)
	fmt.Fprintln(w)
	printExamples(w, examples(pluginConfig, base, up.builtin), adminBase)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Serving. Ctrl-C to stop.")
}

// printExamples prints the example requests, as curl commands with what
// to expect, and the command that reads the counters.
func printExamples(w io.Writer, ex exampleSet, adminBase string) {
	fmt.Fprintln(w, "Try it:")
	for _, n := range ex.notes {
		fmt.Fprintf(w, "  (%s)\n", n)
	}
	for _, e := range ex.requests {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  # %s\n", e.title)
		fmt.Fprintf(w, "  %s\n", e.curl())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  # the filter's counters")
	fmt.Fprintf(w, "  curl -s %s/stats\n", adminBase)
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
