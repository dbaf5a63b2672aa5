// Package headermap reads and writes header maps in the proxy-wasm
// serialization: a little-endian u32 pair count, then for each pair its key
// and value sizes (u32 each), then for each pair the key bytes, a NUL, the
// value bytes and a NUL.
//
// Reading does not copy: names and values are strings over the map's bytes,
// which must not be modified afterwards.
package headermap

import (
	"encoding/binary"
	"iter"
	"unsafe"
)

// Map is a serialized header map.
type Map []byte

// Iter walks the pairs of a Map in order.
type Iter struct {
	m       Map
	left    int // pairs not yet returned
	sizeAt  int // offset of the next pair's sizes
	dataAt  int // offset of the next pair's key
	invalid bool
}

// Iter returns an iterator over m's pairs. An empty Map has no pairs.
func (m Map) Iter() Iter {
	it := Iter{m: m}
	if len(m) == 0 {
		return it
	}
	if len(m) < 4 {
		it.invalid = true
		return it
	}
	n := le32(m, 0)
	// Each pair takes at least 10 bytes (two sizes, two NULs): a count that
	// cannot fit is malformed, and is refused before any arithmetic on it.
	if uint64(n) > uint64(len(m)-4)/10 {
		it.invalid = true
		return it
	}
	it.left = int(n)
	it.sizeAt = 4
	it.dataAt = 4 + 8*int(n)
	return it
}

// Next returns the next pair, or ok=false at the end or when the map is
// malformed (see Valid).
func (it *Iter) Next() (name, value string, ok bool) {
	if it.left == 0 || it.invalid {
		return "", "", false
	}
	m := it.m
	// Iter checked that the count's sizes fit: sizeAt+8 <= len(m).
	ks := uint64(le32(m, it.sizeAt))
	vs := uint64(le32(m, it.sizeAt+4))
	k := uint64(it.dataAt)
	end := k + ks + 1 + vs + 1
	if end > uint64(len(m)) {
		it.invalid = true
		return "", "", false
	}
	v := k + ks + 1
	if m[v-1] != 0 || m[end-1] != 0 {
		// Every key and value is NUL-terminated.
		it.invalid = true
		return "", "", false
	}
	if ks > 0 {
		name = unsafe.String(&m[k], int(ks))
	}
	if vs > 0 {
		value = unsafe.String(&m[v], int(vs))
	}
	it.sizeAt += 8
	it.dataAt = int(end)
	it.left--
	return name, value, true
}

// Pair is one header line of a map.
type Pair struct {
	Name, Value string
}

// AppendPairs appends the pairs of m, in order, to dst, and reports whether
// m was well formed; a malformed map yields the pairs before the damage. It
// decodes the whole map in one loop, without a call per pair, and allocates
// only when dst lacks room: the fast way to walk a map whose every pair is
// looked at.
func AppendPairs(dst []Pair, m Map) ([]Pair, bool) {
	return appendPairs(dst, m, ^uint64(0), true)
}

// AppendPairsIf is AppendPairs for the pairs whose name is n bytes long for
// a bit n set in lengths (names of 64 bytes or more are never appended).
// Every pair is still checked, so ok is AppendPairs's; skipping the others
// early makes a map with many uninteresting headers cheap to scan.
func AppendPairsIf(dst []Pair, m Map, lengths uint64) ([]Pair, bool) {
	return appendPairs(dst, m, lengths, false)
}

func appendPairs(dst []Pair, m Map, lengths uint64, all bool) ([]Pair, bool) {
	if len(m) == 0 {
		return dst, true
	}
	if len(m) < 4 {
		return dst, false
	}
	n := uint64(le32(m, 0))
	if n > uint64(len(m)-4)/10 {
		return dst, false
	}
	size := uint64(len(m))
	sizeAt, dataAt := 4, 4+8*n
	for ; n > 0; n-- {
		ks := uint64(le32(m, sizeAt))
		vs := uint64(le32(m, sizeAt+4))
		sizeAt += 8
		v := dataAt + ks + 1
		end := v + vs + 1
		if end > size || m[v-1] != 0 || m[end-1] != 0 {
			return dst, false
		}
		if all || ks < 64 && lengths&(1<<ks) != 0 {
			var p Pair
			if ks > 0 {
				p.Name = unsafe.String(&m[dataAt], int(ks))
			}
			if vs > 0 {
				p.Value = unsafe.String(&m[v], int(vs))
			}
			dst = append(dst, p)
		}
		dataAt = end
	}
	return dst, true
}

// Lengths returns the mask of AppendPairsIf that selects names.
func Lengths(names ...string) uint64 {
	var bits uint64
	for _, n := range names {
		if len(n) < 64 {
			bits |= 1 << len(n)
		}
	}
	return bits
}

// All returns the pairs of m in order, as `for name, value := range m.All()`.
// A malformed map yields the pairs before the damage (use Iter and Valid to
// tell). It is the one way the filter walks a header map; it does not
// allocate.
func (m Map) All() iter.Seq2[string, string] {
	return func(yield func(name, value string) bool) {
		it := m.Iter()
		for {
			name, value, ok := it.Next()
			if !ok || !yield(name, value) {
				return
			}
		}
	}
}

// Valid reports whether the map was well formed up to where the iterator
// got.
func (it *Iter) Valid() bool { return !it.invalid }

func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Append appends the serialization of n pairs, given by pair, to dst. It
// allocates only when dst lacks capacity, so a reused buffer makes it free.
func Append(dst []byte, n int, pair func(i int) (name, value string)) []byte {
	size := 4 + 8*n
	for i := 0; i < n; i++ {
		k, v := pair(i)
		size += len(k) + len(v) + 2
	}
	start := len(dst)
	dst = append(dst, make([]byte, size)...)[:start]
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	for i := 0; i < n; i++ {
		k, v := pair(i)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(k)))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
	}
	for i := 0; i < n; i++ {
		k, v := pair(i)
		dst = append(dst, k...)
		dst = append(dst, 0)
		dst = append(dst, v...)
		dst = append(dst, 0)
	}
	return dst
}

// FromPairs serializes pairs into a new Map.
func FromPairs(pairs [][2]string) Map {
	return Append(nil, len(pairs), func(i int) (string, string) { return pairs[i][0], pairs[i][1] })
}

// Pairs decodes m into a new slice of pairs; ok is false if m is malformed.
func (m Map) Pairs() (pairs [][2]string, ok bool) {
	it := m.Iter()
	for {
		k, v, more := it.Next()
		if !more {
			return pairs, it.Valid()
		}
		pairs = append(pairs, [2]string{k, v})
	}
}
