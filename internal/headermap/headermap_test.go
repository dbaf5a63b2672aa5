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

// All yields the pairs in order, stops where a map is damaged or where the
// loop breaks, and allocates nothing.
func TestAll(t *testing.T) {
	pairs := [][2]string{{":method", "GET"}, {"origin", "https://a.example"}, {"vary", "a"}}
	m := FromPairs(pairs)
	var got [][2]string
	for k, v := range m.All() {
		got = append(got, [2]string{k, v})
	}
	if !slices.Equal(got, pairs) {
		t.Errorf("All() = %q; want %q", got, pairs)
	}
	got = nil
	for k, v := range Map(m[:len(m)-3]).All() {
		got = append(got, [2]string{k, v})
	}
	if !slices.Equal(got, pairs[:2]) {
		t.Errorf("All() of a truncated map = %q; want the pairs before the damage %q", got, pairs[:2])
	}
	for k := range m.All() {
		if k != ":method" {
			t.Errorf("All() went on after break, to %q", k)
		}
		break
	}
	allocs := testing.AllocsPerRun(100, func() {
		n := 0
		for k, v := range m.All() {
			if k == "origin" {
				n += len(v)
			}
		}
		if n == 0 {
			t.Fatal("origin not seen")
		}
	})
	if allocs != 0 {
		t.Errorf("All(): %v allocs; want 0", allocs)
	}
}

// AppendPairs decodes what Iter decodes, malformed maps included.
func FuzzAppendPairs(f *testing.F) {
	f.Add([]byte(FromPairs([][2]string{{":method", "OPTIONS"}, {"origin", "https://a.example"}})))
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []Pair
		it := Map(data).Iter()
		for {
			k, v, ok := it.Next()
			if !ok {
				break
			}
			want = append(want, Pair{k, v})
		}
		got, ok := AppendPairs(nil, Map(data))
		if ok != it.Valid() || !slices.Equal(got, want) {
			t.Errorf("AppendPairs = %q, %t; Iter gave %q, %t", got, ok, want, it.Valid())
		}
		mask := Lengths("origin", ":path", "")
		some, ok := AppendPairsIf(nil, Map(data), mask)
		want = slices.DeleteFunc(want, func(p Pair) bool { return len(p.Name) >= 64 || mask&(1<<len(p.Name)) == 0 })
		if ok != it.Valid() || !slices.Equal(some, want) {
			t.Errorf("AppendPairsIf = %q, %t; want %q, %t", some, ok, want, it.Valid())
		}
	})
}

func TestAppendPairsReusesBuffer(t *testing.T) {
	m := FromPairs([][2]string{{":method", "GET"}, {"origin", "https://a.example"}, {"x", ""}})
	buf := make([]Pair, 0, 8)
	if allocs := testing.AllocsPerRun(100, func() { buf, _ = AppendPairs(buf[:0], m) }); allocs != 0 {
		t.Errorf("AppendPairs into a large enough buffer: %v allocs; want 0", allocs)
	}
	if len(buf) != 3 || buf[1] != (Pair{"origin", "https://a.example"}) || buf[2] != (Pair{"x", ""}) {
		t.Errorf("AppendPairs = %q", buf)
	}
}
