// Package engine is corswasm's CORS policy engine, in pure Go: it knows
// nothing of proxy-wasm, Envoy or the host. The filter and the corswasm
// command use it directly, with what they need beyond a Go program's use
// (response plans, the audit comparison, header names, limits, the schema);
// package policy is the public API over it, for other Go programs.
//
// A configuration goes through three steps, once, at plugin start:
//
//   - Parse reads the JSON configuration strictly (JSON types checked,
//     unknown fields refused with a suggestion);
//   - Compile validates every value and cross-field rule and reports all
//     problems at once, each with its JSON path, value and reason;
//   - the result is an immutable Policy with every header value that does
//     not depend on the request already computed.
//
// Load does all three. Per request, Evaluate turns a Request (a few header
// values) into a Decision: not a CORS request, a preflight allowed or
// refused, an actual request allowed or disallowed, with the status and
// headers to send. Evaluate does not allocate for the common cases, and
// finds an exact origin with one hash lookup whatever the number of origins.
//
// Comments cite the Fetch standard (https://fetch.spec.whatwg.org/) section
// each rule implements.
package engine
