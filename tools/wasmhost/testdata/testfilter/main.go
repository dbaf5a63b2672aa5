//go:build wasip1

// Command testfilter is a proxy-wasm HTTP filter written against the raw ABI
// (no SDK) for wasmhost's tests. Request headers named x-test-* select what it
// does; see the cases in proxy_on_request_headers.
package main

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

func main() {}

//go:wasmimport env proxy_log
func proxyLog(level uint32, msg unsafe.Pointer, size uint32) uint32

//go:wasmimport env proxy_get_buffer_bytes
func proxyGetBufferBytes(typ, start, max uint32, retPtr, retSize unsafe.Pointer) uint32

//go:wasmimport env proxy_set_buffer_bytes
func proxySetBufferBytes(typ, start, length uint32, data unsafe.Pointer, size uint32) uint32

//go:wasmimport env proxy_get_header_map_pairs
func proxyGetHeaderMapPairs(typ uint32, retPtr, retSize unsafe.Pointer) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeaderMapValue(typ uint32, key unsafe.Pointer, keySize uint32, retPtr, retSize unsafe.Pointer) uint32

//go:wasmimport env proxy_add_header_map_value
func proxyAddHeaderMapValue(typ uint32, key unsafe.Pointer, keySize uint32, value unsafe.Pointer, valueSize uint32) uint32

//go:wasmimport env proxy_replace_header_map_value
func proxyReplaceHeaderMapValue(typ uint32, key unsafe.Pointer, keySize uint32, value unsafe.Pointer, valueSize uint32) uint32

//go:wasmimport env proxy_remove_header_map_value
func proxyRemoveHeaderMapValue(typ uint32, key unsafe.Pointer, keySize uint32) uint32

//go:wasmimport env proxy_send_local_response
func proxySendLocalResponse(status uint32, details unsafe.Pointer, detailsSize uint32, body unsafe.Pointer, bodySize uint32, headers unsafe.Pointer, headersSize uint32, grpc int32) uint32

//go:wasmimport env proxy_close_stream
func proxyCloseStream(typ uint32) uint32

//go:wasmimport env proxy_define_metric
func proxyDefineMetric(typ uint32, name unsafe.Pointer, size uint32, retID unsafe.Pointer) uint32

//go:wasmimport env proxy_increment_metric
func proxyIncrementMetric(id uint32, offset int64) uint32

//go:wasmimport env proxy_record_metric
func proxyRecordMetric(id uint32, value uint64) uint32

//go:wasmimport env proxy_get_property
func proxyGetProperty(path unsafe.Pointer, size uint32, retPtr, retSize unsafe.Pointer) uint32

const (
	mapRequest  = 0
	mapResponse = 2
)

// lastAlloc keeps the latest allocation alive until the guest copies it.
var lastAlloc []byte

//go:wasmexport proxy_abi_version_0_2_1
func abiVersion() {}

//go:wasmexport proxy_on_memory_allocate
func onMemoryAllocate(size uint32) *byte {
	lastAlloc = make([]byte, size)
	return &lastAlloc[0]
}

func ptr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

func logf(level uint32, msg string) { proxyLog(level, ptr(msg), uint32(len(msg))) }

// take copies the host's answer out of the allocation.
func take(p, size uint32) string {
	if size == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(uintptr(p))), size))
}

func header(typ uint32, name string) (string, uint32) {
	var p, size uint32
	st := proxyGetHeaderMapValue(typ, ptr(name), uint32(len(name)), unsafe.Pointer(&p), unsafe.Pointer(&size))
	return take(p, size), st
}

func addHeader(typ uint32, name, value string) {
	proxyAddHeaderMapValue(typ, ptr(name), uint32(len(name)), ptr(value), uint32(len(value)))
}

func replaceHeader(typ uint32, name, value string) {
	proxyReplaceHeaderMapValue(typ, ptr(name), uint32(len(name)), ptr(value), uint32(len(value)))
}

