// Package release holds the test of `make release` (release_test.go, build
// tag corswasm_release: `make release-test` runs it with a timeout that
// four cold cross-builds of the command need): the assets a release
// publishes (cors.wasm, the corswasm command for linux and darwin on amd64
// and arm64, SHA256SUMS) and the image push with the digest it reports,
// against an in-process registry (.github/workflows/release.yml runs the
// same target on a tag, against ghcr.io). It also runs the command
// docs/development.md shows to measure what the corswasm command's build
// is made of.
package release
