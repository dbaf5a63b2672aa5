//go:build wasm

package headermap

import "unsafe"

// le32 reads the little-endian u32 at m[i:i+4], which the caller has
// checked is in m: wasm is little-endian and allows unaligned loads, so this
// is one load instead of four and the shifts the generic code compiles to.
func le32(m Map, i int) uint32 {
	return *(*uint32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(m)), i))
}
