package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The configuration reference's command (docs/configuration.md) that
// measures what allow_origin_regexes cost is
// the one `make bench` runs, and it runs: once each benchmark, every one
// it names reporting.
func TestRegexBenchCommandRuns(t *testing.T) {
	readme, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile(`(?m)^go test -run '\^\$' -bench '(Regex[^']*)' -benchmem \./internal/engine/\.\.\.$`).FindSubmatch(readme)
	if command == nil {
		t.Fatal("docs/configuration.md shows no `go test … -bench 'Regex…' … ./internal/engine/...` command")
	}
	pattern := string(command[1])
	if !strings.Contains(string(makefile), "-bench '"+pattern+"' -benchmem -benchtime $(BENCHTIME) ./internal/engine/...") {
		t.Errorf("make bench does not run docs/configuration.md's -bench %q", pattern)
	}
	out, err := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchmem", "-benchtime", "1x", "./internal/engine/...").CombinedOutput()
	if err != nil {
		t.Fatalf("docs/configuration.md's command: %v\n%s", err, out)
	}
	for _, name := range strings.Split(pattern, "|") {
		if !strings.Contains(string(out), "Benchmark"+name) {
			t.Errorf("docs/configuration.md's command ran no Benchmark%s:\n%s", name, out)
		}
	}
}
