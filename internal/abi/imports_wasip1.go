//go:build wasip1

package abi

import (
	"math"
	"unsafe"
)

// Host calls of proxy-wasm ABI 0.2.1. On GOARCH=wasm a Go pointer is 8 bytes
// but the host reads and writes 4-byte (i32) addresses and sizes, so:
//   - data passed to the host goes as a *byte (lowered to an i32 address)
//     plus a uint32 length;
//   - addresses and sizes the host returns are written into uint32 slots,
//     never into Go pointer or int variables.
//
// Only the calls the filter needs are imported: a host that lacks an import
// refuses to instantiate the module (the SDK's proxytest wasm host, used by
// our tests, has no proxy_get_log_level, for instance).

//go:wasmimport env proxy_log
func proxyLog(level uint32, messageData *byte, messageSize uint32) uint32

//go:wasmimport env proxy_get_buffer_bytes
func proxyGetBufferBytes(bufferType, start, maxSize uint32, returnData, returnSize *uint32) uint32

//go:wasmimport env proxy_get_header_map_pairs
func proxyGetHeaderMapPairs(mapType uint32, returnData, returnSize *uint32) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeaderMapValue(mapType uint32, keyData *byte, keySize uint32, returnData, returnSize *uint32) uint32

//go:wasmimport env proxy_add_header_map_value
func proxyAddHeaderMapValue(mapType uint32, keyData *byte, keySize uint32, valueData *byte, valueSize uint32) uint32

//go:wasmimport env proxy_replace_header_map_value
func proxyReplaceHeaderMapValue(mapType uint32, keyData *byte, keySize uint32, valueData *byte, valueSize uint32) uint32

//go:wasmimport env proxy_remove_header_map_value
func proxyRemoveHeaderMapValue(mapType uint32, keyData *byte, keySize uint32) uint32

//go:wasmimport env proxy_send_local_response
func proxySendLocalResponse(statusCode uint32, detailsData *byte, detailsSize uint32,
	bodyData *byte, bodySize uint32, headersData *byte, headersSize uint32, grpcStatus int32) uint32

//go:wasmimport env proxy_set_property
func proxySetProperty(pathData *byte, pathSize uint32, valueData *byte, valueSize uint32) uint32

//go:wasmimport env proxy_define_metric
func proxyDefineMetric(metricType uint32, nameData *byte, nameSize uint32, returnID *uint32) uint32

//go:wasmimport env proxy_increment_metric
func proxyIncrementMetric(metricID uint32, offset int64) uint32

// retAddr and retSize are where the host writes a returned address, size or
// id. They are package variables, not locals, so that taking their address
// for the host does not make them escape to the heap on every call. One pair
// suffices because the module is single-threaded and none of these calls
// nests inside another.
var retAddr, retSize uint32

// stringArg returns the address and length of s for the host; an empty
// string is passed as (0, 0).
func stringArg(s string) (*byte, uint32) {
	if len(s) == 0 {
		return nil, 0
	}
	return unsafe.StringData(s), uint32(len(s))
}

// bytesArg returns the address and length of b for the host; nil or empty
// is passed as (0, 0).
func bytesArg(b []byte) (*byte, uint32) {
	if len(b) == 0 {
		return nil, 0
	}
	return unsafe.SliceData(b), uint32(len(b))
}

// resetResult clears the return slots before a host call, because a host
// with nothing to return may leave them untouched, and starts the call's
// list of allocations.
func resetResult() {
	retAddr, retSize = 0, 0
	hostArena.markCall()
}

// takeResult turns the status and the (retAddr, retSize) pair of the host
// call that just returned into the returned bytes: a view of the arena,
// valid until the running callback returns.
func takeResult(status uint32) ([]byte, error) {
	addr, n := retAddr, retSize
	retAddr, retSize = 0, 0
	if status != uint32(StatusOK) {
		return nil, Status(status).Err()
	}
	b, ok := hostArena.claim(uintptr(addr), n)
	if !ok {
		return nil, ErrInternalFailure
	}
	return b, nil
}

// Log writes msg to the host's log at level. Errors are ignored: there is
// nowhere else to report a failure to log.
func Log(level LogLevel, msg string) {
	p, n := stringArg(msg)
	proxyLog(uint32(level), p, n)
}

