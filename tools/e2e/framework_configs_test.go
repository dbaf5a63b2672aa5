//go:build !wasip1

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// riskCodes are the risk codes a configs.json may name: those `corswasm
// learn` reports.
var riskCodes = []string{
	"reflects_any_origin", "allows_null_origin", "allows_invalid_origin", "credentials_with_any_origin",
	"missing_vary_origin", "allows_any_request_header", "allows_any_method",
}

// TestFrameworkConfigs checks every frameworks/*/configs.json against the
// contract, where no framework runs: the command's placeholders, a
// description, known risk codes, exactly one vulnerable configuration (one
// that sends credentials to any origin), settings quoted from the app's
// sources, and a policy for each configuration and none other.
func TestFrameworkConfigs(t *testing.T) {
	for _, app := range readFrameworkApps(t) {
		t.Run(app.Framework, func(t *testing.T) {
			if !slices.Contains(app.Command, "{config}") || !slices.Contains(app.Command, "{port}") {
				t.Errorf("command %q: want {config} and {port}", app.Command)
			}
			sources := appSources(t, app.dir)
			vulnerable := 0
			var policies []string
			for _, c := range app.Configs {
				policies = append(policies, c.Name+".json")
				if c.Description == "" {
					t.Errorf("%s: no description", c.Name)
				}
				for _, excerpt := range strings.Split(c.Settings, "\n...\n") {
					if !quotesLines(sources, excerpt) {
						t.Errorf("%s: settings are not quoted from the app's sources:\n%s", c.Name, excerpt)
					}
				}
				for _, r := range c.Risks {
					if !slices.Contains(riskCodes, r) {
						t.Errorf("%s: unknown risk code %q", c.Name, r)
					}
				}
				if slices.Contains(c.Risks, "credentials_with_any_origin") {
					vulnerable++
				}
			}
			if vulnerable != 1 {
				t.Errorf("%d configurations send credentials to any origin; want exactly one vulnerable", vulnerable)
			}
			files, _ := filepath.Glob(filepath.Join(app.dir, "policies", "*.json"))
			var have []string
			for _, f := range files {
				have = append(have, filepath.Base(f))
			}
			slices.Sort(policies)
			if !slices.Equal(have, policies) {
				t.Errorf("policies/ holds %q; want one per configuration: %q", have, policies)
			}
		})
	}
}

// appSources is the text of the app's sources in dir (app.js, app.py,
// nginx's *.conf), with each line's indentation removed.
func appSources(t *testing.T, dir string) string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"app.*", "*.conf"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(trimLines(string(data)))
	}
	if b.Len() == 0 {
		t.Fatalf("%s: no app.* or *.conf", dir)
	}
	return b.String()
}

// trimLines removes each line's indentation; the result starts and ends
// with a newline.
func trimLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return "\n" + strings.Join(lines, "\n") + "\n"
}

// quotesLines says whether excerpt appears in sources (trimLines of them)
// as whole consecutive lines, whatever the indentation.
func quotesLines(sources, excerpt string) bool {
	return strings.TrimSpace(excerpt) != "" && strings.Contains(sources, trimLines(excerpt))
}
