//go:build !wasip1

package wasmhost

import (
	"fmt"
)

// read returns a copy of the size bytes at ptr in guest memory. The copy
// matters: a later allocation in the guest may grow (and move) the memory.
func (v *vm) read(ptr, size uint32) ([]byte, bool) {
	b, ok := v.mem.Read(ptr, size)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

// readString is read for text arguments (names, keys, values).
func (v *vm) readString(ptr, size uint32) (string, bool) {
	b, ok := v.mem.Read(ptr, size)
	if !ok {
		return "", false
	}
	return string(b), true
}

// copyOut hands data to the guest the way Envoy's copyToPointerSize does:
// the bytes go to memory obtained from the guest's allocator, then their
// address and size are written as little-endian u32 to ptrPtr and sizePtr.
// Empty data writes address 0 and size 0 without calling the allocator
// (Envoy never asks the allocator for 0 bytes); address 0 is inside linear
// memory, so a guest building a zero-length slice from it is safe.
func (v *vm) copyOut(data []byte, ptrPtr, sizePtr uint32) uint32 {
	var ptr uint32
	if len(data) > 0 {
		var ok bool
		if ptr, ok = v.allocate(uint32(len(data))); !ok {
			return statusInvalidMemoryAccess
		}
		if !v.mem.Write(ptr, data) {
			return statusInvalidMemoryAccess
		}
	}
	if !v.mem.WriteUint32Le(ptrPtr, ptr) || !v.mem.WriteUint32Le(sizePtr, uint32(len(data))) {
		return statusInvalidMemoryAccess
	}
	return statusOK
}

// allocate calls the guest's allocator (malloc or proxy_on_memory_allocate)
// with Envoy's restriction: inside it only logging, fd_write, clock_time_get
// (and poll_oneoff on the current profile) may be called. It returns false
// when the allocator returns 0 or an address whose size bytes are not in
// memory. A trap inside the allocator fails the whole guest call.
func (v *vm) allocate(size uint32) (uint32, bool) {
	prev := v.guard
	v.guard = v.host.allocGuard
	res, err := v.malloc.Call(v.ctx, uint64(size))
	v.guard = prev
	if err != nil {
		if v.cause == nil {
			v.cause = fmt.Errorf("%s trapped: %w", v.mallocName, err)
		}
		panic(v.cause)
	}
	ptr := uint32(res[0])
	if ptr == 0 {
		return 0, false
	}
	if _, ok := v.mem.Read(ptr, size); !ok {
		return 0, false
	}
	return ptr, true
}
