package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// No tracked file depends on where one machine keeps its checkouts: the
// envoyhost kit is found through ENVOYHOST_KIT or beside the repository
// (../shared/envoyhost), never at an absolute path.
func TestNoMachinePaths(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("git ls-files: %v", err)
		}
		t.Skipf("git ls-files: %v (not a git checkout?)", err)
	}
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files: is this the repository?", len(files))
	}
	for _, file := range files {
		if file == "paths_test.go" {
			continue // this test names them
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the working tree
			}
			t.Fatal(err)
		}
		for _, path := range []string{"/work/", "/root/", "/home/"} {
			if i := bytes.Index(data, []byte(path)); i >= 0 {
				line := 1 + bytes.Count(data[:i], []byte("\n"))
				t.Errorf("%s:%d names a machine's path %s…", file, line, path)
			}
		}
	}
}
