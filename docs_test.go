package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// The user documentation is README.md, kept short, and docs/*.md. These
// tests read it as GitHub renders it: every relative link leads to a file of
// the repository, every #anchor to a heading of that file, and no page
// speaks of the project's own history.

// readmeMaxLines is how long README.md may grow: what corswasm is, the quick
// start, the configuration in brief and links; the rest belongs in docs/.
const readmeMaxLines = 300

// userDocs returns README.md and docs/*.md, by path from the repository's
// root (with slashes), with their text.
func userDocs(t *testing.T) map[string]string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("docs/ holds no *.md file")
	}
	docs := map[string]string{}
	for _, file := range append(files, filepath.Join(root, "README.md")) {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		docs[filepath.ToSlash(rel)] = string(text)
	}
	return docs
}

func TestREADMEIsShort(t *testing.T) {
	n := strings.Count(userDocs(t)["README.md"], "\n")
	if n > readmeMaxLines {
		t.Errorf("README.md has %d lines; at most %d (move the rest to docs/)", n, readmeMaxLines)
	}
}

func TestDocLinksResolve(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs := userDocs(t)
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		return err == nil
	}
	links := 0
	for _, name := range sortedKeys(docs) {
		links += len(markdownLinks(docs[name]))
		for _, problem := range brokenLinks(name, docs, exists) {
			t.Error(problem)
		}
	}
	if links < 50 {
		t.Errorf("found %d links in README.md and docs/: did the link pattern stop matching?", links)
	}
}

func TestDocsSpeakOfNoProjectHistory(t *testing.T) {
	docs := userDocs(t)
	for _, name := range sortedKeys(docs) {
		for _, found := range historyWords(docs[name]) {
			t.Errorf("%s speaks of the project's history: %q", name, found)
		}
	}
}

// The documentation describes the current build: it names no commit of
// the project (other projects' commits may be cited, as "<project> commit
// abc1234").
func TestDocsNameNoCommits(t *testing.T) {
	docs := userDocs(t)
	for _, name := range sortedKeys(docs) {
		for _, found := range commitHashes(docs[name]) {
			t.Errorf("%s names a commit: %q (describe the current build instead)", name, found)
		}
	}
}

// The checks themselves find what they are for.
func TestDocChecksFindProblems(t *testing.T) {
	docs := map[string]string{
		"README.md": "# Title\n\n## Quick start\n\n[ok](#quick-start) [ok](docs/a.md#the-corswasm-command)\n" +
			"[bad](#nowhere) [bad](docs/a.md#quick-start-2) [bad](docs/missing.md) [bad](../outside.md)\n" +
			"`[not a link](#nowhere)`\n```\n[not a link](#nowhere)\n# not a heading\n```\n[bad](#not-a-heading)\n",
		"docs/a.md": "# The `corswasm` command\n\n## Quick start\n\n## Quick start\n\n" +
			"[ok](#quick-start-1) [ok](../README.md#title) [ok](https://example.com/#x) [bad](README.md)\n",
	}
	exists := func(rel string) bool { _, ok := docs[rel]; return ok }
	var got []string
	for _, name := range sortedKeys(docs) {
		got = append(got, brokenLinks(name, docs, exists)...)
	}
	want := []string{
		"README.md: [bad](#nowhere): README.md has no heading #nowhere",
		"README.md: [bad](docs/a.md#quick-start-2): docs/a.md has no heading #quick-start-2",
		"README.md: [bad](docs/missing.md): no file docs/missing.md",
		"README.md: [bad](../outside.md): leads out of the repository",
		"README.md: [bad](#not-a-heading): README.md has no heading #not-a-heading",
		"docs/a.md: [bad](README.md): no file docs/README.md",
	}
	if !slices.Equal(got, want) {
		t.Errorf("brokenLinks found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, text := range []string{
		"fixed in issue 12", "see issue #12", "as of this round", "on the readme16 branch",
		"written in this session", "another helper adds", "PR #12", "corswasm PR #3", "this PR #4",
		"corswasm/corswasm#5", "see #6", "made by this change",
	} {
		if len(historyWords(text)) == 0 {
			t.Errorf("historyWords(%q) found nothing", text)
		}
	}
	for _, text := range []string{
		"the module of `main` at `f346596`", "4,918,894 at e7c4d45", "(fcf6ed7, 4,927,587 bytes)",
		"built from 9f2c1e0d4b7a8c3e5f6a1b2c3d4e5f6a7b8c9d0e", "corswasm commit `a1b2c3d`",
	} {
		if len(commitHashes(text)) == 0 {
			t.Errorf("commitHashes(%q) found nothing", text)
		}
	}
	for _, text := range []string{
		"proxy-wasm-cpp-host commit `c4d7bb0`", "1000000 requests", "4933209 bytes", "sha256:" + strings.Repeat("ab12", 16),
		"a decade", "0x1deadbeef", "defaced",
	} {
		if found := commitHashes(text); len(found) != 0 {
			t.Errorf("commitHashes(%q) = %q; want nothing", text, found)
		}
	}

	for _, text := range []string{
		"proxy-wasm-cpp-host PR #427", "Envoy PR #45756", "envoyproxy/envoy#35873", "golang/go#78513",
		"test helpers (testmodule)", "a session cookie", "`&#39;`", "[Audit mode](#audit-mode)",
	} {
		if found := historyWords(text); len(found) != 0 {
			t.Errorf("historyWords(%q) = %q; want nothing", text, found)
		}
	}
}

// brokenLinks returns, for the document name of docs, each relative link
// whose file does not exist (exists is given paths from the repository's
// root) or leads out of the repository, and each #anchor that names no
// heading of its Markdown file.
func brokenLinks(name string, docs map[string]string, exists func(string) bool) []string {
	var problems []string
	for _, link := range markdownLinks(docs[name]) {
		target := link[1]
		if regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(target) {
			continue // https:, mailto:: not this repository's
		}
		file, anchor, _ := strings.Cut(target, "#")
		rel := name
		if file != "" {
			rel = path.Clean(path.Join(path.Dir(name), file))
		}
		say := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s: [%s](%s): ", name, link[0], target)+fmt.Sprintf(format, args...))
		}
		switch {
		case rel == ".." || strings.HasPrefix(rel, "../"):
			say("leads out of the repository")
		case !exists(rel):
			say("no file %s", rel)
		case anchor != "" && strings.HasSuffix(rel, ".md"):
			text, ok := docs[rel]
			if !ok {
				continue // a Markdown file outside README.md and docs/: its anchors are its own
			}
			if !slices.Contains(headingSlugs(text), anchor) {
				say("%s has no heading #%s", rel, anchor)
			}
		}
	}
	return problems
}

