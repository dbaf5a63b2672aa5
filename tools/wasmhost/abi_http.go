//go:build !wasip1

package wasmhost

import (
	"fmt"
	"strings"
)

// httpFuncs returns the HTTP host functions: header maps, local replies and
// stream control.
func httpFuncs() []hostFunc {
	return []hostFunc{
		{"proxy_get_header_map_pairs", i32s(3), i32s(1), proxyGetHeaderMapPairs},
		{"proxy_set_header_map_pairs", i32s(3), i32s(1), proxySetHeaderMapPairs},
		{"proxy_get_header_map_size", i32s(2), i32s(1), proxyGetHeaderMapSize},
		{"proxy_get_header_map_value", i32s(5), i32s(1), proxyGetHeaderMapValue},
		{"proxy_add_header_map_value", i32s(5), i32s(1), func(v *vm, s []uint64) {
			s[0] = v.editHeader(s, (*headerMap).add)
		}},
		{"proxy_replace_header_map_value", i32s(5), i32s(1), func(v *vm, s []uint64) {
			s[0] = v.editHeader(s, (*headerMap).replace)
		}},
		{"proxy_remove_header_map_value", i32s(3), i32s(1), proxyRemoveHeaderMapValue},
		{"proxy_send_local_response", i32s(8), i32s(1), proxySendLocalResponse},
		// The host never pauses a stream (see doc.go), so there is nothing
		// to resume.
		{"proxy_continue_stream", i32s(1), i32s(1), func(v *vm, s []uint64) {
			s[0] = streamTypeStatus(uint32(s[0]))
		}},
		{"proxy_close_stream", i32s(1), i32s(1), func(v *vm, s []uint64) {
			if s[0] = streamTypeStatus(uint32(s[0])); s[0] == statusOK {
				if st := v.activeStream(); st != nil {
					st.closed = true
				}
			}
		}},
	}
}

// streamTypeStatus checks a stream type argument (request, response,
// downstream, upstream).
func streamTypeStatus(t uint32) uint64 {
	if t > 3 {
		return statusBadArgument
	}
	return statusOK
}

// proxyGetHeaderMapPairs(type, *ptr, *size) returns the whole map
// serialized; an empty map is returned as address 0, size 0, as in Envoy.
func proxyGetHeaderMapPairs(v *vm, s []uint64) {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		s[0] = uint64(st)
		return
	}
	var data []byte
	if len(*m) > 0 {
		data = m.encode()
	}
	s[0] = uint64(v.copyOut(data, uint32(s[1]), uint32(s[2])))
}

// proxySetHeaderMapPairs(type, data, size) replaces the whole map.
func proxySetHeaderMapPairs(v *vm, s []uint64) {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		s[0] = uint64(st)
		return
	}
	data, ok := v.read(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	pairs, ok := decodeHeaderMap(data)
	if !ok {
		s[0] = statusBadArgument
		return
	}
	*m = pairs
	s[0] = statusOK
}

// proxyGetHeaderMapSize(type, *size) returns the map's serialized size.
func proxyGetHeaderMapSize(v *vm, s []uint64) {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		s[0] = uint64(st)
		return
	}
	s[0] = status(v.mem.WriteUint32Le(uint32(s[1]), uint32(len(m.encode()))))
}

// proxyGetHeaderMapValue(type, key, keySize, *ptr, *size) returns the first
// value of key (Envoy does not join repeated headers) or NotFound.
func proxyGetHeaderMapValue(v *vm, s []uint64) {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		s[0] = uint64(st)
		return
	}
	key, ok := v.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	value, found := m.get(strings.ToLower(key))
	if !found {
		s[0] = statusNotFound
		return
	}
	s[0] = uint64(v.copyOut([]byte(value), uint32(s[3]), uint32(s[4])))
}

// editHeader implements add and replace: (type, key, keySize, value,
// valueSize).
func (v *vm) editHeader(s []uint64, edit func(*headerMap, string, string)) uint64 {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		return uint64(st)
	}
	key, ok1 := v.readString(uint32(s[1]), uint32(s[2]))
	value, ok2 := v.readString(uint32(s[3]), uint32(s[4]))
	if !ok1 || !ok2 {
		return statusInvalidMemoryAccess
	}
	edit(m, strings.ToLower(key), value)
	return statusOK
}

// proxyRemoveHeaderMapValue(type, key, keySize) removes every entry of key.
func proxyRemoveHeaderMapValue(v *vm, s []uint64) {
	m, st := v.activeStream().headers(uint32(s[0]))
	if st != statusOK {
		s[0] = uint64(st)
		return
	}
	key, ok := v.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	m.remove(key)
	s[0] = statusOK
}

// proxySendLocalResponse(status, details, detailsSize, body, bodySize,
// headers, headersSize, grpcStatus) records a local reply; the host sends it
// when the callback returns, as Envoy does.
func proxySendLocalResponse(v *vm, s []uint64) {
	st := v.activeStream()
	if st == nil {
		s[0] = statusUnimplemented // the root context cannot reply
		return
	}
	_, ok1 := v.read(uint32(s[1]), uint32(s[2])) // response details: only logged by Envoy
	body, ok2 := v.read(uint32(s[3]), uint32(s[4]))
	pairs, ok3 := v.read(uint32(s[5]), uint32(s[6]))
	if !ok1 || !ok2 || !ok3 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	headers, _ := decodeHeaderMap(pairs)
	if st.onOwnReply {
		// Envoy ignores this reply but pauses the filter chain, and the
		// client waits forever (envoyproxy/envoy#28826).
		st.doubleReply = true
		v.hostLog(LevelError, "proxy_send_local_response called while proxy_on_response_headers ran on the plugin's own local reply: Envoy hangs this request (envoyproxy/envoy#28826); check for your own reply before replying again")
		s[0] = statusOK
		return
	}
	if st.local != nil {
		s[0] = statusBadArgument // Envoy sends one local reply per stream
		return
	}
	if _, ok := headers.get(":status"); ok {
		v.hostLog(LevelError, "proxy_send_local_response: the headers include :status; Envoy sets :status from the status argument, and a second :status makes the reply malformed; the host drops it")
		headers.remove(":status")
	}
	status := int(uint32(s[0]))
	if status < 100 || status > 999 {
		v.hostLog(LevelError, fmt.Sprintf("proxy_send_local_response: status %d is not an HTTP status", status))
	}
	st.local = &localReply{status: status, body: body, headers: headers}
	s[0] = statusOK
}
