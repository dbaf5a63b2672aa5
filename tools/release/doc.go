// Package release holds the test of `make release`: the assets a release
// publishes (cors.wasm, the corswasm command for linux and darwin on amd64
// and arm64, SHA256SUMS) and the image push with the digest it reports, run
// against an in-process registry (.github/workflows/release.yml runs the
// same target on a tag, against ghcr.io).
package release
