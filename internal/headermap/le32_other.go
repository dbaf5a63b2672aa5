//go:build !wasm

package headermap

import "encoding/binary"

// le32 reads the little-endian u32 at m[i:i+4].
func le32(m Map, i int) uint32 {
	return binary.LittleEndian.Uint32(m[i:])
}
