package headermap

import (
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pairs := range [][][2]string{
		nil,
		{{":method", "GET"}},
		{{":authority", "a.example"}, {"origin", "https://b.example"}, {"origin", ""}, {"", ""}, {"x", "y\x00z"}},
	} {
		m := FromPairs(pairs)
		got, ok := m.Pairs()
		if !ok || !slices.Equal(got, pairs) {
			t.Errorf("round trip of %q = %q, %v", pairs, got, ok)
		}
	}
}

func TestAppendReusesBuffer(t *testing.T) {
	pairs := [][2]string{{"access-control-allow-origin", "https://a.example"}, {"vary", "Origin"}}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf = Append(buf[:0], len(pairs), func(i int) (string, string) { return pairs[i][0], pairs[i][1] })
	})
	if allocs != 0 {
		t.Errorf("Append into a large enough buffer: %v allocs; want 0", allocs)
	}
	if got, _ := Map(buf).Pairs(); !slices.Equal(got, pairs) {
		t.Errorf("Append wrote %q", got)
	}
}

// Malformed maps from a buggy or hostile host end the iteration; they never
// panic or read out of bounds.
func TestMalformed(t *testing.T) {
	t.Parallel()
	good := FromPairs([][2]string{{"origin", "https://a.example"}})
	cases := map[string][]byte{
		"short count":        {1, 0},
		"huge count":         {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"truncated data":     good[:len(good)-3],
		"key size too big":   append(append([]byte{}, good[:4]...), append([]byte{0xff, 0xff, 0xff, 0x7f}, good[8:]...)...),
		"value size too big": append(append([]byte{}, good[:8]...), append([]byte{0xff, 0xff, 0xff, 0xff}, good[12:]...)...),
	}
	for desc, m := range cases {
		if _, ok := Map(m).Pairs(); ok {
			t.Errorf("%s: decoded as valid", desc)
		}
	}
}

func FuzzIter(f *testing.F) {
	f.Add([]byte(FromPairs([][2]string{{":method", "OPTIONS"}, {"origin", "https://a.example"}})))
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		pairs, ok := Map(data).Pairs()
		if ok && len(data) > 0 {
			// A valid map re-serializes to a prefix of the input.
			again := FromPairs(pairs)
			if len(again) > len(data) || string(again) != string(data[:len(again)]) {
				t.Fatalf("re-serialized %q differs from input %q", again, data)
			}
		}
	})
}
