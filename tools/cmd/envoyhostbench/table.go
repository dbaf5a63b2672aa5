//go:build !wasip1

package main

import (
	"fmt"
	"io"
	"slices"
)

// row is one request kind's measurements: ns per request of each soak,
// for the pass-through module [0] and cors.wasm [1].
type row struct {
	kind string
	ns   [2][]float64
}

// writeTable writes the rows as a Markdown table of medians in µs per
// request, with cors.wasm's time as a multiple of the pass-through's.
func writeTable(w io.Writer, rows []row) error {
	if _, err := fmt.Fprintln(w, "| request | pass-through µs/request | cors.wasm µs/request | ratio |\n|---|---|---|---|"); err != nil {
		return err
	}
	for _, r := range rows {
		base, cors := median(r.ns[0]), median(r.ns[1])
		if _, err := fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f× |\n", r.kind, base/1000, cors/1000, cors/base); err != nil {
			return err
		}
	}
	return nil
}

// median returns the middle value (the mean of the two middle ones for an
// even count).
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