// dump renders the whole header map as "name=value|name=value".
func dump(typ uint32) string {
	var p, size uint32
	if st := proxyGetHeaderMapPairs(typ, unsafe.Pointer(&p), unsafe.Pointer(&size)); st != 0 {
		return "status " + strconv.Itoa(int(st))
	}
	b := []byte(take(p, size))
	if len(b) < 4 {
		return ""
	}
	n := int(binary.LittleEndian.Uint32(b))
	data := b[4+8*n:]
	var parts []string
	for i := 0; i < n; i++ {
		kl := int(binary.LittleEndian.Uint32(b[4+8*i:]))
		vl := int(binary.LittleEndian.Uint32(b[8+8*i:]))
		parts = append(parts, string(data[:kl])+"="+string(data[kl+1:kl+1+vl]))
		data = data[kl+vl+2:]
	}
	return strings.Join(parts, "|")
}

func encodePairs(pairs [][2]string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(pairs)))
	for _, p := range pairs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[1])))
	}
	for _, p := range pairs {
		b = append(append(append(append(b, p[0]...), 0), p[1]...), 0)
	}
	return b
}

func sendLocal(status uint32, body string, pairs [][2]string) uint32 {
	h := encodePairs(pairs)
	details := "testfilter"
	var bp unsafe.Pointer
	if body != "" {
		bp = ptr(body)
	}
	return proxySendLocalResponse(status, ptr(details), uint32(len(details)), bp, uint32(len(body)), unsafe.Pointer(&h[0]), uint32(len(h)), -1)
}

func define(typ uint32, name string) uint32 {
	var id uint32
	proxyDefineMetric(typ, ptr(name), uint32(len(name)), unsafe.Pointer(&id))
	return id
}

var (
	config                            string
	requestsTotal, logsTotal, headers uint32
	served                            int // requests this instance saw
	contexts                          = map[uint32]*httpContext{}
)

type httpContext struct {
	requestMap, firstOrigin, propertyStatus           string
	propertyValue                                     string
	eos                                               uint32
	local, double, localOnResponse, upper             bool
	panicOnRequestBody, panicOnResponse, pauseRequest bool
}

//go:wasmexport proxy_on_vm_start
func onVMStart(root, size uint32) uint32 {
	logf(2, "vm_start vm_config_size="+strconv.Itoa(int(size)))
	requestsTotal = define(0, "requests_total")
	logsTotal = define(0, "logs_total")
	headers = define(2, "request_header_count")
	return 1
}

//go:wasmexport proxy_on_configure
func onConfigure(root, size uint32) uint32 {
	var p, n uint32
	proxyGetBufferBytes(7, 0, size, unsafe.Pointer(&p), unsafe.Pointer(&n))
	config = take(p, n)
	if config == "fail" {
		logf(5, "invalid configuration: "+config)
		return 0
	}
	logf(2, "configured: "+config)
	os.Stdout.WriteString("stdout line from configure\n")
	return 1
}

//go:wasmexport proxy_on_context_create
func onContextCreate(id, parent uint32) {
	if parent != 0 {
		contexts[id] = &httpContext{}
	}
}

