package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/cmd/corswasm/internal/convert"
)

// convert converts VirtualServices, Envoy bootstraps or route
// configurations and HTTPRoutes, from one file or several read as one (in
// the order given): the configuration on standard output, the notes and
// refusals on standard error.
func (e *env) convert(args []string) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sel convert.Selection
	fs.StringVar(&sel.Listener, "listener", "", "convert for the Envoy bootstrap's listener of this `name` alone, or NAME/CHAIN for one of its filter chains (by name or index)")
	fs.StringVar(&sel.Gateway, "gateway", "", "convert for the VirtualServices bound to this Istio gateway alone: `NAMESPACE/NAME`, or mesh")
	fs.StringVar(&sel.Parent, "parent", "", "convert for the HTTPRoutes attached to this Gateway API parent alone: `NAMESPACE/NAME` of a Gateway, NAMESPACE/NAME/SECTION of one of its listeners (with the others on its port when the input holds the Gateway), or KIND:NAMESPACE/NAME of another kind (a Service); for Envoy Gateway SecurityPolicies, the Gateway whose policy to convert")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm convert [--listener NAME[/CHAIN]] [--gateway NAMESPACE/NAME] [--parent NAMESPACE/NAME[/SECTION]] FILE...   (Istio VirtualServices and the Gateways they are bound to, Envoy bootstraps, RouteConfigurations, VirtualHosts or Routes, Gateway API HTTPRoutes, Envoy Gateway SecurityPolicies, Kubernetes lists of them; several files are read as one, in order; \"-\" reads standard input)")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	inputs := make([]convert.Input, len(files))
	for i, f := range files {
		data, err := e.readInput(f)
		if err != nil {
			fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
			return exitUsage
		}
		inputs[i] = convert.Input{Name: f, Data: data}
	}
	r, err := convert.ConvertFor(sel, inputs...)
	if errors.Is(err, convert.ErrUnknownDocument) {
		err = fmt.Errorf("%s: %w", strings.Join(files, ", "), err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
		return exitUsage
	}
	for _, s := range r.Sources {
		fmt.Fprintf(e.stderr, "converting %s\n", s)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	if len(r.Refusals) > 0 {
		for _, x := range r.Refusals {
			fmt.Fprintf(e.stderr, "refused: %s\n", x)
		}
		fmt.Fprintf(e.stderr, "corswasm: %s: conversion refused (%s); nothing written\n", strings.Join(files, ", "), plural(len(r.Refusals), "reason"))
		return exitProblems
	}
	e.stdout.Write(r.JSON)
	return exitOK
}
