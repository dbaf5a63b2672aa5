// Package filter is corswasm's proxy-wasm HTTP filter: it implements the
// proxy-wasm SDK's types.VMContext, types.PluginContext and types.HttpContext
// on top of package policy, and stays thin. Per request it reads the few
// headers it needs, asks the policy, then sends the local reply or edits the
// response headers, counts and logs.
//
// Serving a request allocates nothing on the Go heap: HTTP contexts are
// reused after proxy_on_delete, scratch space lives in the plugin context,
// and what the host returns is a view of memory reused by the next callback
// (in the module), so what the response needs of the request is copied into
// the context. request.go and response.go say which host calls each kind of
// request makes, and why no fewer keep its behaviour.
//
// Host calls go through one seam chosen at build time: under GOOS=wasip1 the
// ABI binding in internal/abi, otherwise the SDK's proxywasm package, so that
// the SDK's proxytest emulator runs this very filter natively.
package filter
