package abi

import "github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

// streamTable maps the host's context ids to HTTP contexts. It is an
// open-addressing hash table with linear probing and backward-shift
// deletion: no tombstones, so a steady churn of streams (ids that only grow,
// each inserted once and deleted once) never fills it up, and inserting or
// deleting allocates nothing once the table has grown to the most streams
// open at a time. A Go map does the same job, but may grow under churn.
type streamTable struct {
	ids   []uint32 // 0 marks an empty slot (the host never uses id 0)
	ctx   []streamEntry
	n     int
	shift uint32 // 32 - log2(len(ids))
}

// streamEntry is an HTTP context and, if its plugin context takes it back
// when it is deleted, that plugin context.
type streamEntry struct {
	h     types.HttpContext
	owner HttpContextRecycler
}

// minTableSize is the first table's size; it doubles when half full.
const minTableSize = 16

// slot is where id's probe sequence starts (Fibonacci hashing: ids are
// consecutive integers, which this spreads over the table).
func (t *streamTable) slot(id uint32) int {
	return int((id * 2654435769) >> t.shift)
}

// get returns the context of id.
func (t *streamTable) get(id uint32) (types.HttpContext, bool) {
	if t.n == 0 || id == 0 {
		return nil, false
	}
	mask := len(t.ids) - 1
	for i := t.slot(id); ; i = (i + 1) & mask {
		switch t.ids[i] {
		case id:
			return t.ctx[i].h, true
		case 0:
			return nil, false
		}
	}
}

// put sets the context of id (id != 0).
func (t *streamTable) put(id uint32, h types.HttpContext, owner HttpContextRecycler) {
	if 2*(t.n+1) > len(t.ids) {
		t.resize(max(2*len(t.ids), minTableSize))
	}
	mask := len(t.ids) - 1
	for i := t.slot(id); ; i = (i + 1) & mask {
		switch t.ids[i] {
		case id:
			t.ctx[i] = streamEntry{h, owner}
			return
		case 0:
			t.ids[i], t.ctx[i] = id, streamEntry{h, owner}
			t.n++
			return
		}
	}
}

// remove deletes id and returns its context and owner.
func (t *streamTable) remove(id uint32) (types.HttpContext, HttpContextRecycler, bool) {
	if t.n == 0 || id == 0 {
		return nil, nil, false
	}
	mask := len(t.ids) - 1
	i := t.slot(id)
	for t.ids[i] != id {
		if t.ids[i] == 0 {
			return nil, nil, false
		}
		i = (i + 1) & mask
	}
	h := t.ctx[i]
	// Backward-shift deletion: move later entries of the probe run into the
	// hole when their home slot is not between the hole and them.
	for j := (i + 1) & mask; t.ids[j] != 0; j = (j + 1) & mask {
		// The entry at j stays if its home slot lies cyclically in (i, j].
		home := t.slot(t.ids[j])
		if i <= j && i < home && home <= j || i > j && (i < home || home <= j) {
			continue
		}
		t.ids[i], t.ctx[i] = t.ids[j], t.ctx[j]
		i = j
	}
	t.ids[i], t.ctx[i] = 0, streamEntry{}
	t.n--
	return h.h, h.owner, true
}

func (t *streamTable) resize(size int) {
	ids, ctx := t.ids, t.ctx
	t.ids, t.ctx, t.n = make([]uint32, size), make([]streamEntry, size), 0
	t.shift = 32
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	for i, id := range ids {
		if id != 0 {
			t.put(id, ctx[i].h, ctx[i].owner)
		}
	}
}
