//go:build !wasip1

package e2e

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// buildPassthrough builds the pass-through module (tools/passthrough) once,
// from the tools module's directory, with the command the product module is
// built with.
var buildPassthrough = sync.OnceValues(func() ([]byte, error) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return nil, err
	}
	return testmodule.Build(filepath.Join(root, "tools"), "./passthrough")
})

// passthroughModule returns a module that does nothing, built from
// tools/passthrough: the baseline of the module benchmarks.
func passthroughModule(tb testing.TB) []byte {
	tb.Helper()
	bin, err := buildPassthrough()
	if err != nil {
		tb.Fatalf("the pass-through module: %v", err)
	}
	return bin
}
