package configsource

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// The configuration reference (docs/configuration.md) documents every code
// of this package, in order, and none is
// also one of policy's.
func TestCodesDocumented(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	start := strings.Index(doc, "<!-- document-codes -->")
	end := strings.Index(doc, "<!-- /document-codes -->")
	if start < 0 || end < start {
		t.Fatal("docs/configuration.md has no <!-- document-codes --> … <!-- /document-codes --> table")
	}
	var documented []engine.Code
	for _, line := range strings.Split(doc[start:end], "\n") {
		if strings.HasPrefix(line, "| `") {
			documented = append(documented, engine.Code(strings.SplitN(line, "`", 3)[1]))
		}
	}
	if !slices.Equal(documented, Codes) {
		t.Errorf("docs/configuration.md documents codes %q;\nwant, in order, %q", documented, Codes)
	}
	for _, c := range Codes {
		if slices.Contains(engine.Codes(), c) {
			t.Errorf("%q is also one of policy's codes", c)
		}
	}
}
