//go:build wasip1

package filter

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/headermap"
)

// This file is the host seam in the wasm module: the proxy-wasm ABI binding
// in internal/abi, for the standard Go toolchain.

func hostLog(level logLevel, msg string) {
	abi.Log(abi.LogLevel(level), msg)
}

func hostPluginConfiguration(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	return abi.GetBufferBytes(abi.BufferTypePluginConfiguration, 0, size)
}

func hostRequestHeaders() (headermap.Map, error) {
	return abi.GetHeaderMapPairs(abi.MapTypeHttpRequestHeaders)
}

func hostResponseHeaders() (headermap.Map, error) {
	return abi.GetHeaderMapPairs(abi.MapTypeHttpResponseHeaders)
}

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
