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
			if i := absolutePathAt(data, path); i >= 0 {
				line := 1 + bytes.Count(data[:i], []byte("\n"))
				t.Errorf("%s:%d names a machine's path %s…", file, line, path)
			}
		}
	}
}

// absolutePathAt returns where data first holds path as the start of an
// absolute path, or -1: not inside a longer path such as
// docs/root/intro/… or ../work/….
func absolutePathAt(data []byte, path string) int {
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte(path))
		if i < 0 {
			return -1
		}
		i += off
		if i == 0 || !isPathByte(data[i-1]) {
			return i
		}
		off = i + 1
	}
}

func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-~/", c) >= 0
}

func TestAbsolutePathAt(t *testing.T) {
	for _, tc := range []struct {
		data string
		want int
	}{
		{"/work/shared", 0},
		{"x=/work/shared", 2},
		{"see docs/root/intro/a.rst", -1},
		{"../work/x then /work/y", 15},
		{"$HOME/work/x", -1},
	} {
		if got := absolutePathAt([]byte(tc.data), "/work/"); got != tc.want {
			t.Errorf("absolutePathAt(%q) = %d; want %d", tc.data, got, tc.want)
		}
	}
	if got := absolutePathAt([]byte("see docs/root/intro/a.rst"), "/root/"); got != -1 {
		t.Errorf("docs/root/…: %d; want -1", got)
	}
}
