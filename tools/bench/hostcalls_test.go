//go:build !wasip1

package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/hostcalls/calls"
)

// Each run measures the module with no call first, then each kind with n
// calls, and a kind's cost per call is its time minus that run's, / n.
func TestCallRuns(t *testing.T) {
	const n = 10
	var order []string
	run := 0
	measure := func(config []byte) (float64, error) {
		k, got, err := calls.Parse(config)
		if err != nil {
			return 0, err
		}
		if got == 0 {
			run++
			order = append(order, "none")
			return float64(1000 * run), nil // each run slower: the difference must not see it
		}
		if got != n {
			t.Errorf("%q: want %d calls", config, n)
		}
		order = append(order, k.Name)
		return float64(1000*run + n*10*(int(k.Op)+1)), nil
	}
	ct, err := callRuns(2, n, measure)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for range 2 {
		want = append(want, "none")
		for _, k := range calls.Kinds {
			want = append(want, k.Name)
		}
	}
	if !slices.Equal(order, want) {
		t.Errorf("measured %v; want %v", order, want)
	}
	if !slices.Equal(ct.none, []float64{1000, 2000}) {
		t.Errorf("no call: %v; want [1000 2000]", ct.none)
	}
	for _, k := range calls.Kinds {
		if got, want := ct.perCall[k.Name], float64(10*(int(k.Op)+1)); !slices.Equal(got, []float64{want, want}) {
			t.Errorf("%s: %v per call; want %v in both runs", k.Name, got, want)
		}
	}
}

func TestCallRunsFails(t *testing.T) {
	boom := errors.New("boom")
	_, err := callRuns(1, 10, func(config []byte) (float64, error) {
		if k, n, _ := calls.Parse(config); n > 0 && k.Op == calls.Add {
			return 0, boom
		}
		return 1, nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v; want boom", err)
	}
}

// The hostcalls module's calls answer as the table says only if make
// bench's upstream sends calls.Present with its value, and neither the
// absent header nor the added one.
func TestUpstreamSuitsTheHostCalls(t *testing.T) {
	if !slices.Contains(upstreamHeaders, envoyhost.Header{calls.Present, calls.PresentValue}) {
		t.Errorf("upstreamHeaders %v lack %s: %s", upstreamHeaders, calls.Present, calls.PresentValue)
	}
	for _, h := range upstreamHeaders {
		if h.Name() == calls.Absent || h.Name() == calls.Added {
			t.Errorf("upstreamHeaders %v have %s", upstreamHeaders, h.Name())
		}
	}
}
