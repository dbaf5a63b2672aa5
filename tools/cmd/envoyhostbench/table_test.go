//go:build !wasip1

package main

import (
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

// The table shows medians in µs and cors.wasm's time as a multiple of the
// pass-through's.
func TestWriteTable(t *testing.T) {
	var b strings.Builder
	err := writeTable(&b, []row{{kind: "not CORS", ns: [2][]float64{{2100, 1900, 2000}, {6000, 6200, 5000}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "| request | pass-through µs/request | cors.wasm µs/request | ratio |\n|---|---|---|---|\n| not CORS | 2.0 | 6.0 | 3.0× |\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
