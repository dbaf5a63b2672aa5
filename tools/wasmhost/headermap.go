//go:build !wasip1

package wasmhost

import (
	"encoding/binary"
	"net/http"
	"sort"
	"strings"

	"github.com/corswasm/corswasm/internal/headermap"
)

// header is one entry of a header map: one header line.
type header struct{ name, value string }

// headerMap is a header map as Envoy keeps it: ordered entries with
// lower-case names, pseudo-headers first, one entry per header line.
type headerMap []header

// get returns the first value of name, as Envoy's get_header_map_value
// does (it never joins repeated headers).
func (m headerMap) get(name string) (string, bool) {
	for _, h := range m {
		if h.name == name {
			return h.value, true
		}
	}
	return "", false
}

// inlineHeaders are the headers Envoy keeps as inline headers, at most one
// entry each, whose repeated values it joins with "," (HeaderMapImpl's
// appendToHeader): here the ones Envoy's CORS extension registers
// (source/extensions/filters/http/cors/cors_filter.cc), which every standard
// Envoy build links.
var inlineHeaders = map[string]bool{
	"origin": true, "access-control-request-method": true, "access-control-request-headers": true,
	"access-control-request-private-network": true,
	"access-control-allow-origin":            true, "access-control-allow-credentials": true,
	"access-control-allow-methods": true, "access-control-allow-headers": true,
	"access-control-max-age": true, "access-control-expose-headers": true,
	"access-control-allow-private-network": true,
}

// IsCORSInlineHeader reports whether Envoy keeps the lower-case header
// name inline because its CORS extension registers it (see inlineHeaders).
func IsCORSInlineHeader(name string) bool { return inlineHeaders[name] }

// add appends an entry (Envoy's addCopy): for an inline header already
// present, the value is appended to that entry after a ",".
func (m *headerMap) add(name, value string) {
	name = strings.ToLower(name)
	if inlineHeaders[name] {
		for i := range *m {
			if (*m)[i].name == name {
				(*m)[i].value += "," + value
				return
			}
		}
	}
	*m = append(*m, header{name, value})
}

// replace removes every entry of name and appends one with value (Envoy's
// setCopy).
func (m *headerMap) replace(name, value string) {
	m.remove(name)
	m.add(name, value)
}

// remove deletes every entry of name.
func (m *headerMap) remove(name string) {
	name = strings.ToLower(name)
	out := (*m)[:0]
	for _, h := range *m {
		if h.name != name {
			out = append(out, h)
		}
	}
	*m = out
}

// encode serializes the map the proxy-wasm way (package headermap).
func (m headerMap) encode() []byte {
	return headermap.Append(nil, len(m), func(i int) (string, string) { return m[i].name, m[i].value })
}

// decodeHeaderMap parses a serialized map from the guest. It is more
// lenient than package headermap on purpose, to behave as Envoy's toPairs
// does with a buggy guest: an empty map for input too short for its count,
// ok=false only when the names or values run past the end, NUL separators
// not checked. Names are lower-cased.
func decodeHeaderMap(b []byte) (m headerMap, ok bool) {
	if len(b) < 4 {
		return nil, true
	}
	n := uint64(binary.LittleEndian.Uint32(b))
	if 4+8*n > uint64(len(b)) {
		return nil, true
	}
	m = make(headerMap, n)
	sizes := b[4:]
	data := b[4+8*n:]
	for i := range m {
		nl := uint64(binary.LittleEndian.Uint32(sizes[8*i:]))
		vl := uint64(binary.LittleEndian.Uint32(sizes[8*i+4:]))
		if nl+vl+2 > uint64(len(data)) {
			return nil, false
		}
		m[i] = header{strings.ToLower(string(data[:nl])), string(data[nl+1 : nl+1+vl])}
		data = data[nl+vl+2:]
	}
	return m, true
}

// hopByHop lists the connection-specific headers Envoy's connection manager
// strips before the filter chain and the host strips again before
// forwarding: they describe one connection, not the message.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true, "te": true,
}

// appendHeaders adds h's entries to m: lower-case names sorted (Go does not
// keep the order of different names), each line its own entry in the order
// received, except inline headers, whose lines Envoy joins into one entry.
// Hop-by-hop headers and those named in Connection are left out.
func (m headerMap) appendHeaders(h http.Header) headerMap {
	skip := map[string]bool{}
	for _, c := range h.Values("Connection") {
		for _, name := range strings.Split(c, ",") {
			skip[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	for _, name := range names {
		lower := strings.ToLower(name)
		if hopByHop[lower] || skip[lower] {
			continue
		}
		for _, value := range h[name] {
			m.add(lower, value)
		}
	}
	return m
}

// httpHeader converts the map's regular entries (not pseudo-headers, not
// hop-by-hop) to an http.Header, keeping every entry.
func (m headerMap) httpHeader() http.Header {
	h := make(http.Header, len(m))
	for _, e := range m {
		if strings.HasPrefix(e.name, ":") || hopByHop[e.name] {
			continue
		}
		h.Add(e.name, e.value)
	}
	return h
}