var (
	fencedBlock = regexp.MustCompile("(?ms)^```.*?^```[^\n]*$")
	codeSpan    = regexp.MustCompile("`[^`\n]*`")
	inlineLink  = regexp.MustCompile(`\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)`)
	atxHeading  = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$`)
)

// prose returns the text without its fenced code blocks, where nothing is
// a link or a heading.
func prose(text string) string {
	return fencedBlock.ReplaceAllString(text, "")
}

// markdownLinks returns the inline links of text, outside code, as
// [text, target] pairs.
func markdownLinks(text string) [][2]string {
	var links [][2]string
	for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(prose(text), "``"), -1) {
		links = append(links, [2]string{m[1], m[2]})
	}
	return links
}

// headingSlugs returns the anchors GitHub gives the headings of text: the
// heading in lower case, only letters, digits, '-', '_' and spaces kept,
// spaces made '-'; a repeated slug gets "-1", "-2", ….
func headingSlugs(text string) []string {
	var slugs []string
	seen := map[string]int{}
	for _, m := range atxHeading.FindAllStringSubmatch(prose(text), -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			slugs = append(slugs, fmt.Sprintf("%s-%d", slug, n))
		} else {
			slugs = append(slugs, slug)
		}
		seen[slug]++
	}
	return slugs
}

// History words: the project's own issues, rounds, sessions, branches and
// pull requests. Other projects' issues and pull requests may be cited, as
// owner/repo#N (not corswasm's) or as "<project> PR #N" (not "this PR").
var (
	historyPhrase = regexp.MustCompile(`(?i)\bissues? #?[0-9]+|\bthis (?:round|session|change|work|branch|pr|pull request|commit)\b|` +
		`\bthe [a-z0-9-]+ branch\b|\b(?:this|that|our|previous|last|next|earlier|later) sessions?\b`)
	helperWord    = regexp.MustCompile(`(?i)\bhelpers?\b`)
	numberSign    = regexp.MustCompile(`#[0-9]+`)
	repoReference = regexp.MustCompile(`(?i)(?:^|[^\w.-])([\w.-]+)/[\w.-]+$`)
	projectPR     = regexp.MustCompile(`(?i)(?:^|[^\w.-])([a-z][\w.-]*) PR $`)
	notAProject   = []string{"corswasm", "this", "that", "our", "the", "a", "an", "my", "see"}
)

// historyWords returns the places text speaks of the project's history.
func historyWords(text string) []string {
	found := historyPhrase.FindAllString(text, -1)
	for _, loc := range helperWord.FindAllStringIndex(text, -1) {
		if !strings.HasSuffix(strings.ToLower(text[:loc[0]]), "test ") {
			found = append(found, text[loc[0]:loc[1]])
		}
	}
	for _, loc := range numberSign.FindAllStringIndex(text, -1) {
		before := text[:loc[0]]
		if strings.HasSuffix(before, "&") {
			continue // an HTML character reference
		}
		if m := repoReference.FindStringSubmatch(before); m != nil && !strings.EqualFold(m[1], "corswasm") {
			continue
		}
		if m := projectPR.FindStringSubmatch(before); m != nil && !slices.Contains(notAProject, strings.ToLower(m[1])) {
			continue
		}
		start := max(0, loc[0]-20)
		found = append(found, text[start:loc[1]])
	}
	return found
}

var (
	hexWord       = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
	projectCommit = regexp.MustCompile("(?i)(?:^|[^\\w.-])([a-z][\\w.-]*) commit `?$")
)

// commitHashes returns the words of text that look like a commit's hash:
// 7 to 40 hexadecimal digits, with a letter and a digit among them, not
// part of a longer hexadecimal word (a sha256 digest) nor of a 0x number,
// unless cited as another project's commit.
func commitHashes(text string) []string {
	var found []string
	for _, loc := range hexWord.FindAllStringIndex(text, -1) {
		word := text[loc[0]:loc[1]]
		if !strings.ContainsAny(word, "0123456789") || !strings.ContainsAny(word, "abcdef") {
			continue // a number, or an English word
		}
		before := text[:loc[0]]
		if strings.HasSuffix(before, "0x") || strings.HasSuffix(before, "sha256:") {
			continue
		}
		if m := projectCommit.FindStringSubmatch(before); m != nil && !slices.Contains(notAProject, strings.ToLower(m[1])) {
			continue
		}
		found = append(found, word)
	}
	return found
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
