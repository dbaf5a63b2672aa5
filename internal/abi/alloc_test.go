package abi

import (
	"testing"
	"unsafe"
)

// These tests use the package-level pinned list, so they do not run in
// parallel.

func addrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }

func TestAllocateClaimRelease(t *testing.T) {
	t.Cleanup(releasePinned)
	releasePinned()

	p := allocate(5)
	if p == nil {
		t.Fatal("allocate(5) = nil")
	}
	// The host fills the buffer through the address it was given.
	copy(unsafe.Slice(p, 5), "hello")
	other := allocate(3)

	if len(pinned) != 2 {
		t.Fatalf("pinned holds %d buffers after two allocations, want 2", len(pinned))
	}
	b, ok := claim(addrOf(p), 5)
	if !ok || string(b) != "hello" {
		t.Fatalf("claim(p, 5) = %q, %t; want \"hello\", true", b, ok)
	}
	if cap(b) != 5 {
		t.Errorf("claimed slice has cap %d, want 5 so appends cannot reach past the answer", cap(b))
	}
	if b, ok := claim(addrOf(p), 3); !ok || string(b) != "hel" {
		t.Errorf("claim(p, 3) = %q, %t; want \"hel\", true", b, ok)
	}
	if _, ok := claim(addrOf(other), 3); !ok {
		t.Error("claim of the second buffer failed")
	}
	if _, ok := claim(addrOf(p), 6); ok {
		t.Error("claim of more bytes than were allocated succeeded")
	}
	if _, ok := claim(addrOf(p)+1, 1); ok {
		t.Error("claim of an address that starts no buffer succeeded")
	}
	if b, ok := claim(0, 0); !ok || b != nil {
		t.Errorf("claim(0, 0) = %v, %t; want nil, true (empty answer)", b, ok)
	}
	if _, ok := claim(0, 1); ok {
		t.Error("claim(0, 1) succeeded")
	}

	releasePinned()
	if len(pinned) != 0 {
		t.Fatalf("pinned holds %d buffers after release, want 0", len(pinned))
	}
	if _, ok := claim(addrOf(p), 5); ok {
		t.Error("claim after release succeeded")
	}
	// The claimed slice keeps its bytes after release.
	if string(b) != "hello" {
		t.Errorf("claimed bytes changed after release: %q", b)
	}
}

func TestAllocateZero(t *testing.T) {
	t.Cleanup(releasePinned)
	releasePinned()
	p, q := allocate(0), allocate(0)
	if p == nil || q == nil {
		t.Fatal("allocate(0) returned nil")
	}
	if p == q {
		t.Error("two zero-size allocations share an address")
	}
}

func TestReleaseReusesBacking(t *testing.T) {
	t.Cleanup(releasePinned)
	releasePinned()
	allocate(1)
	releasePinned()
	allocs := testing.AllocsPerRun(100, func() {
		allocate(16)
		releasePinned()
	})
	// One allocation: the buffer itself; the pinned list does not grow.
	if allocs != 1 {
		t.Errorf("allocate+release made %v allocations per run, want 1", allocs)
	}
}
