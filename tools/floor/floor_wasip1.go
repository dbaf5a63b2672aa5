//go:build wasip1

package main

import (
	"encoding/binary"
	"unsafe"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/headermap"
)

func init() { abi.SetVMContext(&vm{}) }

type vm struct{ types.DefaultVMContext }

// HttpContextsRecoverPanics: as cors.wasm's, the floor's HTTP callbacks
// recover their own panics, so the ABI binding adds no recover around them
// and the two modules pay for the same deferred recovers.
func (*vm) HttpContextsRecoverPanics() {}

var _ abi.RecoveringHttpContexts = (*vm)(nil)

// recoverPanic is the floor's counterpart of the filter's: a panic lets the
// request continue.
func recoverPanic(action *types.Action) {
	if recover() != nil {
		*action = types.ActionContinue
	}
}

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

// plugin keeps the stream contexts of deleted streams for reuse, as
// cors.wasm does (a new context per request would allocate), the counters,
// the local reply's buffer and the request's pairs.
type plugin struct {
	types.DefaultPluginContext
	free                        []*stream
	nonCORS, allowed, preflight uint32
	reply                       []byte
	pairs                       []headermap.Pair
}

// Without RecycleHttpContext's exact signature the binding would never hand
// contexts back, and every request would allocate one.
var _ abi.HttpContextRecycler = (*plugin)(nil)

// OnPluginStart defines one counter per kind, as cors.wasm increments one
// per request. The configuration is not read: the answers are known.
func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	for _, c := range []struct {
		id   *uint32
		name string
	}{{&p.nonCORS, "floor.non_cors"}, {&p.allowed, "floor.actual.allowed"}, {&p.preflight, "floor.preflight.allowed"}} {
		var err error
		if *c.id, err = abi.DefineCounter(c.name); err != nil {
			return false
		}
	}
	return true
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext {
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	return &stream{plugin: p}
}

func (p *plugin) RecycleHttpContext(h types.HttpContext) {
	if s, ok := h.(*stream); ok {
		s.kind, s.origin = pending, s.origin[:0]
		p.free = append(p.free, s)
	}
}

// kind is what the request callback found, for the response callback.
// originAndMethod selects the names OnHttpRequestHeaders reads, as
// cors.wasm selects its own.
var originAndMethod = headermap.Lengths("origin", ":method")

type kind uint8

const (
	pending  kind = iota
	notCORS       // no Origin: the response gets Vary
	actual        // forwarded: the response gets the CORS headers
	answered      // local reply sent: its response callback does nothing
)

// stream is one request: its kind, and a copy of its origin, which the
// response echoes (the host's answers do not outlive a callback).
type stream struct {
	types.DefaultHttpContext
	plugin *plugin
	kind   kind
	origin []byte
}

// OnHttpRequestHeaders reads Origin alone; without one, it counts the
// request. With one, it reads the whole map, as cors.wasm does (a repeated
// Origin line decides; only the whole map shows it), counts, and for an
// OPTIONS request sends the local reply cors.wasm sends.
func (s *stream) OnHttpRequestHeaders(int, bool) (action types.Action) {
	defer recoverPanic(&action)
	const req = abi.MapTypeHttpRequestHeaders
	p := s.plugin
	_, found, err := abi.HeaderMapValue(req, "origin")
	if err != nil {
		return types.ActionContinue
	}
	if !found {
		_ = abi.IncrementMetric(p.nonCORS, 1)
		s.kind = notCORS
		return types.ActionContinue
	}
	m, err := abi.GetHeaderMapPairs(req)
	if err != nil {
		return types.ActionContinue
	}
	var origin, method string
	p.pairs, _ = headermap.AppendPairsIf(p.pairs[:0], m, originAndMethod)
	for _, pair := range p.pairs {
		switch pair.Name {
		case "origin":
			origin = pair.Value
		case ":method":
			method = pair.Value
		}
	}
	if method == "OPTIONS" {
		_ = abi.IncrementMetric(p.preflight, 1)
		p.reply = appendPairs(p.reply[:0],
			"access-control-allow-origin", origin,
			"access-control-allow-credentials", "true",
			"access-control-allow-methods", "PUT, PATCH, DELETE",
			"access-control-allow-headers", "content-type, authorization, x-request-id",
			"access-control-max-age", "600",
			"vary", "Origin")
		_ = abi.SendLocalResponse(204, "cors_preflight_allowed", nil, p.reply, -1)
		s.kind = answered
		return types.ActionPause
	}
	_ = abi.IncrementMetric(p.allowed, 1)
	s.origin = append(s.origin[:0], origin...) // grows once, then reused
	s.kind = actual
	return types.ActionContinue
}

// OnHttpResponseHeaders: for a request without Origin, Vary's first line
// (cors.wasm checks whether the upstream's Vary already covers Origin) and
// Vary; for an actual request, the whole map (cors.wasm reads it when it
// adds headers) and the four headers.
func (s *stream) OnHttpResponseHeaders(int, bool) (action types.Action) {
	defer recoverPanic(&action)
	const resp = abi.MapTypeHttpResponseHeaders
	switch s.kind {
	case notCORS:
		_, _, _ = abi.HeaderMapValue(resp, "vary")
		_ = abi.AddHeaderMapValue(resp, "vary", "Origin")
	case actual:
		if _, err := abi.GetHeaderMapPairs(resp); err != nil {
			return types.ActionContinue
		}
		// A view of the copy, not another copy: the host copies the value.
		origin := unsafe.String(unsafe.SliceData(s.origin), len(s.origin))
		_ = abi.AddHeaderMapValue(resp, "access-control-allow-origin", origin)
		_ = abi.AddHeaderMapValue(resp, "access-control-allow-credentials", "true")
		_ = abi.AddHeaderMapValue(resp, "access-control-expose-headers", "x-request-id")
		_ = abi.AddHeaderMapValue(resp, "vary", "Origin")
	}
	return types.ActionContinue
}

// appendPairs appends name/value pairs to dst in the proxy-wasm header map
// serialization (see internal/headermap).
func appendPairs(dst []byte, kv ...string) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(kv)/2))
	for _, s := range kv {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)))
	}
	for _, s := range kv {
		dst = append(dst, s...)
		dst = append(dst, 0)
	}
	return dst
}
