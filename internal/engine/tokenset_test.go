package engine

import (
	"fmt"
	"strings"
	"testing"
)

// A token set answers as its map does, scanned (at most maxScannedTokens
// members) or hashed (more): members byte for byte with has, and with
// hasFold whatever their case; nothing else, a name differing in one byte,
// a prefix or an extension of a member, the empty name, and a name longer
// than any member with upper-case letters.
func TestTokenSet(t *testing.T) {
	for _, n := range []int{0, 1, 3, maxScannedTokens, maxScannedTokens + 1, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var s tokenSet
			var members []string
			for i := range n {
				m := fmt.Sprintf("x-h%d", i)
				if !s.add(m) {
					t.Fatalf("add(%q) reported a duplicate", m)
				}
				members = append(members, m)
			}
			if n > 0 && s.add(members[0]) {
				t.Errorf("add(%q) twice reported no duplicate", members[0])
			}
			if scanned := len(s.small) > 0; scanned != (n > 0 && n <= maxScannedTokens) {
				t.Errorf("%d members: scanned %v", n, scanned)
			}
			for _, m := range members {
				if !s.has(m) || !s.hasFold(m) || !s.hasFold(strings.ToUpper(m)) || !s.hasFold("X-h"+m[3:]) {
					t.Errorf("%q (or its upper case) not found", m)
				}
				if s.has(strings.ToUpper(m)) {
					t.Errorf("has(%q) found a member differing in case", strings.ToUpper(m))
				}
			}
			for _, name := range []string{"", "x-h", "x-h" + fmt.Sprint(n), "x-i0", "x-h0x", "y-h0", strings.Repeat("X", 300)} {
				if s.has(name) || s.hasFold(name) {
					t.Errorf("%q found in %v", name, members)
				}
			}
		})
	}
}
