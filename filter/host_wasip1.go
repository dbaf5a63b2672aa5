//go:build wasip1

package filter

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/headermap"
)

// This file is the host seam in the wasm module: the proxy-wasm ABI binding
// in internal/abi, for the standard Go toolchain.
//
// What the host returns (header maps and values, the configuration) is a
// view of memory the module reuses: valid until the callback returns.
// hostOwned tells such strings, which the filter copies when it keeps them.

func hostLog(level logLevel, msg string) {
	abi.Log(abi.LogLevel(level), msg)
}

func hostPluginConfiguration(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	data, err := abi.GetBufferBytes(abi.BufferTypePluginConfiguration, 0, size)
	// The compiled policy keeps substrings of the configuration.
	return append([]byte(nil), data...), err
}

func hostRequestHeaders() (headermap.Map, error) {
	return abi.GetHeaderMapPairs(abi.MapTypeHttpRequestHeaders)
}

func hostResponseHeaders() (headermap.Map, error) {
	return abi.GetHeaderMapPairs(abi.MapTypeHttpResponseHeaders)
}

// hostRequestHeader returns the first value of a request header (Envoy's
// proxy_get_header_map_value); found is false when there is none.
func hostRequestHeader(name string) (value string, found bool, err error) {
	return headerValue(abi.MapTypeHttpRequestHeaders, name)
}

// hostResponseHeader is hostRequestHeader for the response headers.
func hostResponseHeader(name string) (value string, found bool, err error) {
	return headerValue(abi.MapTypeHttpResponseHeaders, name)
}

func headerValue(mt abi.MapType, name string) (string, bool, error) {
	return abi.HeaderMapValue(mt, name)
}

func hostOwned(s string) bool { return abi.HostOwned(s) }

func hostAddResponseHeader(name, value string) error {
	return abi.AddHeaderMapValue(abi.MapTypeHttpResponseHeaders, name, value)
}

func hostRemoveResponseHeader(name string) error {
	return abi.RemoveHeaderMapValue(abi.MapTypeHttpResponseHeaders, name)
}

func hostSendLocalReply(status int, details string, headers headermap.Map) error {
	return abi.SendLocalResponse(uint32(status), details, nil, headers, -1)
}

func hostDefineCounter(name string) (uint32, error) {
	return abi.DefineCounter(name)
}

func hostIncrement(id uint32) {
	_ = abi.IncrementMetric(id, 1)
}

// hostProperty returns a property's value (proxy_get_property); path's
// segments are joined by NUL bytes.
func hostProperty(path string) (string, bool, error) {
	return abi.Property(path)
}

// hostSetProperty sets a filter state property of the current stream
// (Envoy: "wasm." + name).
func hostSetProperty(name string, value []byte) error {
	return abi.SetProperty(name, value)
}
