package abi

import (
	"math/rand/v2"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

type idContext struct {
	types.DefaultHttpContext
	id uint32
}

// len returns the number of contexts in the table.
func (t *streamTable) len() int { return t.n }

// The table agrees with a Go map under random inserts and deletes.
func TestStreamTableMatchesMap(t *testing.T) {
	var tab streamTable
	model := map[uint32]*idContext{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 200000 {
		id := uint32(rng.IntN(300) + 1)
		switch rng.IntN(3) {
		case 0, 1:
			c := &idContext{id: id}
			tab.put(id, c, nil)
			model[id] = c
		case 2:
			h, _, ok := tab.remove(id)
			want, wantOK := model[id]
			if ok != wantOK || ok && h.(*idContext) != want {
				t.Fatalf("step %d: remove(%d) = %v, %t; want %v, %t", step, id, h, ok, want, wantOK)
			}
			delete(model, id)
		}
		if tab.len() != len(model) {
			t.Fatalf("step %d: len = %d, want %d", step, tab.len(), len(model))
		}
		if step%1000 == 0 {
			for id := uint32(1); id <= 300; id++ {
				h, ok := tab.get(id)
				want, wantOK := model[id]
				if ok != wantOK || ok && h.(*idContext) != want {
					t.Fatalf("step %d: get(%d) = %v, %t; want %v, %t", step, id, h, ok, want, wantOK)
				}
			}
		}
	}
	if _, ok := tab.get(0); ok {
		t.Error("get(0) found something")
	}
}

// Streams come and go with ever-growing ids, a few open at a time: once the
// table has grown to that many, it allocates nothing and does not grow.
func TestStreamTableChurnAllocatesNothing(t *testing.T) {
	var tab streamTable
	c := &idContext{}
	next := uint32(1)
	const open = 20
	for ; next <= open; next++ {
		tab.put(next, c, nil)
	}
	churn := func() {
		tab.remove(next - open)
		tab.put(next, c, nil)
		next++
	}
	for range 10000 {
		churn()
	}
	size := len(tab.ids)
	if allocs := testing.AllocsPerRun(100000, churn); allocs != 0 {
		t.Errorf("churn made %v allocations per stream, want 0", allocs)
	}
	if len(tab.ids) != size {
		t.Errorf("table grew from %d to %d slots with %d streams open", size, len(tab.ids), open)
	}
	for id := next - open; id < next; id++ {
		if _, ok := tab.get(id); !ok {
			t.Fatalf("open stream %d not found", id)
		}
	}
}
