package testmodule

import (
	"path/filepath"
	"testing"
)

// RepoRoot finds the product module's directory from the tools module
// (tools/, its own go.mod) as from the root.
func TestRepoRootFromToolsModule(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if got := modulePath(filepath.Join(root, "go.mod")); got != ProductModule {
		t.Fatalf("RepoRoot() = %s, whose go.mod declares %q; want %q", root, got, ProductModule)
	}
	t.Chdir(filepath.Join(root, "tools", "e2e"))
	if got, err := RepoRoot(); err != nil || got != root {
		t.Errorf("from tools/e2e: RepoRoot() = %q, %v; want %q", got, err, root)
	}
}
