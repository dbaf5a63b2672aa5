package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// The command docs/development.md shows to measure what the corswasm
// command's build is made of runs, and lists the modules its figures name,
// each package with its compiled archive.
func TestBuildCostCommand(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "development.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^(go list -deps -export .* ./cmd/corswasm)$").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/development.md shows no `go list -deps -export … ./cmd/corswasm` command")
	}
	cmd := exec.Command("sh", "-c", string(m[1]))
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", m[1], err)
	}
	modules := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		module, export, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s printed %q: want MODULE EXPORT", m[1], line)
		}
		if export != "" {
			if _, err := os.Stat(export); err != nil {
				t.Errorf("%s: %v", line, err)
			}
		}
		modules[module]++
	}
	for _, want := range []string{"std", "github.com/corswasm/corswasm", "github.com/envoyproxy/go-control-plane/envoy",
		"google.golang.org/protobuf", "k8s.io/apimachinery", "istio.io/api", "github.com/cncf/xds/go", "sigs.k8s.io/gateway-api"} {
		if modules[want] == 0 {
			t.Errorf("%s lists no package of %s", m[1], want)
		}
	}
}
