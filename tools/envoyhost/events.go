//go:build !wasip1

package envoyhost

import "strings"

// The harness's output events (JSON lines on its stdout), as Go values.
// Field names follow the harness's README, which documents each one.

// Log is a line the plugin wrote (proxy_log, or WASI fd_write).
type Log struct {
	Ctx   int    `json:"ctx"`
	Level string `json:"level"` // trace, debug, info, warn, error, critical
	Phase string `json:"phase"` // startup, request_headers, response_headers, log, destroy
	Msg   string `json:"msg"`
}

// HostCalls counts the module's calls into the host since start-up.
type HostCalls struct {
	// Hostcalls counts calls by import name, e.g.
	// "wasi_snapshot_preview1.clock_time_get"; an import never called is
	// absent.
	Hostcalls map[string]int64 `json:"hostcalls"`
	// RestrictedViolations counts calls V8 would have refused, by
	// "<import> during <phase>" (e.g. "env.proxy_define_metric during
	// startup"); with RestrictedTrap the first one traps.
	RestrictedViolations map[string]int64 `json:"restricted_violations"`
	// RestrictedFirst lists the first 20 such calls, in order.
	RestrictedFirst []string `json:"restricted_first"`
}

// Startup is the harness's first event: whether the host loaded and
// configured the module as Envoy would.
type Startup struct {
	CppHost     string `json:"cpphost"` // proxy-wasm-cpp-host commit
	Runtime     string `json:"runtime"`
	ModuleBytes int64  `json:"module_bytes"`
	// BaseWasmCreated: the base VM loaded (ABI marker, imports, _initialize)
	// and the configuration canary passed.
	BaseWasmCreated bool `json:"base_wasm_created"`
	// ThreadLocalPluginCreated: the worker VM started and was configured.
	ThreadLocalPluginCreated bool   `json:"thread_local_plugin_created"`
	ABIVersion               string `json:"abi_version"`
	// OK: the worker VM is ready to serve.
	OK          bool    `json:"ok"`
	MemoryBytes int64   `json:"memory_bytes"` // the worker VM's linear memory, when OK
	StartupMS   float64 `json:"startup_ms"`
	Logs        []Log   `json:"logs"`
	// HostErrors are the host's own errors, e.g. "wasm: Failed to configure
	// base Wasm plugin" or a missing import.
	HostErrors []string         `json:"host_errors"`
	Metrics    map[string]int64 `json:"metrics"`
	// FailurePolicy is the policy given (Options.FailurePolicy); "" without.
	FailurePolicy FailurePolicy `json:"failure_policy"`
	HostCalls
}

// Engine returns the engine the harness runs on, read from Runtime
// ("wasmtime 3.0.2 …", "v8 10.2.154.26 …"); "" for an unknown runtime.
func (s Startup) Engine() Engine {
	name, _, _ := strings.Cut(s.Runtime, " ")
	switch e := Engine(name); e {
	case EngineWasmtime, EngineV8:
		return e
	}
	return ""
}

// StreamResult is what one request became (request mode).
type StreamResult struct {
	I    int    `json:"i"`
	Name string `json:"name"`
	// Status is the final :status the client gets; 0 without a response.
	Status int `json:"status"`
	// LocalReply: the response is a local reply (the filter's, or
	// Envoy's wasm_fail_stream), described by LocalReplyDetails and
	// LocalReplyBody.
	LocalReply            bool   `json:"local_reply"`
	LocalReplyDetails     string `json:"local_reply_details"`
	LocalReplyBody        string `json:"local_reply_body"`
	RequestHeadersStatus  string `json:"request_headers_status"`
	ResponseHeadersStatus string `json:"response_headers_status"`
	Paused                bool   `json:"paused"`
	// Failed: the VM failed during this stream (FailState is cpp-host's).
	Failed    bool `json:"failed"`
	FailState int  `json:"fail_state"`
	// Headers are the final response headers, :status included, one entry
	// per add (see JoinInline).
	Headers []Header `json:"headers"`
	// ForwardedRequestHeaders are the request's headers as the filter left
	// them, when it was forwarded upstream; nil otherwise.
	ForwardedRequestHeaders []Header `json:"forwarded_request_headers"`
	SendLocalResponseCalls  int      `json:"send_local_response_calls"`
	// SecondLocalReplyIgnored counts local replies asked for after the
	// first (which hang the stream in Envoy), not applied.
	SecondLocalReplyIgnored int `json:"second_local_reply_ignored"`
	// UnavailableMapCalls are header-map calls made when Envoy would not
	// offer that map, e.g. "get(0,origin)".
	UnavailableMapCalls []string         `json:"unavailable_map_calls"`
	Logs                []Log            `json:"logs"`
	HostErrors          []string         `json:"host_errors"`
	MetricsDelta        map[string]int64 `json:"metrics_delta"`
	MemoryBytes         int64            `json:"memory_bytes"`
	// Callbacks are the proxy_on_* calls the stream got, in order, and
	// ContextNeverDeleted whether its context was created without a
	// proxy_on_delete: reported only for a request with Unreached or
	// DeferredLog.
	Callbacks           []string `json:"callbacks"`
	ContextNeverDeleted bool     `json:"context_never_deleted"`
	// With a FailurePolicy: VMFailedAtStart, the worker VM had failed
	// before this stream (after any reload attempt); Reloaded, the worker
	// VM was re-created for this stream.
	VMFailedAtStart bool `json:"vm_failed_at_start"`
	Reloaded        bool `json:"reloaded"`
	// PropertiesSet lists the module's proxy_set_property calls in this
	// stream, in order, as [key, value]: the key as Envoy's filter state
	// has it, "wasm." + the path as sent.
	PropertiesSet [][2]string `json:"properties_set"`
}

// FilterState is the filter state the stream's proxy_set_property calls
// left: the last value of each key, as an access log reads it; nil when
// there were none.
func (s StreamResult) FilterState() map[string]string {
	if len(s.PropertiesSet) == 0 {
		return nil
	}
	m := make(map[string]string, len(s.PropertiesSet))
	for _, kv := range s.PropertiesSet {
		m[kv[0]] = kv[1]
	}
	return m
}

// End is the last event in request mode.
type End struct {
	Requests       int `json:"requests"`
	FailedRequests int `json:"failed_requests"`
	// ContextsNeverDeleted counts the streams whose context got
	// proxy_on_context_create and no proxy_on_delete.
	ContextsNeverDeleted int `json:"contexts_never_deleted"`
	PolicyCounts
	Metrics     map[string]int64  `json:"metrics"`
	MetricTypes map[string]string `json:"metric_types"`
	Logs        []Log             `json:"logs"`
	HostErrors  []string          `json:"host_errors"`
	HostCalls
}

// PolicyCounts are the totals of a run or soak with a FailurePolicy.
type PolicyCounts struct {
	FailurePolicy FailurePolicy `json:"failure_policy"`
	// VMFailures counts the streams during which the VM failed,
	// StreamsAfterFailure the streams that started on a failed VM (after
	// any reload attempt), Reloads the worker VMs re-created and
	// ReloadFailures the re-creations that failed.
	VMFailures          int64 `json:"vm_failures"`
	StreamsAfterFailure int64 `json:"streams_after_failure"`
	Reloads             int64 `json:"reloads"`
	ReloadFailures      int64 `json:"reload_failures"`
}
