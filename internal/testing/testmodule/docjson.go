package testmodule

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DocJSON returns the JSON block that follows the line marker (an HTML
// comment, invisible on the rendered page) in the repository's document
// file (a path from the repository's root, such as docs/behaviour.md): a
// configuration the documentation shows, for a test to run exactly as
// written.
func DocJSON(file, marker string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	_, after, ok := strings.Cut(string(doc), marker+"\n```json\n")
	if !ok {
		return nil, fmt.Errorf("%s has no %s line followed by a json block", file, marker)
	}
	block, _, ok := strings.Cut(after, "\n```\n")
	if !ok {
		return nil, fmt.Errorf("%s: the json block after %s does not end", file, marker)
	}
	return []byte(block), nil
}
