package testmodule

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ReadmeJSON returns the JSON block that follows the line marker (an HTML
// comment, invisible on the rendered page) in the repository's README.md:
// a configuration the README shows, for a test to run exactly as written.
func ReadmeJSON(marker string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, err
	}
	_, after, ok := strings.Cut(string(readme), marker+"\n```json\n")
	if !ok {
		return nil, fmt.Errorf("README.md has no %s line followed by a json block", marker)
	}
	block, _, ok := strings.Cut(after, "\n```\n")
	if !ok {
		return nil, fmt.Errorf("README.md: the json block after %s does not end", marker)
	}
	return []byte(block), nil
}
