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
	"unsafe"
)

// Map is a serialized header map.
type Map []byte

// Pair is one header line of a map.
type Pair struct {
	Name, Value string
}

// AppendPairsIf appends the pairs of m whose name is n bytes long for a bit
// n set in lengths (names of 64 bytes or more are never appended), in order,
// to dst, and reports whether m was well formed; a malformed map yields the
// pairs before the damage. Every pair is checked, but skipping the others
// early makes a map with many uninteresting headers cheap to scan. It
// decodes the whole map in one loop, without a call per pair, and allocates
// only when dst lacks room.
func AppendPairsIf(dst []Pair, m Map, lengths uint64) ([]Pair, bool) {
	return appendPairs(dst, m, lengths, false)
}

// appendPairs is the one decoder of the serialization: AppendPairsIf's, or,
// with all, every pair's.
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

// Pairs decodes m into a new slice of pairs; ok is false if m is malformed,
// and pairs then those before the damage.
func (m Map) Pairs() (pairs [][2]string, ok bool) {
	ps, ok := appendPairs(nil, m, 0, true)
	if len(ps) > 0 {
		pairs = make([][2]string, len(ps))
		for i, p := range ps {
			pairs[i] = [2]string{p.Name, p.Value}
		}
	}
	return pairs, ok
}
