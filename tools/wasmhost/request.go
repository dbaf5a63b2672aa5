//go:build !wasip1

package wasmhost

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// upstreamFailureBody is the body of Envoy's reply when the upstream cannot
// be reached.
const upstreamFailureBody = "upstream connect error or disconnect/reset before headers. reset reason: connection failure"

// serve runs one request through the plugin and the upstream, in Envoy's
// order: context create, request headers, request body, upstream (or the
// plugin's local reply), response headers, response body, then log, done,
// delete.
func (v *vm) serve(w http.ResponseWriter, r *http.Request) {
	if v.failed != nil {
		v.host.serveWithoutFilter(w, r)
		return
	}
	s := newStream(v.newContextID(), r)
	if props := v.host.cfg.Properties; props != nil {
		s.properties = props(r)
	}
	v.stream = s
	defer func() { v.stream = nil }()
	if _, err := v.call("proxy_on_context_create", uint64(s.id), rootContextID); err != nil {
		v.host.serveWithoutFilter(w, r)
		return
	}
	defer v.finish(s)

	noBody := r.Body == nil || r.Body == http.NoBody
	if err := v.callAction("proxy_on_request_headers", s, len(s.reqHeaders), noBody); err != nil {
		v.host.serveWithoutFilter(w, r)
		return
	}
	abortIfClosed(s)

	var body io.Reader = r.Body
	length := r.ContentLength
	if noBody {
		body, length = nil, 0
	} else if s.local == nil && v.callbacks["proxy_on_request_body"] != nil {
		filtered, orig, err := v.filterRequestBody(s, r.Body)
		if err != nil {
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(orig), r.Body))
			v.host.serveWithoutFilter(w, r)
			return
		}
		body, length = bytes.NewReader(filtered), int64(len(filtered))
	}
	abortIfClosed(s)

	if s.local != nil {
		rep := s.local.reply()
		s.local = nil
		v.respond(w, s, rep, true)
		return
	}
	v.respond(w, s, v.host.forward(r, s.reqHeaders, body, length), false)
}

// callAction runs a proxy_on_* callback of the stream that returns an
// action. Envoy would hold the stream on Pause until proxy_continue_stream;
// this host has no event that could resume it, so it continues and warns
// once per VM and callback.
func (v *vm) callAction(name string, s *stream, size int, endOfStream bool) error {
	eos := uint64(0)
	if endOfStream {
		eos = 1
	}
	res, err := v.call(name, uint64(s.id), uint64(size), eos)
	if err != nil {
		return err
	}
	if res != nil && res[0] != 0 && s.local == nil && !v.warned[name] {
		v.warned[name] = true
		v.hostLog(LevelWarn, fmt.Sprintf("%s returned action %d (pause) without a local reply: Envoy would hold the stream until proxy_continue_stream; this host continues (warned once per VM)", name, res[0]))
	}
	return nil
}

// finish runs the end-of-stream callbacks unless the VM failed.
func (v *vm) finish(s *stream) {
	if _, err := v.call("proxy_on_log", uint64(s.id)); err != nil {
		return
	}
	if _, err := v.call("proxy_on_done", uint64(s.id)); err != nil {
		return
	}
	_, _ = v.call("proxy_on_delete", uint64(s.id))
}

// filterRequestBody reads the whole request body, passing each chunk to
// proxy_on_request_body, and returns the chunks as the plugin left them. It
// stops early when the plugin asks for a local reply. orig holds the bytes
// read, for forwarding without the filter if the VM fails.
func (v *vm) filterRequestBody(s *stream, src io.Reader) (filtered, orig []byte, err error) {
	var out, raw bytes.Buffer
	_, err = v.filterBody(s, bufferRequestBody, io.TeeReader(src, &raw), func(chunk []byte) bool {
		out.Write(chunk)
		return s.local == nil
	})
	return out.Bytes(), raw.Bytes(), err
}

