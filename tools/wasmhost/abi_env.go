//go:build !wasip1

package wasmhost

import (
	"fmt"
	"time"
)

// envFuncs returns the proxy-wasm host functions ("env" module, ABI 0.2.1
// signatures): the ones this host implements, then stubs for the rest of
// Envoy's set, which answer Unimplemented.
func envFuncs() []hostFunc {
	funcs := []hostFunc{
		{"proxy_log", i32s(3), i32s(1), proxyLog},
		{"proxy_get_log_level", i32s(1), i32s(1), func(v *vm, s []uint64) {
			s[0] = status(v.mem.WriteUint32Le(uint32(s[0]), logLevelInfo))
		}},
		{"proxy_get_current_time_nanoseconds", i32s(1), i32s(1), func(v *vm, s []uint64) {
			s[0] = status(v.mem.WriteUint64Le(uint32(s[0]), uint64(time.Now().UnixNano())))
		}},
		{"proxy_get_buffer_bytes", i32s(5), i32s(1), proxyGetBufferBytes},
		{"proxy_get_buffer_status", i32s(3), i32s(1), proxyGetBufferStatus},
		{"proxy_set_buffer_bytes", i32s(5), i32s(1), proxySetBufferBytes},
		{"proxy_get_property", i32s(4), i32s(1), proxyGetProperty},
		{"proxy_set_effective_context", i32s(1), i32s(1), proxySetEffectiveContext},
		// Envoy answers NotFound unless the root context is shutting down,
		// which never happens here.
		{"proxy_done", nil, i32s(1), func(v *vm, s []uint64) { s[0] = statusNotFound }},
		{"proxy_define_metric", i32s(4), i32s(1), proxyDefineMetric},
		{"proxy_increment_metric", []valueType{i32, i64}, i32s(1), func(v *vm, s []uint64) {
			s[0] = uint64(v.host.stats.increment(uint32(s[0]), int64(s[1])))
		}},
		{"proxy_record_metric", []valueType{i32, i64}, i32s(1), func(v *vm, s []uint64) {
			s[0] = uint64(v.host.stats.record(uint32(s[0]), s[1]))
		}},
		{"proxy_get_metric", i32s(2), i32s(1), func(v *vm, s []uint64) {
			val, st := v.host.stats.get(uint32(s[0]))
			if st == statusOK && !v.mem.WriteUint64Le(uint32(s[1]), val) {
				st = statusInvalidMemoryAccess
			}
			s[0] = uint64(st)
		}},
	}
	funcs = append(funcs, hostFunc{"proxy_set_property", i32s(4), i32s(1), proxySetProperty})
	funcs = append(funcs, httpFuncs()...)
	for _, st := range unimplemented {
		funcs = append(funcs, hostFunc{st.name, i32s(st.params), i32s(1), func(v *vm, s []uint64) {
			v.hostLog(LevelWarn, st.name+" is not implemented by this test host: returning Unimplemented (Envoy implements it)")
			s[0] = statusUnimplemented
		}})
	}
	return funcs
}

// unimplemented lists Envoy's other proxy-wasm host functions (timers,
// shared data and queues, HTTP and gRPC callouts, foreign functions) with their number of i32 parameters.
var unimplemented = []struct {
	name   string
	params int
}{
	{"proxy_set_tick_period_milliseconds", 1},
	{"proxy_get_shared_data", 5},
	{"proxy_set_shared_data", 5},
	{"proxy_register_shared_queue", 3},
	{"proxy_resolve_shared_queue", 5},
	{"proxy_dequeue_shared_queue", 3},
	{"proxy_enqueue_shared_queue", 3},
	{"proxy_http_call", 10},
	{"proxy_grpc_call", 12},
	{"proxy_grpc_stream", 9},
	{"proxy_grpc_send", 4},
	{"proxy_grpc_cancel", 1},
	{"proxy_grpc_close", 1},
	{"proxy_get_status", 3},
	{"proxy_call_foreign_function", 6},
}

// status converts a memory write's success to OK or InvalidMemoryAccess.
func status(ok bool) uint64 {
	if ok {
		return statusOK
	}
	return statusInvalidMemoryAccess
}

// proxyLog(level, message, size) records a plugin log line.
func proxyLog(v *vm, s []uint64) {
	level, ptr, size := uint32(s[0]), uint32(s[1]), uint32(s[2])
	if level > logLevelMax {
		s[0] = statusBadArgument
		return
	}
	msg, ok := v.readString(ptr, size)
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	v.pluginLog(Level(level), SourceProxyLog, msg)
	s[0] = statusOK
}

