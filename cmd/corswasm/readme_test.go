package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The quick start's check command (README.md) runs as written, `make
// corswasm` having built build/corswasm: every file it names is valid.
func TestQuickStartCheck(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile("(?m)^build/corswasm (check .*)$").FindSubmatch(readme)
	if line == nil {
		t.Fatal("README.md shows no `build/corswasm check …` command")
	}
	args := strings.Fields(string(line[1]))
	if len(args) < 2 {
		t.Fatalf("README.md: %q checks no file", line[0])
	}
	r := corswasm(t, "", args...)
	if r.code != exitOK || strings.Count(r.stdout, ": ok\n") != len(args)-1 {
		t.Errorf("corswasm %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
}