// filterBody reads src in chunks and calls the body callback of bodyType on
// each, with end_of_stream set on the last one (an empty body gives one
// empty chunk). sink receives each chunk as the callback left it and
// returns false to stop. When the VM fails, rest holds the bytes read but
// not given to sink. A read error ends the body early.
func (v *vm) filterBody(s *stream, bodyType int, src io.Reader, sink func([]byte) bool) (rest []byte, err error) {
	name := "proxy_on_request_body"
	if bodyType == bufferResponseBody {
		name = "proxy_on_response_body"
	}
	run := func(chunk []byte, eos bool) (bool, error) {
		s.body, s.bodyType = chunk, bodyType
		err := v.callAction(name, s, len(chunk), eos)
		chunk, s.body, s.bodyType = s.body, nil, -1
		if err != nil {
			return false, err
		}
		return sink(chunk), nil
	}
	buf := make([]byte, 32<<10)
	var pending []byte
	started := false
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if started {
				more, err := run(pending, false)
				if err != nil {
					return append(pending, buf[:n]...), err
				}
				if !more {
					return nil, nil
				}
			}
			pending, started = append([]byte(nil), buf[:n]...), true
		}
		if rerr != nil {
			if rerr != io.EOF {
				v.hostLog(LevelWarn, fmt.Sprintf("reading the body: %v", rerr))
			}
			if _, err := run(pending, true); err != nil {
				return pending, err
			}
			return nil, nil
		}
	}
}

// forward sends the request, as the plugin left its header map, to the
// upstream: method, path and authority from the pseudo-headers, the other
// entries as headers (hop-by-hop ones dropped, repeated ones kept). A
// transport error becomes Envoy's 503 local reply.
func (h *Host) forward(r *http.Request, m headerMap, body io.Reader, length int64) *reply {
	method, _ := m.get(":method")
	path, _ := m.get(":path")
	authority, _ := m.get(":authority")
	u := *h.cfg.Upstream
	ref, err := url.ParseRequestURI(path)
	if err != nil {
		return h.upstreamFailure(fmt.Errorf("bad :path %q: %w", path, err))
	}
	u.Path, u.RawPath, u.RawQuery = ref.Path, ref.RawPath, ref.RawQuery
	if body == nil || length == 0 {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(r.Context(), method, u.String(), body)
	if err != nil {
		return h.upstreamFailure(err)
	}
	req.Host = authority
	req.Header = m.httpHeader()
	req.Header.Del("Content-Length")
	req.ContentLength = length
	resp, err := h.transport.RoundTrip(req)
	if err != nil {
		return h.upstreamFailure(err)
	}
	return &reply{
		headers: headerMap{{":status", strconv.Itoa(resp.StatusCode)}}.appendHeaders(resp.Header),
		body:    resp.Body,
		empty:   resp.Body == http.NoBody || resp.ContentLength == 0,
	}
}

// upstreamFailure is the 503 Envoy's router sends when the upstream cannot
// be reached; the plugin's response callbacks run on it.
func (h *Host) upstreamFailure(err error) *reply {
	h.logs.add(hostLine(LevelWarn, "upstream request failed: "+err.Error()))
	l := &localReply{status: http.StatusServiceUnavailable, body: []byte(upstreamFailureBody)}
	return l.reply()
}

// serveWithoutFilter serves a request whose VM failed: Envoy's fail-closed
// reply (503, response details wasm_fail_stream, no body), or with FailOpen
// the upstream's response without the filter.
func (h *Host) serveWithoutFilter(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.FailOpen {
		sendReply(w, failClosedReply())
		return
	}
	var body io.Reader = r.Body
	if r.Body == nil || r.Body == http.NoBody {
		body = nil
	}
	rep := h.forward(r, newStream(0, r).reqHeaders, body, r.ContentLength)
	defer func() { _ = rep.body.Close() }()
	sendReply(w, rep)
}

// abortIfClosed resets the client's stream after proxy_close_stream, which
// Envoy answers by resetting the stream.
func abortIfClosed(s *stream) {
	if s.closed {
		panic(http.ErrAbortHandler)
	}
}
