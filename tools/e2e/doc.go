// Package e2e holds corswasm's end-to-end tests: requests through the
// compiled module and back, for the configurations in testdata/, each case
// an exchange (exchange_test.go). The suite runs in-process on the
// project's own proxy-wasm host by default; against a real Envoy when
// E2E_TARGET names its first listener (the docker-compose harness, `make
// e2e-envoy`, which serves the configurations on consecutive ports); or in
// Envoy's own Wasm host library with E2E_HOST=envoyhost (the envoyhost kit,
// `make test-envoyhost`, see envoyhost_test.go).
//
// The framework migration tests (framework_*_test.go) run real web
// frameworks (frameworks/: Express, nginx, Flask, Django, Starlette) as
// upstreams and check, fetch by fetch as a browser sees it, that corswasm
// enforcing the policy each configuration maps to answers as the framework
// did, except for listed deliberate differences.
//
// The harness's files (docker-compose.yaml, envoy.yaml, envoy-harness.sh) and
// the user-facing examples in envoy/ are checked statically by
// harness_test.go, so that they stay valid where no Docker engine runs.
//
// The package has no non-test code; this file only carries its documentation.
package e2e
