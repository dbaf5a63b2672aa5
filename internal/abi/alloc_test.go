package abi

import (
	"testing"
	"unsafe"
)

func addrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }

func TestArenaAllocateClaim(t *testing.T) {
	var a arena
	a.markCall()
	p := a.allocate(5)
	if p == nil {
		t.Fatal("allocate(5) = nil")
	}
	// The host fills the buffer through the address it was given.
	copy(unsafe.Slice(p, 5), "hello")
	other := a.allocate(3)
	if addrOf(other) < addrOf(p)+5 {
		t.Fatalf("second allocation at %#x overlaps the first (%#x, 5 bytes)", addrOf(other), addrOf(p))
	}
	b, ok := a.claim(addrOf(p), 5)
	if !ok || string(b) != "hello" {
		t.Fatalf("claim(p, 5) = %q, %t; want \"hello\", true", b, ok)
	}
	if cap(b) != 5 {
		t.Errorf("claimed slice has cap %d, want 5 so appends cannot reach past the answer", cap(b))
	}
	if b, ok := a.claim(addrOf(p), 3); !ok || string(b) != "hel" {
		t.Errorf("claim(p, 3) = %q, %t; want \"hel\", true", b, ok)
	}
	if _, ok := a.claim(addrOf(other), 3); !ok {
		t.Error("claim of the second buffer failed")
	}
	if _, ok := a.claim(addrOf(p), 6); ok {
		t.Error("claim of more bytes than were allocated succeeded")
	}
	if _, ok := a.claim(addrOf(p)+1, 1); ok {
		t.Error("claim of an address that starts no buffer succeeded")
	}
	if b, ok := a.claim(0, 0); !ok || b != nil {
		t.Errorf("claim(0, 0) = %v, %t; want nil, true (empty answer)", b, ok)
	}
	if _, ok := a.claim(0, 1); ok {
		t.Error("claim(0, 1) succeeded")
	}
	// The next host call's answer can only be in its own allocations.
	a.markCall()
	if _, ok := a.claim(addrOf(p), 5); ok {
		t.Error("claim of an earlier host call's buffer succeeded")
	}
	if !a.owns(unsafe.String(p, 5)) || a.owns("hello") {
		t.Error("owns does not tell arena strings from others")
	}
	a.reset()
	if _, ok := a.claim(addrOf(p), 5); ok {
		t.Error("claim after reset succeeded")
	}
}

func TestArenaAllocateZero(t *testing.T) {
	var a arena
	p, q := a.allocate(0), a.allocate(0)
	if p == nil || q == nil {
		t.Fatal("allocate(0) returned nil")
	}
	if p == q {
		t.Error("two zero-size allocations share an address")
	}
}

// Answers of one callback never overlap, even when the chunk is replaced:
// earlier answers stay readable in the retired chunk until reset.
func TestArenaGrowKeepsEarlierAnswers(t *testing.T) {
	var a arena
	p := a.allocate(100)
	copy(unsafe.Slice(p, 100), "first answer")
	big := a.allocate(3 * arenaMinChunk)
	if addrOf(big) == addrOf(p) {
		t.Fatal("a larger allocation reused the first answer's bytes")
	}
	for i := range unsafe.Slice(big, 3*arenaMinChunk) {
		unsafe.Slice(big, 3*arenaMinChunk)[i] = 'x'
	}
	if got := string(unsafe.Slice(p, 12)); got != "first answer" {
		t.Errorf("first answer after growth = %q", got)
	}
	if !a.owns(unsafe.String(p, 12)) {
		t.Error("owns forgets a retired chunk before reset")
	}
	a.reset()
	if len(a.retired) != 0 {
		t.Errorf("%d retired chunks after reset, want 0", len(a.retired))
	}
	if len(a.buf) < 3*arenaMinChunk {
		t.Errorf("chunk of %d bytes after reset; want the grown one kept", len(a.buf))
	}
}

// Once the chunk fits the largest callback, serving the host allocates
// nothing.
func TestArenaSteadyStateAllocatesNothing(t *testing.T) {
	var a arena
	callback := func() {
		a.reset()
		for _, n := range []uint32{300, 1200, 20, 5000} {
			a.markCall()
			p := a.allocate(n)
			if _, ok := a.claim(addrOf(p), n); !ok {
				t.Fatal("claim failed")
			}
		}
	}
	callback()
	if allocs := testing.AllocsPerRun(100, callback); allocs != 0 {
		t.Errorf("a warm arena made %v allocations per callback, want 0", allocs)
	}
}

// A chunk grown for an unusually large answer is not kept.
func TestArenaDropsHugeChunk(t *testing.T) {
	var a arena
	a.allocate(arenaMaxRetained + 1)
	a.reset()
	if len(a.buf) != 0 {
		t.Errorf("a %d-byte chunk was kept", len(a.buf))
	}
	if p := a.allocate(10); p == nil {
		t.Error("allocate after dropping the chunk = nil")
	}
}
