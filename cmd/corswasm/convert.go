package main

import (
	"flag"
	"fmt"

	"github.com/corswasm/corswasm/internal/convert"
)

// convert converts a VirtualService, an Envoy route configuration or an
// HTTPRoute: the configuration on standard output, the notes and refusals
// on standard error.
func (e *env) convert(args []string) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm convert FILE   (an Istio VirtualService, an Envoy RouteConfiguration, VirtualHost or Route, or a Gateway API HTTPRoute; \"-\" reads standard input)")
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) != 1 {
		fs.Usage()
		return exitUsage
	}
	data, err := e.readInput(files[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
		return exitUsage
	}
	r, err := convert.Convert(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "corswasm: %s: %v\n", files[0], err)
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
		fmt.Fprintf(e.stderr, "corswasm: %s: conversion refused (%s); nothing written\n", files[0], plural(len(r.Refusals), "reason"))
		return exitProblems
	}
	e.stdout.Write(r.JSON)
	return exitOK
}
