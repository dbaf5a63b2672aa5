package engine

import (
	"strings"
	"testing"
)

// parseEntry reads a test entry: "=/x" an exact path, "~/x" a
// separated prefix, anything else a byte prefix.
func parseEntry(s string) pathEntry {
	switch {
	case strings.HasPrefix(s, "="):
		return pathEntry{s[1:], matchExact}
	case strings.HasPrefix(s, "~"):
		return pathEntry{s[1:], matchSeparated}
	}
	return pathEntry{s, matchPrefix}
}

// matchesLinearly is the definition of each kind of entry, the oracle the
// tree is compared with.
func matchesLinearly(e pathEntry, path string) bool {
	switch e.kind {
	case matchExact:
		return path == e.key
	case matchSeparated:
		return path == e.key || strings.HasPrefix(path, e.key+"/")
	}
	return strings.HasPrefix(path, e.key)
}

// lookupLinearly returns the first entry the path matches, or -1.
func lookupLinearly(entries []pathEntry, path string) int {
	for i, e := range entries {
		if matchesLinearly(e, path) {
			return i
		}
	}
	return -1
}

func treeOf(list []string) ([]pathEntry, *prefixTree) {
	var tree prefixTree
	entries := make([]pathEntry, len(list))
	for i, s := range list {
		entries[i] = parseEntry(s)
		tree.insert(entries[i], i)
	}
	return entries, &tree
}

// The radix tree agrees with a linear scan over the entries: the smallest
// rule whose entry the path matches.
func TestPrefixTree(t *testing.T) {
	t.Parallel()
	entries, tree := treeOf([]string{"=/api/v1/orders", "~/api/v1", "/api/v1/", "/api/", "/a", "/api/v1/orders", "/", "/b/c", "/b/", "/api/v2",
		"/api/v1/", "/api", "=/exact", "~/seg", "=/seg", "~/b/c/d"})
	for _, path := range []string{"", "/", "/api", "/api/", "/api/v1", "/api/v1/orders", "/api/v1/orders/7", "/api/v1x", "/api/v2x", "/b",
		"/b/c/d", "/bc", "/apx", "x", "/a", "/exact", "/exact/", "/exactly", "/seg", "/seg/", "/seg/x", "/segx", "/b/c/d/e"} {
		if got, want := tree.lookup(path), lookupLinearly(entries, path); got != want {
			t.Errorf("lookup(%q) = %d; want %d", path, got, want)
		}
	}
	_, noRoot := treeOf([]string{"/x/", "/xy", "=/z", "~/w"})
	for path, want := range map[string]int{"/x/1": 0, "/xy": 1, "/x": -1, "/": -1, "": -1, "/z": 2, "/z/": -1, "/zz": -1,
		"/w": 3, "/w/": 3, "/w/x": 3, "/wx": -1} {
		if got := noRoot.lookup(path); got != want {
			t.Errorf("lookup(%q) = %d; want %d", path, got, want)
		}
	}
}

func FuzzPrefixTree(f *testing.F) {
	f.Add("/api/,/a,/api/v1", "/api/v1/x")
	f.Add("=/api,~/api,/ap", "/api/")
	f.Add("~/v1,=/v1/,/v1x", "/v1x")
	f.Fuzz(func(t *testing.T, list, path string) {
		entries, tree := treeOf(strings.Split(list, ","))
		if got, want := tree.lookup(path), lookupLinearly(entries, path); got != want {
			t.Fatalf("entries %q: lookup(%q) = %d; want %d", entries, path, got, want)
		}
	})
}
