// Package workflows holds the check of the repository's GitHub Actions
// workflows (.github/workflows) with actionlint, through its Go API, as
// `make test` runs it; `make lint-workflows` runs the actionlint command
// the tools module pins (go tool actionlint). Neither runs shellcheck or
// pyflakes: the workflows' scripts are checked for actionlint's own rules
// (expressions, contexts, permissions, action inputs), not as shell.
package workflows
