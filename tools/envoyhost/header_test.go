//go:build !wasip1

package envoyhost

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestHeaderJSON(t *testing.T) {
	data, err := json.Marshal([]Header{{"origin", "https://a.example"}})
	if err != nil || string(data) != `[["origin","https://a.example"]]` {
		t.Fatalf("Marshal = %s, %v", data, err)
	}
	var back []Header
	if err := json.Unmarshal(data, &back); err != nil || !slices.Equal(back, []Header{{"origin", "https://a.example"}}) {
		t.Fatalf("Unmarshal = %q, %v", back, err)
	}
	for _, bad := range []string{`[["origin"]]`, `[["a","b","c"]]`, `[{"name":"a"}]`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s): no error", bad)
		}
	}
}

func TestJoinInline(t *testing.T) {
	for _, tc := range []struct {
		desc     string
		in, want []Header
	}{
		{"an inline header's lines become one entry, at the first",
			[]Header{{"Vary", "Accept"}, {"x-a", "1"}, {"vary", "Origin"}},
			[]Header{{"vary", "Accept,Origin"}, {"x-a", "1"}}},
		{"CORS headers are inline",
			[]Header{{"origin", "https://a.example"}, {"access-control-allow-origin", "*"}, {"origin", "https://b.example"}, {"access-control-allow-origin", "https://c.example"}},
			[]Header{{"origin", "https://a.example,https://b.example"}, {"access-control-allow-origin", "*,https://c.example"}}},
		{"other headers keep one entry per line",
			[]Header{{"x-a", "1"}, {"set-cookie", "a=1"}, {"x-a", "2"}, {"set-cookie", "b=2"}},
			[]Header{{"x-a", "1"}, {"set-cookie", "a=1"}, {"x-a", "2"}, {"set-cookie", "b=2"}}},
		{"nothing", nil, []Header{}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := JoinInline(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("JoinInline(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}
