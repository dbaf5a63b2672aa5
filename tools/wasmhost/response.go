//go:build !wasip1

package wasmhost

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// reply is a response on its way to the client: the upstream's, the
// plugin's local reply, or one the host makes in Envoy's place.
type reply struct {
	headers headerMap // :status first
	body    io.ReadCloser
	empty   bool // no body: the response headers end the stream
	// local marks a reply Envoy generates itself (the plugin's, the
	// router's, fail-closed): HTTP/1 framing is Envoy's, see writeReply.
	local bool
}

// reply builds the response of a local reply.
func (l *localReply) reply() *reply {
	return &reply{
		headers: l.responseMap(),
		body:    io.NopCloser(bytes.NewReader(l.body)),
		empty:   len(l.body) == 0,
		local:   true,
	}
}

// respond runs the response callbacks on rep and sends the result. own is
// set when rep is the plugin's own local reply, which Envoy passes through
// the same plugin's response callbacks.
func (v *vm) respond(w http.ResponseWriter, s *stream, rep *reply, own bool) {
	defer func() { _ = rep.body.Close() }()
	var before headerMap
	if v.host.cfg.FailOpen {
		before = append(headerMap(nil), rep.headers...)
	}
	s.respHeaders, s.onOwnReply = rep.headers, own
	err := v.callAction("proxy_on_response_headers", s, len(s.respHeaders), rep.empty)
	s.onOwnReply = false
	switch {
	case err != nil && v.host.cfg.FailOpen:
		rep.headers = before
		sendReply(w, rep)
		return
	case err != nil:
		sendReply(w, failClosedReply())
		return
	case s.doubleReply:
		v.host.doubleReplies.Add(1)
		sendReply(w, (&localReply{
			status: http.StatusInternalServerError,
			body:   []byte("the plugin sent a second local reply from its response callback on its own local reply; Envoy would hang this request (envoyproxy/envoy#28826)\n"),
		}).reply())
		return
	}
	abortIfClosed(s)
	if s.local != nil {
		// A reply asked for while encoding the upstream's (or the router's)
		// response replaces it; Envoy sends it directly to the client,
		// without running the filters again.
		direct := s.local.reply()
		s.local = nil
		sendReply(w, direct)
		return
	}
	rep.headers = s.respHeaders
	writeReply(w, rep)
	if rep.empty {
		return
	}
	if v.callbacks["proxy_on_response_body"] == nil {
		copyBody(w, rep.body)
		return
	}
	v.filterResponseBody(w, s, rep.body)
}

// filterResponseBody streams the body through proxy_on_response_body. The
// headers are out already: if the VM fails, fail-closed resets the stream
// and fail-open sends the rest unfiltered; a local reply asked for now
// resets the stream, as Envoy does once the response has started.
func (v *vm) filterResponseBody(w http.ResponseWriter, s *stream, body io.Reader) {
	rest, err := v.filterBody(s, bufferResponseBody, body, func(chunk []byte) bool {
		if s.local != nil {
			v.hostLog(LevelError, "proxy_send_local_response called after the response headers were sent: Envoy resets the stream")
			panic(http.ErrAbortHandler)
		}
		_, werr := w.Write(chunk)
		flush(w)
		return werr == nil
	})
	if err == nil {
		return
	}
	if !v.host.cfg.FailOpen {
		panic(http.ErrAbortHandler)
	}
	if _, err := w.Write(rest); err == nil {
		copyBody(w, body)
	}
}

// failClosedReply is Envoy's reply for a request whose VM failed: 503 with
// response details wasm_fail_stream and no body.
func failClosedReply() *reply {
	return (&localReply{status: http.StatusServiceUnavailable}).reply()
}

// sendReply sends rep unchanged: headers, then body.
func sendReply(w http.ResponseWriter, rep *reply) {
	writeReply(w, rep)
	copyBody(w, rep.body)
}

// writeReply writes the status and headers of rep, with Envoy's HTTP/1
// framing for local replies: content-length 0 when the body is empty,
// except on 204, which has no content-length.
func writeReply(w http.ResponseWriter, rep *reply) {
	status := http.StatusBadGateway
	if v, ok := rep.headers.get(":status"); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 100 && n <= 999 {
			status = n
		}
	}
	h := w.Header()
	for _, e := range rep.headers {
		if !strings.HasPrefix(e.name, ":") && !hopByHop[e.name] {
			h.Add(e.name, e.value)
		}
	}
	if rep.local && rep.empty {
		h.Set("Content-Length", "0")
	}
	if status == http.StatusNoContent || status == http.StatusNotModified || status < 200 {
		h.Del("Content-Length")
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no sniffing: Envoy never invents a content-type
	}
	w.WriteHeader(status)
}

// copyBody streams body to the client, flushing after each read so the
// client sees the upstream's chunks as they come.
func copyBody(w http.ResponseWriter, body io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			flush(w)
		}
		if err != nil {
			return
		}
	}
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
