// Package wasmhost runs a proxy-wasm HTTP filter module in front of an
// upstream the way Envoy does, so filters can be tested where Envoy cannot
// run. It is built on wazero and loads any proxy-wasm (ABI 0.2.0/0.2.1)
// HTTP filter module.
//
// # What it reproduces
//
// Loading (per Host): the module must export proxy_abi_version_0_2_1 or
// _0_2_0 and malloc or proxy_on_memory_allocate; every import must be a
// function the host provides with the same signature (Envoy's proxy-wasm
// functions, and the WASI functions of the chosen profile), otherwise New
// fails naming the function.
//
// Start-up (per VM): _initialize (then main(0, 0)), or _start, runs with
// Envoy's restricted callbacks: proxy_log and the WASI calls fd_write,
// args_*, environ_*, fd_prestat_*, fd_fdstat_*, clock_time_get and
// random_get only (every WASI call on the current profile); any other host
// call traps and fails New. Then the root context (id 1):
// proxy_on_context_create(1, 0), proxy_on_vm_start(1, len(VMConfig)),
// proxy_on_configure(1, len(PluginConfig)); the plugin configuration is
// buffer 7 during the last two. A false result fails New, quoting what the
// plugin logged.
//
// While the host runs the guest's allocator to copy data in, only
// proxy_log, fd_write, clock_time_get (and poll_oneoff on the current
// profile) may be called; anything else traps.
//
// WASI: the 18 functions of Envoy >= 1.33 (WASIEnvoy133, poll_oneoff
// returns ENOSYS as before proxy-wasm-cpp-host PR #533) or the same set
// with poll_oneoff reporting no events (WASICurrent). fd 1 and 2 become log
// lines at info and error. proc_exit fails the VM.
//
// Requests: each VM (Config.VMs, default 2, like --concurrency) serves one
// request at a time; requests wait for a free one. Per request:
// proxy_on_context_create(id, 1) with ids unique per VM, then
// proxy_on_request_headers with the map :authority, :path, :method,
// :scheme, then the headers (lower-case, one entry per line, except the
// CORS headers Envoy keeps as inline headers, whose lines it joins with
// ","). The plugin's changes apply to the request sent upstream. A local
// reply asked for in a request callback is built after the callback
// returns (status, the plugin's headers, body; content-length 0 and no
// content-type when the body is empty, no content-length on 204) and the
// same plugin's
// proxy_on_response_headers runs on it with :status in the map. A second
// local reply from that callback, which hangs the request in Envoy
// (envoyproxy/envoy#28826), is logged, counted (DoubleLocalReplies) and
// answered 500. Otherwise the upstream's response goes through
// proxy_on_response_headers (:status first); a local reply asked for there
// replaces it. An unreachable upstream gives Envoy's 503 "upstream connect
// error" reply, which also passes through the response callbacks. Bodies
// stream through proxy_on_request_body and proxy_on_response_body, when
// exported, chunk by chunk. Then proxy_on_log, proxy_on_done and
// proxy_on_delete. Every proxy_on_* export is optional.
//
// Failures: any error from a call into the module (a trap, proc_exit, a
// refused host call, a trap in the allocator) fails that VM and is logged
// at critical with the module's last output. The request and every later
// request on that VM get Envoy's fail-closed reply (503, no body), or with
// FailOpen go to the upstream without the filter.
//
// Metrics defined by the plugin are shared by name across VMs (Counter,
// Stats, and Admin's /stats as "wasmcustom.<name>: <value>"). Log lines
// (Logs, Admin's /logs, Config.LogOutput) carry the VM index. HostCalls
// counts the module's calls of each host function, named as the envoyhost
// harness's "hostcalls" names them.
//
// # Fidelity limits
//
// What the host does not reproduce of Envoy:
//
//   - Header order: Go's net/http does not keep the order of different
//     header names, so after the pseudo-headers the plugin sees the names
//     sorted (lines of one name keep their order). Hop-by-hop headers
//     (connection, keep-alive, proxy-connection, te, transfer-encoding,
//     upgrade and those Connection names) are left out. Nothing is added:
//     no x-forwarded-proto, x-forwarded-for or x-request-id on requests, no
//     server: envoy on responses (Go adds date). Response header names go
//     out in Go's canonical case, where Envoy's HTTP/1 codec lower-cases.
//   - Inline headers: Envoy keeps some headers inline and joins their
//     repeated lines with ","; the host does so only for the CORS headers
//     Envoy's CORS extension registers (origin, access-control-request-*,
//     access-control-allow-*, -max-age, -expose-headers), not for Envoy's
//     core inline headers.
//   - Interleaving: Envoy's worker runs the callbacks of many streams on
//     one VM in turn (request of A, request of B, response of A); the host
//     holds a VM for a whole request. Filter tests interleave streams under
//     proxytest instead (filter/interleave_test.go).
//   - Pausing: no timers, callouts or shared queues exist here, so nothing
//     could resume a paused stream. A Pause returned without a local reply
//     is logged once per VM and callback, and the stream continues. A body
//     callback's Pause does not buffer: each callback sees its own chunk
//     only. proxy_continue_stream does nothing.
//   - Request bodies: when the module exports proxy_on_request_body the
//     whole body is read (chunk by chunk, through the callback) before the
//     upstream request starts, so a local reply from a body callback never
//     reaches the upstream. Without that export the body streams.
//   - Body sizes: a body callback that changes a chunk's size leaves the
//     content-length as it was, and Go then cuts or fails the response
//     (Envoy's handling is unverified).
//   - Trailers, HTTP/2 and gRPC specifics, upgrades (WebSocket), 100
//     Continue, and request routing: every request goes to Config.Upstream.
//   - Unimplemented host functions: timers, shared data and queues,
//     proxy_http_call, gRPC calls, foreign functions and proxy_get_status
//     exist (so modules importing them load, as in Envoy) but return
//     Unimplemented and log a warning. proxy_get_property answers only the
//     string attributes Config.Properties gives a request (Envoy's routing
//     attributes, xds.route_name, are for a test to play), NotFound
//     otherwise; proxy_get_log_level always reports info.
//   - proxy_set_property stores the value in the stream's filter state
//     under "wasm." + the path as sent, as Envoy does; Host.FilterStates
//     gives what each stream set, as an access log reads it.
//   - WASI: no arguments and no environment variables (Envoy can pass
//     vm_config environment variables); stdout and stderr are split into
//     lines, where Envoy logs each fd_write call as a line; fd_seek and
//     fd_close log an error and succeed, like Envoy. The current profile's
//     start-up allows every WASI call, an approximation of
//     proxy-wasm-cpp-host PR #533 (its exact list is unverified).
//   - Local replies: when the plugin gives no content-type for a non-empty
//     body the reply gets text/plain (unverified against Envoy for bodies
//     with a plugin-given content-type). A :status among the plugin's
//     headers is dropped and logged. A reply asked for after the response
//     headers were sent resets the stream. A second reply from the response
//     callback on the plugin's own reply is answered 500 where Envoy hangs
//     (envoyproxy/envoy#28826; Envoy PR #36809, late 2024, reworked that
//     path, so recent Envoy may end the request instead); either way it is
//     a filter bug.
//   - Failures: Envoy 1.33 can hang the request during which the VM failed
//     (envoyproxy/envoy#38801, fixed by PR #40166); the host answers it 503
//     at once. A trap in a response body callback after the headers went
//     out resets the stream (fail-closed). Failed VMs are never reloaded
//     (no FAIL_RELOAD).
//   - Histograms: Counter and /stats show the number of samples (and their
//     sum), not Envoy's quantiles.
//   - Runtime: wazero instead of V8; no execution time limit; the log keeps
//     the latest 10,000 lines; debug and trace lines are kept in Logs but
//     not mirrored to LogOutput.
package wasmhost
