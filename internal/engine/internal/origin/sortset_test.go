package origin

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortSet agrees with the standard library's sort and compaction on sets
// small (insertion sort) and large (heapsort).
func TestSortSet(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 200 {
		s := make([]uint32, n)
		for i := range s {
			s[i] = rng.Uint32N(uint32(n/2 + 1))
		}
		want := slices.Compact(slices.Sorted(slices.Values(s)))
		if got := sortSet(slices.Clone(s)); !slices.Equal(got, want) {
			t.Fatalf("sortSet(%v) = %v; want %v", s, got, want)
		}
	}
}