//go:wasmexport proxy_on_request_headers
func onRequestHeaders(id, n, eos uint32) uint32 {
	c := contexts[id]
	served++
	proxyIncrementMetric(requestsTotal, 1)
	proxyRecordMetric(headers, uint64(n))
	c.requestMap, c.eos = dump(mapRequest), eos
	c.firstOrigin, _ = header(mapRequest, "origin")
	if v, st := header(mapRequest, "x-test-sleep"); st == 0 {
		// The value is a Go duration (1ms if it is not one).
		d, err := time.ParseDuration(v)
		if err != nil {
			d = time.Millisecond
		}
		time.Sleep(d)
	}
	if _, st := header(mapRequest, "x-test-panic"); st == 0 {
		panic("boom")
	}
	if v, st := header(mapRequest, "x-test-property"); st == 0 {
		// "1": a dotted one-segment path; otherwise the value is the
		// path, its segments separated by "/" (sent joined by NUL).
		var p, size uint32
		path := "request.path"
		if v != "1" {
			path = strings.ReplaceAll(v, "/", "\x00")
		}
		c.propertyStatus = strconv.Itoa(int(proxyGetProperty(ptr(path), uint32(len(path)), unsafe.Pointer(&p), unsafe.Pointer(&size))))
		if c.propertyStatus == "0" {
			c.propertyValue = take(p, size)
		}
	}
	if v, st := header(mapRequest, "x-test-add"); st == 0 {
		addHeader(mapRequest, "x-added", v)
	}
	if _, st := header(mapRequest, "x-test-replace"); st == 0 {
		replaceHeader(mapRequest, "x-test-replace", "replaced")
	}
	if _, st := header(mapRequest, "x-test-remove"); st == 0 {
		name := "x-test-remove"
		proxyRemoveHeaderMapValue(mapRequest, ptr(name), uint32(len(name)))
	}
	if v, st := header(mapRequest, "x-test-path"); st == 0 {
		replaceHeader(mapRequest, ":path", v)
	}
	_, st := header(mapRequest, "x-test-upper")
	c.upper = st == 0
	_, st = header(mapRequest, "x-test-double")
	c.double = st == 0
	_, st = header(mapRequest, "x-test-local-on-response")
	c.localOnResponse = st == 0
	_, st = header(mapRequest, "x-test-panic-request-body")
	c.panicOnRequestBody = st == 0
	_, st = header(mapRequest, "x-test-panic-response")
	c.panicOnResponse = st == 0
	if _, st := header(mapRequest, "x-test-pause"); st == 0 {
		return 1
	}
	if _, st := header(mapRequest, "x-test-close"); st == 0 {
		proxyCloseStream(0)
		return 1
	}
	if v, st := header(mapRequest, "x-test-local"); st == 0 {
		status, _ := strconv.Atoi(v)
		body, _ := header(mapRequest, "x-test-local-body")
		pairs := [][2]string{{"x-local", "yes"}}
		if _, st := header(mapRequest, "x-test-local-status-header"); st == 0 {
			pairs = append(pairs, [2]string{":status", "299"})
		}
		c.local = true
		sendLocal(uint32(status), body, pairs)
		return 1
	}
	return 0
}

// upperChunk upper-cases the current body chunk in place.
func upperChunk(typ, size uint32) {
	var p, n uint32
	if proxyGetBufferBytes(typ, 0, size, unsafe.Pointer(&p), unsafe.Pointer(&n)) != 0 || n == 0 {
		return
	}
	up := strings.ToUpper(take(p, n))
	proxySetBufferBytes(typ, 0, n, ptr(up), uint32(len(up)))
}

//go:wasmexport proxy_on_request_body
func onRequestBody(id, size, eos uint32) uint32 {
	if contexts[id].panicOnRequestBody {
		panic("request body")
	}
	if contexts[id].upper {
		upperChunk(0, size)
	}
	return 0
}

//go:wasmexport proxy_on_response_headers
func onResponseHeaders(id, n, eos uint32) uint32 {
	c := contexts[id]
	if c.panicOnResponse {
		panic("response headers")
	}
	addHeader(mapResponse, "x-test-response-map", dump(mapResponse))
	addHeader(mapResponse, "x-test-request-map", c.requestMap)
	addHeader(mapResponse, "x-test-first-origin", c.firstOrigin)
	addHeader(mapResponse, "x-test-request-eos", strconv.Itoa(int(c.eos)))
	addHeader(mapResponse, "x-test-response-eos", strconv.Itoa(int(eos)))
	addHeader(mapResponse, "x-test-served", strconv.Itoa(served))
	addHeader(mapResponse, "x-test-context-id", strconv.Itoa(int(id)))
	if c.propertyValue != "" {
		addHeader(mapResponse, "x-test-property-value", c.propertyValue)
	}
	if c.propertyStatus != "" {
		addHeader(mapResponse, "x-test-property-status", c.propertyStatus)
	}
	if c.local && c.double {
		sendLocal(500, "", nil)
		return 1
	}
	if !c.local && c.localOnResponse {
		sendLocal(418, "teapot", [][2]string{{"x-replaced", "yes"}})
		return 1
	}
	return 0
}

//go:wasmexport proxy_on_response_body
func onResponseBody(id, size, eos uint32) uint32 {
	if contexts[id].upper {
		upperChunk(1, size)
	}
	return 0
}

//go:wasmexport proxy_on_log
func onLog(id uint32) { proxyIncrementMetric(logsTotal, 1) }

//go:wasmexport proxy_on_done
func onDone(id uint32) uint32 { return 1 }

//go:wasmexport proxy_on_delete
func onDelete(id uint32) { delete(contexts, id) }
