package filter

import (
	"os"
	"slices"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// The "configuration loaded" line names the module's version: natively the
// package's Version; in the module, the stamp the Makefile passed
// (CORSWASM_VERSION, which `make test` sets beside CORSWASM_MODULE), or
// "dev" in a module the tests built themselves without a stamp.
func TestLoadedLineNamesVersion(t *testing.T) {
	t.Run("native", func(t *testing.T) { checkLoadedLine(t, NewVMContext(), Version) })
	t.Run("wasm", func(t *testing.T) {
		want := "dev"
		if os.Getenv("CORSWASM_MODULE") != "" {
			want = os.Getenv("CORSWASM_VERSION")
			if want == "" {
				t.Fatal("CORSWASM_MODULE is set without CORSWASM_VERSION, the version the module was stamped with; `make test` sets both")
			}
		}
		checkLoadedLine(t, productionVM.get(t, testmoduleModule), want)
	})
}

func checkLoadedLine(t *testing.T, vm types.VMContext, version string) {
	t.Helper()
	host := startHost(t, vm, `{"allow_origins": ["https://app.example.com"]}`)
	want := "corswasm: configuration loaded (version " + version + ", 0 warning(s))"
	if logs := host.GetInfoLogs(); !slices.Contains(logs, want) {
		t.Errorf("info logs %q lack %q", logs, want)
	}
}
