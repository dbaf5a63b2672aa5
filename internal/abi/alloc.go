package abi

import "unsafe"

// The host returns data (headers, configuration) by calling
// proxy_on_memory_allocate from inside a host call and writing the address of
// the buffer it filled into guest memory. Between that allocation and the
// moment the Go caller turns the address back into a slice, the buffer is
// referenced only by the host, so a garbage collection triggered by a second
// allocation in the same host call could free it. Every buffer allocated for
// the host is therefore kept in pinned until the host-call wrapper that caused
// it has claimed its result and called releasePinned.
//
// The module is single-threaded (wasm has one thread and the filter starts no
// goroutines), so the package variable needs no lock.
var pinned [][]byte

// allocate implements proxy_on_memory_allocate. The host never asks for 0
// bytes, but a zero-size request still gets a valid, distinct address rather
// than a panic on &buf[0] or a null pointer the host would treat as failure.
func allocate(size uint32) *byte {
	n := uint64(size)
	if n == 0 {
		n = 1
	}
	buf := make([]byte, n)
	pinned = append(pinned, buf)
	return &buf[0]
}

// claim returns the first n bytes of the pinned buffer that starts at addr,
// the address the host wrote back. Looking the address up among our own
// allocations, instead of converting the host's integer into a pointer,
// means a host answer that does not point at a buffer we handed out (or
// claims more bytes than it holds) is reported as failure rather than read.
// n == 0 is an empty answer: the host may leave the address unset.
func claim(addr uintptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	for _, b := range pinned {
		if uintptr(unsafe.Pointer(unsafe.SliceData(b))) == addr && uint64(n) <= uint64(len(b)) {
			return b[:n:n], true
		}
	}
	return nil, false
}

// releasePinned forgets the buffers of the host call that just finished; a
// claimed buffer stays alive through the slice the caller holds. The backing
// array is reused, so steady-state host calls do not allocate here.
func releasePinned() {
	clear(pinned)
	pinned = pinned[:0]
}