// buffer returns the buffer of type t for the current context, or nil.
// The plugin configuration is readable during proxy_on_vm_start and
// proxy_on_configure only; bodies during their own callbacks.
func (v *vm) buffer(t uint32) []byte {
	switch t {
	case bufferVMConfig:
		return v.host.cfg.VMConfig
	case bufferPluginConfig:
		if v.pluginConfigReadable {
			return v.host.cfg.PluginConfig
		}
	case bufferRequestBody, bufferResponseBody:
		if s := v.activeStream(); s != nil && s.bodyType == int(t) {
			return s.body
		}
	}
	return nil
}

// hasBuffer reports whether buffer t exists now (possibly empty).
func (v *vm) hasBuffer(t uint32) bool {
	switch t {
	case bufferVMConfig:
		return true
	case bufferPluginConfig:
		return v.pluginConfigReadable
	case bufferRequestBody, bufferResponseBody:
		s := v.activeStream()
		return s != nil && s.bodyType == int(t)
	}
	return false
}

// proxyGetBufferBytes(type, start, max, *ptr, *size) copies up to max bytes
// from start. Like Envoy, nothing is written when there is nothing to copy.
func proxyGetBufferBytes(v *vm, s []uint64) {
	t, start, length := uint32(s[0]), uint64(uint32(s[1])), uint64(uint32(s[2]))
	ptrPtr, sizePtr := uint32(s[3]), uint32(s[4])
	switch {
	case t > bufferTypeMax:
		s[0] = statusBadArgument
		return
	case !v.hasBuffer(t):
		s[0] = statusNotFound
		return
	}
	buf := v.buffer(t)
	if start > uint64(len(buf)) {
		start = uint64(len(buf))
	}
	if start+length > uint64(len(buf)) {
		length = uint64(len(buf)) - start
	}
	if length == 0 {
		s[0] = statusOK
		return
	}
	s[0] = uint64(v.copyOut(buf[start:start+length], ptrPtr, sizePtr))
}

// proxyGetBufferStatus(type, *length, *flags) reports a buffer's size.
func proxyGetBufferStatus(v *vm, s []uint64) {
	t := uint32(s[0])
	switch {
	case t > bufferTypeMax:
		s[0] = statusBadArgument
	case !v.hasBuffer(t):
		s[0] = statusNotFound
	default:
		ok := v.mem.WriteUint32Le(uint32(s[1]), uint32(len(v.buffer(t)))) && v.mem.WriteUint32Le(uint32(s[2]), 0)
		s[0] = status(ok)
	}
}

// proxySetBufferBytes(type, start, length, data, size) changes the current
// body chunk with Envoy's rules: start 0 replaces the first length bytes
// (prepends when length is 0), start at or past the end appends, anything
// else is BadArgument.
func proxySetBufferBytes(v *vm, s []uint64) {
	t, start, length := uint32(s[0]), uint64(uint32(s[1])), uint64(uint32(s[2]))
	st := v.activeStream()
	if t > bufferTypeMax {
		s[0] = statusBadArgument
		return
	}
	if (t != bufferRequestBody && t != bufferResponseBody) || st == nil || st.bodyType != int(t) {
		s[0] = statusNotFound
		return
	}
	data, ok := v.read(uint32(s[3]), uint32(s[4]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	switch {
	case start == 0:
		length = min(length, uint64(len(st.body)))
		st.body = append(data, st.body[length:]...)
	case start >= uint64(len(st.body)):
		st.body = append(st.body, data...)
	default:
		s[0] = statusBadArgument
		return
	}
	s[0] = statusOK
}

// proxySetEffectiveContext(id) makes later host calls of this callback act
// for context id; Envoy answers BadArgument for an unknown id.
func proxySetEffectiveContext(v *vm, s []uint64) {
	id := uint32(s[0])
	if id != rootContextID && (v.stream == nil || v.stream.id != id) {
		s[0] = statusBadArgument
		return
	}
	v.effective = id
	s[0] = statusOK
}

// proxyDefineMetric(type, name, size, *id) defines a metric or returns the
// id of the one already defined under that name by any VM.
func proxyDefineMetric(v *vm, s []uint64) {
	kind, ptr, size, idPtr := uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3])
	name, ok := v.readString(ptr, size)
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	id, st := v.host.stats.define(metricKind(kind), name)
	if st == statusBadArgument && kind <= uint32(metricHistogram) {
		v.hostLog(LevelError, fmt.Sprintf("proxy_define_metric: %q is already defined with another type", name))
	}
	if st == statusOK && !v.mem.WriteUint32Le(idPtr, id) {
		st = statusInvalidMemoryAccess
	}
	s[0] = uint64(st)
}