// GetBufferBytes returns up to maxSize bytes of buffer bt starting at start,
// e.g. the plugin configuration during OnPluginStart. A negative or
// out-of-range argument is rejected with ErrBadArgument before the host is
// called. The bytes are valid until the running callback returns: copy
// what must stay.
func GetBufferBytes(bt BufferType, start, maxSize int) ([]byte, error) {
	if start < 0 || maxSize < 0 || start > math.MaxUint32 || maxSize > math.MaxUint32 {
		return nil, ErrBadArgument
	}
	resetResult()
	st := proxyGetBufferBytes(uint32(bt), uint32(start), uint32(maxSize), &retAddr, &retSize)
	return takeResult(st)
}

// GetHeaderMapPairs returns header map mt in the host's raw serialized form
// (decode it with package internal/headermap). The bytes are the buffer the
// host filled, not a copy, so the call allocates nothing; they are valid
// until the running callback returns.
func GetHeaderMapPairs(mt MapType) ([]byte, error) {
	resetResult()
	st := proxyGetHeaderMapPairs(uint32(mt), &retAddr, &retSize)
	return takeResult(st)
}

// HeaderMapValue returns the value of header key in map mt, and whether the
// map has it. Envoy returns the first entry of a repeated header. The string
// shares the host-filled buffer, valid until the running callback returns
// (HostOwned tells such strings).
func HeaderMapValue(mt MapType, key string) (value string, found bool, err error) {
	kp, kn := stringArg(key)
	resetResult()
	return stringResult(proxyGetHeaderMapValue(uint32(mt), kp, kn, &retAddr, &retSize))
}

// stringResult reads the answer of a call that returned st and, unless the
// host answered NotFound (found false), a string in the host-filled buffer
// (see resetResult): the string shares that buffer.
func stringResult(st uint32) (value string, found bool, err error) {
	if st == uint32(StatusNotFound) {
		retAddr, retSize = 0, 0
		return "", false, nil
	}
	b, err := takeResult(st)
	if err != nil || len(b) == 0 {
		return "", err == nil, err
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true, nil
}

// AddHeaderMapValue appends a value for key to map mt, keeping any values
// already there.
func AddHeaderMapValue(mt MapType, key, value string) error {
	kp, kn := stringArg(key)
	vp, vn := stringArg(value)
	return Status(proxyAddHeaderMapValue(uint32(mt), kp, kn, vp, vn)).Err()
}

// ReplaceHeaderMapValue sets key in map mt to value, replacing any values
// already there.
func ReplaceHeaderMapValue(mt MapType, key, value string) error {
	kp, kn := stringArg(key)
	vp, vn := stringArg(value)
	return Status(proxyReplaceHeaderMapValue(uint32(mt), kp, kn, vp, vn)).Err()
}

// RemoveHeaderMapValue removes every value of key from map mt.
func RemoveHeaderMapValue(mt MapType, key string) error {
	kp, kn := stringArg(key)
	return Status(proxyRemoveHeaderMapValue(uint32(mt), kp, kn)).Err()
}

// SendLocalResponse makes the host answer the current stream itself with
// HTTP status, body and headers (an already serialized proxy-wasm map, may be
// nil; do not include :status). details is the response code details string
// Envoy records in its access log. grpcStatus -1 means "not a gRPC reply".
func SendLocalResponse(status uint32, details string, body []byte, headers []byte, grpcStatus int32) error {
	dp, dn := stringArg(details)
	bp, bn := bytesArg(body)
	hp, hn := bytesArg(headers)
	return Status(proxySendLocalResponse(status, dp, dn, bp, bn, hp, hn, grpcStatus)).Err()
}

// SetProperty sets the property path of the current stream to value. Envoy
// stores it in the stream's filter state under "wasm." + path, the path as
// given (Envoy source/extensions/common/wasm/context.cc, Context::setProperty:
// the key is CelStateKeyPrefix, "wasm.", followed by the path; a path of
// several NUL-separated segments is not turned into a dotted name).
func SetProperty(path string, value []byte) error {
	pp, pn := stringArg(path)
	vp, vn := bytesArg(value)
	return Status(proxySetProperty(pp, pn, vp, vn)).Err()
}

// DefineCounter defines (or looks up) the counter metric name and returns
// the id IncrementMetric takes. Call it from OnPluginStart, not init():
// Envoy traps this call during _initialize.
func DefineCounter(name string) (uint32, error) {
	np, nn := stringArg(name)
	resetResult()
	st := proxyDefineMetric(uint32(MetricTypeCounter), np, nn, &retSize)
	id := retSize
	resetResult()
	if err := Status(st).Err(); err != nil {
		return 0, err
	}
	return id, nil
}

// IncrementMetric adds delta (which may be negative for gauges) to metric id.
func IncrementMetric(id uint32, delta int64) error {
	return Status(proxyIncrementMetric(id, delta)).Err()
}
