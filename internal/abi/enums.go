package abi

import (
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// This file has no build tag so that native code (tests, fakes of the host)
// can name the proxy-wasm ABI 0.2.1 enumerations without building for wasm.

// Status is the result code every proxy-wasm host call returns.
type Status uint32

// Status values defined by proxy-wasm ABI 0.2.1 (the gaps are codes the
// spec reserves or retired).
const (
	StatusOK              Status = 0
	StatusNotFound        Status = 1
	StatusBadArgument     Status = 2
	StatusEmpty           Status = 7
	StatusCasMismatch     Status = 8
	StatusInternalFailure Status = 10
	StatusUnimplemented   Status = 12
)

// The errors host-call wrappers return are the SDK's own values, re-exported
// under short names, so a caller may compare against either
// (abi.ErrNotFound == types.ErrorStatusNotFound).
var (
	// ErrNotFound is returned for StatusNotFound, e.g. a header that is absent.
	ErrNotFound = types.ErrorStatusNotFound
	// ErrBadArgument is returned for StatusBadArgument, and by wrappers that
	// reject an argument before calling the host (a negative size).
	ErrBadArgument = types.ErrorStatusBadArgument
	// ErrEmpty is returned for StatusEmpty.
	ErrEmpty = types.ErrorStatusEmpty
	// ErrCasMismatch is returned for StatusCasMismatch.
	ErrCasMismatch = types.ErrorStatusCasMismatch
	// ErrInternalFailure is returned for StatusInternalFailure, and by wrappers
	// when the host answers with data the guest did not allocate.
	ErrInternalFailure = types.ErrorInternalFailure
	// ErrUnimplemented is returned for StatusUnimplemented.
	ErrUnimplemented = types.ErrorUnimplemented
)

// Err converts a host-call status into nil (StatusOK) or an error. Known
// codes map to the sentinel errors above; any other code yields an error
// whose message names the code.
func (s Status) Err() error {
	switch s {
	case StatusOK:
		return nil
	case StatusNotFound:
		return ErrNotFound
	case StatusBadArgument:
		return ErrBadArgument
	case StatusEmpty:
		return ErrEmpty
	case StatusCasMismatch:
		return ErrCasMismatch
	case StatusInternalFailure:
		return ErrInternalFailure
	case StatusUnimplemented:
		return ErrUnimplemented
	}
	return unknownStatusError(s)
}

// unknownStatusError reports a status code the ABI does not define, so it is
// not silently treated as success or as one of the known failures.
type unknownStatusError Status

func (e unknownStatusError) Error() string {
	return "unknown proxy-wasm status " + strconv.FormatUint(uint64(e), 10)
}

// MapType selects which header map a header host call reads or writes.
type MapType uint32

// MapType values defined by proxy-wasm ABI 0.2.1 for HTTP streams.
const (
	MapTypeHttpRequestHeaders   MapType = 0
	MapTypeHttpRequestTrailers  MapType = 1
	MapTypeHttpResponseHeaders  MapType = 2
	MapTypeHttpResponseTrailers MapType = 3
)

// BufferType selects which buffer proxy_get_buffer_bytes reads.
type BufferType uint32

// BufferType values defined by proxy-wasm ABI 0.2.1 that this project uses.
const (
	BufferTypeHttpRequestBody     BufferType = 0
	BufferTypeHttpResponseBody    BufferType = 1
	BufferTypeVMConfiguration     BufferType = 6
	BufferTypePluginConfiguration BufferType = 7
)

// LogLevel is the severity passed to proxy_log; the host drops messages
// below its configured level.
type LogLevel uint32

// LogLevel values defined by proxy-wasm ABI 0.2.1, least to most severe.
const (
	LogLevelTrace    LogLevel = 0
	LogLevelDebug    LogLevel = 1
	LogLevelInfo     LogLevel = 2
	LogLevelWarn     LogLevel = 3
	LogLevelError    LogLevel = 4
	LogLevelCritical LogLevel = 5
)

// MetricType is the kind of metric proxy_define_metric creates.
type MetricType uint32

// MetricType values defined by proxy-wasm ABI 0.2.1.
const (
	MetricTypeCounter   MetricType = 0
	MetricTypeGauge     MetricType = 1
	MetricTypeHistogram MetricType = 2
)
