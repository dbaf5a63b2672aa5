// Package envoyhost runs a proxy-wasm module in Envoy's own Wasm host
// library: it drives the envoyhost kit's harness (../shared/envoyhost from
// the repository's root, see its README.md), which loads the module with
// proxy-wasm-cpp-host at the commit Envoy 1.33 pins, and plays Envoy's HTTP
// filter glue around it. Start-up, import linking, WASI and the ABI host
// functions are Envoy's code; header maps, local replies and counters are
// the kit's imitation.
//
// The kit builds the harness on one of two engines (Engine): Wasmtime 3.0.2,
// with V8's restricted-call rule emulated (the default), or V8 10.2, Envoy's
// default runtime, through cpp-host's own V8 adapter. $ENVOYHOST_ENGINE
// chooses (EngineFromEnv); HarnessFor takes it as an argument.
//
// The harness has no HTTP: a request is its headers and the response the
// upstream would send, and the result is what the client would get.
//
//	h, err := envoyhost.Harness(ctx) // builds the kit when needed
//	opts := envoyhost.Options{Harness: h, Module: "build/cors.wasm", Config: cfg, Restricted: envoyhost.RestrictedTrap}
//	run, err := envoyhost.Run(ctx, opts, requests)        // one result per request
//	soak, err := envoyhost.Soak(ctx, opts, 1000000, requests) // N streams round-robin, one summary
//
// Run and Soak return an error only when the harness could not do its job
// (bad input, a crash, no start-up line); a module the host refuses to start
// is a *StartupError, and failed streams or soak mismatches are in the
// results for the caller to judge (SoakResult.Problems lists what makes a
// soak unclean). Options.FailurePolicy applies Envoy's failure_policy to
// the streams after a VM failure.
//
// Where the kit is: $ENVOYHOST_KIT, or ../shared/envoyhost beside the
// repository's root. Without it, or without the packages its build needs,
// Harness fails with ErrKitUnavailable; HarnessForTest turns that into a
// skip, or, when CI is set, a failure.
package envoyhost
