//go:build !wasip1

package wasmhost

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
)

func TestHeaderMapEncoding(t *testing.T) {
	t.Parallel()
	m := headerMap{{":status", "200"}, {"a", ""}}
	want := []byte{
		2, 0, 0, 0, // count
		7, 0, 0, 0, 3, 0, 0, 0, // :status, 200
		1, 0, 0, 0, 0, 0, 0, 0, // a, ""
		':', 's', 't', 'a', 't', 'u', 's', 0, '2', '0', '0', 0,
		'a', 0, 0,
	}
	if got := m.encode(); !bytes.Equal(got, want) {
		t.Errorf("encode:\n%v\nwant:\n%v", got, want)
	}
	back, ok := decodeHeaderMap(want)
	if !ok || !slices.Equal(back, m) {
		t.Errorf("decode = %v, %v; want %v", back, ok, m)
	}
}

func TestDecodeHeaderMapMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		in     []byte
		wantOK bool
	}{
		{"empty", nil, true},
		{"count larger than the sizes", []byte{5, 0, 0, 0, 1, 0, 0, 0}, true},
		{"name past the end", []byte{1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 0}, false},
	}
	for _, tc := range tests {
		m, ok := decodeHeaderMap(tc.in)
		if ok != tc.wantOK || len(m) != 0 {
			t.Errorf("%s: got %v, %v; want an empty map, ok=%v", tc.desc, m, ok, tc.wantOK)
		}
	}
}

func TestHeaderMapEdits(t *testing.T) {
	t.Parallel()
	m := headerMap{{"a", "1"}, {"b", "2"}, {"a", "3"}}
	if v, _ := m.get("a"); v != "1" {
		t.Errorf("get(a) = %q; want the first value", v)
	}
	m.replace("A", "9")
	m.add("C", "4")
	m.remove("b")
	want := headerMap{{"a", "9"}, {"c", "4"}}
	if !slices.Equal(m, want) {
		t.Errorf("after replace, add, remove: %v; want %v", m, want)
	}
}

func TestAppendHeadersDropsHopByHop(t *testing.T) {
	t.Parallel()
	h := http.Header{
		"Connection": {"keep-alive, X-Private"}, "X-Private": {"p"}, "Keep-Alive": {"5"},
		"Te": {"trailers"}, "Upgrade": {"h2c"}, "B": {"1", "2"}, "A": {"0"},
	}
	got := headerMap(nil).appendHeaders(h)
	want := headerMap{{"a", "0"}, {"b", "1"}, {"b", "2"}}
	if !slices.Equal(got, want) {
		t.Errorf("appendHeaders = %v; want %v", got, want)
	}
}

func FuzzDecodeHeaderMap(f *testing.F) {
	f.Add(headerMap{{":path", "/"}, {"origin", "https://a"}}.encode())
	f.Add([]byte{1, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := decodeHeaderMap(b)
		if !ok {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, ok := decodeHeaderMap(m.encode())
		if !ok || !slices.Equal(again, m) {
			t.Errorf("round trip of %v gave %v, %v", m, again, ok)
		}
	})
}
