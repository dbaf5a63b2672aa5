package abi

import "unsafe"

// The host returns data (headers, configuration) by calling
// proxy_on_memory_allocate from inside a host call, copying the data into
// the memory it got and writing that address back into guest memory. A
// fresh Go allocation per answer made every header read cost a mallocgc and,
// in time, garbage collections; instead the answers of one callback are laid
// out one after the other in a buffer that every callback reuses, the arena.
//
// The contract, for every wrapper that returns host data (GetHeaderMapPairs,
// HeaderMapValue, GetBufferBytes): the bytes are valid until the
// outermost proxy_on_* callback that is running returns. The next callback
// overwrites them, so a caller copies whatever must outlive its callback.
// Within a callback, answers never overlap: each allocation gets its own
// bytes.
//
// The arena is one chunk of memory. When an answer does not fit in what is
// left, a larger chunk replaces it, and the old one is kept (retired) until
// the callback ends, because earlier answers of the same callback still live
// in it. Once the chunk is large enough for the largest callback, serving the
// host allocates nothing. A chunk grown beyond arenaMaxRetained by an unusual
// answer is dropped when the callback ends, so that one huge header map does
// not pin its size for ever.
//
// The module is single-threaded (wasm has one thread and the filter starts no
// goroutines), so the package variable needs no lock.
var hostArena arena

const (
	// arenaMinChunk is the first chunk's size: a few typical header maps.
	arenaMinChunk = 4 << 10
	// arenaMaxRetained is the largest chunk kept from one callback to the
	// next (Envoy's default limit on request headers is 60 KiB).
	arenaMaxRetained = 256 << 10
	// arenaAlign keeps every answer 8-byte aligned.
	arenaAlign = 8
	// maxCallAllocs is how many allocations of one host call are
	// remembered for claim; proxy-wasm host calls return one buffer.
	maxCallAllocs = 4
)

// allocation is one buffer handed to the host.
type allocation struct {
	p    *byte
	size uint32
}

type arena struct {
	buf  []byte // the current chunk
	used int    // bytes of buf handed out since the last reset
	// base is the address of buf's first byte, for owns.
	base uintptr
	// retired holds the chunks replaced since the last reset: earlier
	// answers of the running callback may still be in them.
	retired [][]byte
	// call lists the allocations since the current host call started
	// (markCall), the only buffers its answer may be in.
	call  [maxCallAllocs]allocation
	calls int
}

// allocate serves proxy_on_memory_allocate. The host never asks for 0
// bytes, but a zero-size request still gets a valid, distinct address rather
// than a null pointer the host would treat as failure.
func (a *arena) allocate(size uint32) *byte {
	n := int(size)
	if n == 0 {
		n = 1
	}
	if len(a.buf)-a.used < n {
		a.grow(n)
	}
	p := &a.buf[a.used]
	a.used = min(a.used+(n+arenaAlign-1)&^(arenaAlign-1), len(a.buf))
	if a.calls < len(a.call) {
		a.call[a.calls] = allocation{p, size}
	}
	a.calls++
	return p
}

// grow replaces the chunk with one that has room for n more bytes.
func (a *arena) grow(n int) {
	if a.used > 0 {
		a.retired = append(a.retired, a.buf)
	}
	size := max(2*len(a.buf), arenaMinChunk)
	for size < n {
		size *= 2
	}
	a.buf = make([]byte, size)
	a.base = uintptr(unsafe.Pointer(&a.buf[0]))
	a.used = 0
}

// reset makes the whole chunk available again; it runs when an outermost
// callback starts, when nothing refers to earlier answers any more.
func (a *arena) reset() {
	if a.calls == 0 && a.used == 0 && len(a.retired) == 0 {
		return // nothing was handed out
	}
	a.call = [maxCallAllocs]allocation{}
	if len(a.retired) > 0 {
		clear(a.retired)
		a.retired = a.retired[:0]
	}
	if len(a.buf) > arenaMaxRetained {
		a.buf, a.base = nil, 0
	}
	a.used = 0
	a.calls = 0
}

// markCall starts a host call: only allocations made from now on can hold
// its answer.
func (a *arena) markCall() { a.calls = 0 }

// claim returns the n bytes at addr, the address the host wrote back after
// the current host call. Looking the address up among the allocations of
// this very call, instead of converting the host's integer into a pointer,
// means a host answer that does not point at a buffer we handed out (or
// claims more bytes than it holds) is reported as failure rather than read.
// n == 0 is an empty answer: the host may leave the address unset.
func (a *arena) claim(addr uintptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	for _, c := range a.call[:min(a.calls, len(a.call))] {
		if uintptr(unsafe.Pointer(c.p)) == addr && n <= c.size {
			return unsafe.Slice(c.p, n), true
		}
	}
	return nil, false
}

// owns reports whether s lies in memory the arena handed to the host since
// the last reset: such a string is overwritten by a later callback.
func (a *arena) owns(s string) bool {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	if p-a.base < uintptr(len(a.buf)) && len(s) > 0 {
		return true
	}
	return len(a.retired) > 0 && a.ownsRetired(p)
}

// ownsRetired is owns for the retired chunks.
func (a *arena) ownsRetired(p uintptr) bool {
	for _, c := range a.retired {
		if inChunk(c, p) {
			return true
		}
	}
	return false
}

func inChunk(c []byte, p uintptr) bool {
	if len(c) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
	return p >= start && p < start+uintptr(len(c))
}

// HostOwned reports whether s is a view of bytes the host returned during
// the running callback (a header name or value), which a later callback
// overwrites: a caller that keeps such a string past its callback must copy
// it. Strings from anywhere else are never reported.
func HostOwned(s string) bool { return hostArena.owns(s) }
