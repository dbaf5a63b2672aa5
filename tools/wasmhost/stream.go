//go:build !wasip1

package wasmhost

import (
	"net/http"
	"strconv"
)

// stream is the state of one request (one HTTP context of the plugin).
type stream struct {
	id          uint32
	reqHeaders  headerMap
	respHeaders headerMap // nil until the response phase
	// body is the body chunk of the running body callback and bodyType its
	// buffer type; bodyType is -1 outside body callbacks.
	body     []byte
	bodyType int
	// local is the local reply the plugin asked for and not yet sent.
	local *localReply
	// onOwnReply is set while the response callbacks run on the plugin's
	// own local reply.
	onOwnReply bool
	// doubleReply records a proxy_send_local_response made while the
	// response callbacks ran on the plugin's own local reply.
	doubleReply bool
	closed      bool // proxy_close_stream was called
	// properties are the request's attributes (Config.Properties).
	properties map[string]string
	// filterState holds what proxy_set_property stored; nil until the
	// first call.
	filterState *StreamFilterState
}

// localReply is a proxy_send_local_response request. Envoy sends it after
// the callback returns.
type localReply struct {
	status  int
	body    []byte
	headers headerMap
}

// newStream builds the request header map Envoy gives the plugin: the
// pseudo-headers :authority, :path (path and query as received), :method and
// :scheme, then the request's headers. Nothing is added (no
// x-forwarded-proto, no x-request-id).
func newStream(id uint32, r *http.Request) *stream {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := r.RequestURI
	if path == "" || path[0] != '/' && path != "*" {
		path = r.URL.RequestURI()
	}
	m := headerMap{{":authority", r.Host}, {":path", path}, {":method", r.Method}, {":scheme", scheme}}
	return &stream{id: id, reqHeaders: m.appendHeaders(r.Header), bodyType: -1}
}

// headers returns the map of type t, or a status explaining why there is
// none. Envoy answers BadArgument for a map that is not available now.
func (s *stream) headers(t uint32) (*headerMap, uint32) {
	switch {
	case t > headerMapTypeMax:
		return nil, statusBadArgument
	case s == nil:
		return nil, statusBadArgument
	case t == headerMapRequest:
		return &s.reqHeaders, statusOK
	case t == headerMapResponse && s.respHeaders != nil:
		return &s.respHeaders, statusOK
	}
	return nil, statusBadArgument
}

// responseMap is the header map the plugin sees for a local reply, as
// Envoy builds it: :status, the plugin's headers, then content-length and
// content-type (text/plain unless given) when the body is not empty.
func (l *localReply) responseMap() headerMap {
	m := headerMap{{":status", strconv.Itoa(l.status)}}
	m = append(m, l.headers...)
	if len(l.body) > 0 {
		m.replace("content-length", strconv.Itoa(len(l.body)))
		if _, ok := m.get("content-type"); !ok {
			m.add("content-type", "text/plain")
		}
	}
	return m
}
