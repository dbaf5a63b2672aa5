// Package policy is corswasm's CORS policy engine for Go programs: load a
// configuration, check it, evaluate a request, read the answer. It knows
// nothing of proxy-wasm, Envoy or the host.
//
// A configuration goes through three steps, once, at start:
//
//   - Parse reads the JSON configuration strictly (JSON types checked,
//     unknown fields refused with a suggestion);
//   - Compile validates every value and cross-field rule and reports all
//     problems at once as a *ConfigError, each a *FieldError with its JSON
//     path, value, reason and Code;
//   - the result is an immutable Policy with every header value that does
//     not depend on the request already computed.
//
// Load does all three; Check returns the errors and the warnings. Per
// request, Policy.Evaluate turns a Request (a few header values) into a
// Decision: not a CORS request, a preflight allowed or refused, an actual
// request allowed or disallowed, with the status and headers to send.
// Evaluate does not allocate for the common cases, and finds an exact origin
// with one hash lookup whatever the number of origins.
//
// The configuration fields are documented in docs/configuration.md and on
// Config's fields; the corswasm filter and command use the same engine.
package policy
