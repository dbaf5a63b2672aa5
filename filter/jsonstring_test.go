package filter

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// appendJSONString's examples: escapes as the observation line's contract
// states them.
func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"https://app.example.com", `"https://app.example.com"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"a\nb\r\x00\x1f\x7f", `"a\u000ab\u000d\u0000\u001f\u007f"`},
		{"caf\xc3\xa9 \xe2\x80\xa8", "\"caf\xc3\xa9 \\u2028\""},
		{"a\u0085b\u2029", `"a\u0085b\u2029"`},
		{"\xff\xc3(\xed\xa0\x80", `"\ufffd\ufffd(\ufffd\ufffd\ufffd"`},
		{"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},
	} {
		if got := string(appendJSONString(nil, tc.in)); got != tc.want {
			t.Errorf("appendJSONString(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

// Any bytes give one valid JSON string with no raw line break, which
// decodes to the input when the input is valid UTF-8.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\n", "\xff", "\u2028", "\u0085", "é", "\x7f\\", "\xed\xa0\x80", `\u0022`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendJSONString([]byte("x"), s)[1:]
		if !json.Valid(out) {
			t.Fatalf("appendJSONString(%q) = %s: not valid JSON", s, out)
		}
		if bytes.ContainsAny(out, "\n\r") || bytes.Contains(out, []byte("\u0085")) || bytes.Contains(out, []byte("\u2028")) || bytes.Contains(out, []byte("\u2029")) {
			t.Fatalf("appendJSONString(%q) = %q holds a line break", s, out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: %v", s, out, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("appendJSONString(%q) decodes to %q", s, back)
		}
		if !utf8.ValidString(s) && !strings.Contains(back, "\ufffd") {
			t.Fatalf("appendJSONString(%q) decodes to %q: the invalid bytes left no U+FFFD", s, back)
		}
		// jsonCut keeps the longest prefix whose string fits: its escape
		// fits, the next unit's would not, and a cut value is still
		// valid JSON decoding to a prefix of the whole's decoding.
		if jsonCut(s, len(out)) != len(s) {
			t.Fatalf("jsonCut(%q, %d) = %d; want it whole", s, len(out), jsonCut(s, len(out)))
		}
		for limit := range min(len(out), 40) {
			n := jsonCut(s, limit)
			cut := appendJSONString(nil, s[:n])
			if len(cut) > limit+2 || !json.Valid(cut) {
				t.Fatalf("jsonCut(%q, %d) = %d: %s", s, limit, n, cut)
			}
			if n < len(s) {
				if w, size := jsonUnit(s, n); len(cut)+w <= limit+2 || len(appendJSONString(nil, s[:n+size])) != len(cut)+w {
					t.Fatalf("jsonCut(%q, %d) = %d: the next unit (%d bytes, %d escaped) would fit", s, limit, n, size, w)
				}
			}
			if !bytes.HasPrefix(out, cut[:len(cut)-1]) {
				t.Fatalf("jsonCut(%q, %d) = %d: %s is not a prefix of %s", s, limit, n, cut, out)
			}
		}
	})
}

// Escaping allocates nothing beyond the buffer's space.
func TestAppendJSONStringDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 1024)
	s := "https://app.example.com\n\"\xff\u2028é"
	if n := testing.AllocsPerRun(100, func() { buf = appendJSONString(buf[:0], s) }); n != 0 {
		t.Errorf("appendJSONString allocates %v times; want 0", n)
	}
}
