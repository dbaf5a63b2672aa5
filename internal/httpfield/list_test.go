package httpfield

import "testing"

func TestScanner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		names []string
		bad   bool
	}{
		{"", nil, false},
		{"content-type", []string{"content-type"}, false},
		{"a,b", []string{"a", "b"}, false},
		{" a , b ", []string{"a", "b"}, false},
		{"\ta,\t,b,", []string{"a", "b"}, false},
		{",,,", nil, false},
		{"a b", nil, true},
		{"a,b c", []string{"a"}, true},
		{"a;b", nil, true},
		{"a,\"b\"", []string{"a"}, true},
		{"a,é", []string{"a"}, true},
		// A malformed element is skipped; the list is invalid, and the
		// elements after it are still read.
		{"a b, c", []string{"c"}, true},
		{"x;q=1,Origin", []string{"Origin"}, true},
	}
	for _, tc := range cases {
		sc := NewScanner(tc.in)
		var got []string
		for {
			n, ok := sc.Next()
			if !ok {
				break
			}
			got = append(got, n)
		}
		if len(got) != len(tc.names) || sc.Invalid() != tc.bad {
			t.Errorf("scan(%q) = %q, bad=%v; want %q, bad=%v", tc.in, got, sc.Invalid(), tc.names, tc.bad)
			continue
		}
		for i := range got {
			if got[i] != tc.names[i] {
				t.Errorf("scan(%q) = %q; want %q", tc.in, got, tc.names)
			}
		}
	}
}
