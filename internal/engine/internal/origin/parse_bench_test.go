package origin

import (
	"strings"
	"testing"
)

// Parse runs on every request with an Origin that no exact entry names:
// TestParseDoesNotAllocate holds it to no allocation. Run
//
//	go test -run '^$' -bench Parse -benchmem ./policy/internal/origin/
func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct{ name, origin string }{
		{"short", "https://app.example.com"},
		{"port", "http://localhost:3000"},
		{"long", "https://" + strings.Repeat("abcdefghi.", 24) + "example.com"},
		{"ipv6", "https://[2001:db8::1]:8443"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if _, ok := Parse(tc.origin); !ok {
				b.Fatalf("Parse(%q) refused", tc.origin)
			}
			b.ReportAllocs()
			for b.Loop() {
				Parse(tc.origin)
			}
		})
	}
}
