//go:build !wasip1

package filter

import (
	"errors"
	"slices"
	"strings"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/headermap"
)

// This file is the host seam outside wasm: the SDK's proxywasm package,
// which the proxytest emulator serves. The wasip1 build uses internal/abi.

func hostLog(level logLevel, msg string) {
	// The emulator keeps the string; msg may be a view of a buffer the
	// filter reuses.
	msg = strings.Clone(msg)
	switch level {
	case logTrace:
		proxywasm.LogTrace(msg)
	case logDebug:
		proxywasm.LogDebug(msg)
	case logInfo:
		proxywasm.LogInfo(msg)
	case logWarn:
		proxywasm.LogWarn(msg)
	case logError:
		proxywasm.LogError(msg)
	default:
		proxywasm.LogCritical(msg)
	}
}

func hostPluginConfiguration(size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	data, err := proxywasm.GetPluginConfiguration()
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, nil
	}
	return data, err
}

func hostRequestHeaders() (headermap.Map, error) {
	pairs, err := proxywasm.GetHttpRequestHeaders()
	return headermap.FromPairs(pairs), err
}

func hostResponseHeaders() (headermap.Map, error) {
	pairs, err := proxywasm.GetHttpResponseHeaders()
	return headermap.FromPairs(pairs), err
}

// hostRequestHeader returns the first value of a request header, as Envoy's
// proxy_get_header_map_value does: untrimmed, an empty value found. (The
// emulator's own single-header read trims values and reports an empty one
// as absent, so the whole map is read instead: natively speed does not
// matter.)
func hostRequestHeader(name string) (string, bool, error) {
	pairs, err := proxywasm.GetHttpRequestHeaders()
	return first(pairs, name), has(pairs, name), err
}

// hostResponseHeader is hostRequestHeader for the response headers.
func hostResponseHeader(name string) (string, bool, error) {
	pairs, err := proxywasm.GetHttpResponseHeaders()
	return first(pairs, name), has(pairs, name), err
}

func first(pairs [][2]string, name string) string {
	for _, p := range pairs {
		if p[0] == name {
			return p[1]
		}
	}
	return ""
}

func has(pairs [][2]string, name string) bool {
	for _, p := range pairs {
		if p[0] == name {
			return true
		}
	}
	return false
}

// hostOwned is false: natively every header string is the filter's own
// copy, kept alive by the garbage collector.
func hostOwned(string) bool { return false }

func hostAddResponseHeader(name, value string) error {
	return proxywasm.AddHttpResponseHeader(name, value)
}

func hostRemoveResponseHeader(name string) error {
	return proxywasm.RemoveHttpResponseHeader(name)
}

func hostSendLocalReply(status int, details string, headers headermap.Map) error {
	pairs, _ := headers.Pairs()
	return proxywasm.SendHttpResponse(uint32(status), pairs, nil, -1)
}

// hostProperty returns a property's value; path's segments are joined by
// NUL bytes, as proxy_get_property takes them.
func hostProperty(path string) (string, bool, error) {
	v, err := proxywasm.GetProperty(strings.Split(path, "\x00"))
	if errors.Is(err, types.ErrorStatusNotFound) {
		return "", false, nil
	}
	return string(v), err == nil, err
}

func hostDefineCounter(name string) (uint32, error) {
	return uint32(proxywasm.DefineCounterMetric(name)), nil
}

func hostIncrement(id uint32) {
	proxywasm.MetricCounter(id).Increment(1)
}

// hostSetProperty sets a property of the current stream. The emulator keeps
// the value it is given; value is a buffer the filter reuses.
func hostSetProperty(name string, value []byte) error {
	return proxywasm.SetProperty([]string{name}, slices.Clone(value))
}
