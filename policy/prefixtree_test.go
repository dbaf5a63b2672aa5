package policy

import (
	"strings"
	"testing"
)

// The radix tree agrees with a linear scan over the prefixes: the smallest
// rule whose prefix starts the path.
func TestPrefixTree(t *testing.T) {
	t.Parallel()
	prefixes := []string{"/api/v1/", "/api/", "/a", "/api/v1/orders", "/", "/b/c", "/b/", "/api/v2", "/api/v1/", "/api"}
	var tree prefixTree
	for i, p := range prefixes {
		tree.insert(p, i)
	}
	linear := func(path string) int {
		for i, p := range prefixes {
			if strings.HasPrefix(path, p) {
				return i
			}
		}
		return -1
	}
	for _, path := range []string{"", "/", "/api", "/api/", "/api/v1/orders/7", "/api/v2x", "/b", "/b/c/d", "/bc", "/apx", "x", "/a"} {
		if got, want := tree.lookup(path), linear(path); got != want {
			t.Errorf("lookup(%q) = %d; want %d", path, got, want)
		}
	}
	var noRoot prefixTree
	noRoot.insert("/x/", 3)
	noRoot.insert("/xy", 1)
	for path, want := range map[string]int{"/x/1": 3, "/xy": 1, "/x": -1, "/": -1, "": -1} {
		if got := noRoot.lookup(path); got != want {
			t.Errorf("lookup(%q) = %d; want %d", path, got, want)
		}
	}
}

func FuzzPrefixTree(f *testing.F) {
	f.Add("/api/,/a,/api/v1", "/api/v1/x")
	f.Fuzz(func(t *testing.T, list, path string) {
		prefixes := strings.Split(list, ",")
		var tree prefixTree
		for i, p := range prefixes {
			tree.insert(p, i)
		}
		want := -1
		for i, p := range prefixes {
			if strings.HasPrefix(path, p) {
				want = i
				break
			}
		}
		if got := tree.lookup(path); got != want {
			t.Fatalf("prefixes %q: lookup(%q) = %d; want %d", prefixes, path, got, want)
		}
	})
}
