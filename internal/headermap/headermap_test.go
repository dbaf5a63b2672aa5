package headermap

import (
	"encoding/binary"
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

// decodeSimply is the serialization decoded one field at a time, with
// slices, the way its description reads: the reference AppendPairsIf's one
// loop is checked against.
func decodeSimply(m []byte) (pairs []Pair, ok bool) {
	if len(m) == 0 {
		return nil, true
	}
	if len(m) < 4 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(m))
	sizes, data := m[4:], []byte(nil)
	if n > len(sizes)/10 {
		// Each pair takes at least 10 bytes: the count alone is damaged.
		return nil, false
	}
	sizes, data = sizes[:8*n], sizes[8*n:]
	for i := 0; i < n; i++ {
		var field [2]string
		for j := range field {
			size := int64(binary.LittleEndian.Uint32(sizes[8*i+4*j:]))
			if size >= int64(len(data)) || data[size] != 0 {
				return pairs, false
			}
			field[j], data = string(data[:size]), data[size+1:]
		}
		pairs = append(pairs, Pair{field[0], field[1]})
	}
	return pairs, true
}

// AppendPairsIf and Pairs decode what decodeSimply decodes, malformed maps
// included; a valid map re-serializes to a prefix of the input.
func FuzzPairs(f *testing.F) {
	f.Add([]byte(FromPairs([][2]string{{":method", "OPTIONS"}, {"origin", "https://a.example"}})))
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0})
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantOK := decodeSimply(data)
		pairs, ok := Map(data).Pairs()
		if ok != wantOK || len(pairs) != len(want) {
			t.Fatalf("Pairs = %q, %t; want %q, %t", pairs, ok, want, wantOK)
		}
		for i, p := range pairs {
			if p != [2]string{want[i].Name, want[i].Value} {
				t.Fatalf("Pairs = %q; want %q", pairs, want)
			}
		}
		if ok && len(data) > 0 {
			again := FromPairs(pairs)
			if len(again) > len(data) || string(again) != string(data[:len(again)]) {
				t.Fatalf("re-serialized %q differs from input %q", again, data)
			}
		}
		mask := Lengths("origin", ":path", "")
		some, ok := AppendPairsIf(nil, Map(data), mask)
		want = slices.DeleteFunc(want, func(p Pair) bool { return len(p.Name) >= 64 || mask&(1<<len(p.Name)) == 0 })
		if ok != wantOK || !slices.Equal(some, want) {
			t.Errorf("AppendPairsIf = %q, %t; want %q, %t", some, ok, want, wantOK)
		}
	})
}

func TestAppendPairsIfReusesBuffer(t *testing.T) {
	m := FromPairs([][2]string{{":method", "GET"}, {"origin", "https://a.example"}, {"x", ""}})
	buf := make([]Pair, 0, 8)
	mask := Lengths(":method", "origin", "x")
	if allocs := testing.AllocsPerRun(100, func() { buf, _ = AppendPairsIf(buf[:0], m, mask) }); allocs != 0 {
		t.Errorf("AppendPairsIf into a large enough buffer: %v allocs; want 0", allocs)
	}
	if len(buf) != 3 || buf[1] != (Pair{"origin", "https://a.example"}) || buf[2] != (Pair{"x", ""}) {
		t.Errorf("AppendPairsIf = %q", buf)
	}
	if got, _ := AppendPairsIf(buf[:0], m, Lengths("origin")); len(got) != 1 || got[0] != (Pair{"origin", "https://a.example"}) {
		t.Errorf("AppendPairsIf of origin alone = %q", got)
	}
}
