// Package envoygateway holds the tests that hold corswasm's Envoy Gateway
// material to Envoy Gateway's own API types (github.com/envoyproxy/gateway
// api/v1alpha1): the EnvoyExtensionPolicy and EnvoyProxy documents that
// docs/deploying.md shows are decoded strictly into them, and the corswasm
// configuration they carry is validated as the filter will.
package envoygateway
