package workflows

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// lint runs actionlint over the workflow files of dir, without shellcheck
// and pyflakes (empty executables: actionlint skips them), and returns its
// findings, one a line.
func lint(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no workflow in %s", dir)
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{
		Oneline:    true,
		Color:      actionlint.ColorOptionKindNever,
		Shellcheck: "",
		Pyflakes:   "",
	})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range errs {
		found = append(found, e.Error())
	}
	return found
}

// repoRoot returns the repository's root: this module is tools/workflows.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".github", "workflows")); err != nil {
		t.Fatalf("no .github/workflows two levels above the test: %v", err)
	}
	return root
}

// Every workflow of the repository passes actionlint.
func TestWorkflowsPassActionlint(t *testing.T) {
	root := repoRoot(t)
	for _, problem := range lint(t, filepath.Join(root, ".github", "workflows")) {
		t.Error(problem)
	}
}

// The check finds what it is for: a copy of the release workflow with an
// undefined variable, an unknown runner, an unknown event or an
// unknown permission fails it.
func TestActionlintFindsBrokenWorkflows(t *testing.T) {
	root := repoRoot(t)
	good, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ old, new, want string }{
		{"${{ github.event.inputs.tag || github.ref_name }}", "${{ gitHub_ev.tag }}", "undefined variable"},
		{"runs-on: ubuntu-latest", "runs-on: ubuntu-latst", "ubuntu-latst"},
		{"workflow_dispatch:", "workflow_dispach:", "workflow_dispach"},
		{"packages: write", "pakages: write", "pakages"},
	} {
		if !strings.Contains(string(good), c.old) {
			t.Fatalf("release.yml no longer holds %q: change this test", c.old)
		}
		dir := t.TempDir()
		bad := strings.Replace(string(good), c.old, c.new, 1)
		if err := os.WriteFile(filepath.Join(dir, "release.yml"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		found := lint(t, dir)
		if !strings.Contains(strings.Join(found, "\n"), c.want) {
			t.Errorf("%q → %q: actionlint found %q; want a finding naming %q", c.old, c.new, found, c.want)
		}
	}
}

// Every action a workflow uses is pinned by its full commit hash, with the
// version it is in a comment: a tag can be moved, a commit cannot.
func TestActionsArePinnedByCommit(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	version := regexp.MustCompile(`^\s*#\s*v[0-9]+(\.[0-9]+)*\s*$`)
	n := 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(text), -1) {
			n++
			if !pinned.MatchString(m[1]) || !version.MatchString(m[2]) {
				t.Errorf("%s: uses: %s%s; want OWNER/REPO@<40-hex commit> # vX.Y.Z", filepath.Base(file), m[1], m[2])
			}
		}
	}
	if n == 0 {
		t.Error("no uses: found in the workflows: did the pattern stop matching?")
	}
}
