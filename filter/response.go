package filter

import (
	"strings"

	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/internal/httpfield"
	"github.com/corswasm/corswasm/policy"
)

// allowOriginBit is Access-Control-Allow-Origin's bit in responseSeen.cors.
var allowOriginBit = upstreamBit(policy.HeaderAllowOrigin)

// upstreamBit is name's bit in responseSeen.cors, 0 when
// policy.UpstreamCORSHeaders does not list it.
func upstreamBit(name string) uint32 {
	for i, h := range policy.UpstreamCORSHeaders {
		if h == name {
			return 1 << i
		}
	}
	return 0
}

// responseSeen is what the response phase needs to know of the upstream's
// headers.
type responseSeen struct {
	// cors has bit i set when policy.UpstreamCORSHeaders[i] is present (a
	// test checks that the list fits).
	cors       uint32
	varyOrigin bool // some Vary line lists Origin
	varyStar   bool // some Vary line is "*"
	// isolation holds the names of the cross-origin isolation headers
	// present.
	isolation [3]string
	nIso      int
}

// has reports whether the response carries the isolation header name.
func (s *responseSeen) has(name string) bool {
	for _, n := range s.isolation[:s.nIso] {
		if n == name {
			return true
		}
	}
	return false
}

// hasCORS reports whether the response carries the UpstreamCORSHeaders
// entry name.
func (s *responseSeen) hasCORS(name string) bool {
	for i, h := range policy.UpstreamCORSHeaders {
		if h == name {
			return s.cors&(1<<i) != 0
		}
	}
	return false
}

// scanLengths has bit n set when a header scanResponse looks for has a name
// n bytes long: the other headers are skipped after a length check.
var scanLengths = headermap.Lengths(append([]string{policy.HeaderVary, policy.HeaderCrossOriginResourcePolicy,
	policy.HeaderCrossOriginEmbedderPolicy, policy.HeaderCrossOriginOpenerPolicy}, policy.UpstreamCORSHeaders...)...)

// scanResponse reads the upstream's response headers in one pass; pairs
// is scratch space.
func scanResponse(m headermap.Map, pairs *[]headermap.Pair) responseSeen {
	var s responseSeen
	*pairs, _ = headermap.AppendPairsIf((*pairs)[:0], m, scanLengths)
	for _, p := range *pairs {
		name, value := p.Name, p.Value
		switch name {
		case policy.HeaderVary:
			s.scanVary(value)
			continue
		case policy.HeaderCrossOriginResourcePolicy, policy.HeaderCrossOriginEmbedderPolicy, policy.HeaderCrossOriginOpenerPolicy:
			if !s.has(name) && s.nIso < len(s.isolation) {
				s.isolation[s.nIso] = name
				s.nIso++
			}
			continue
		}
		for i, h := range policy.UpstreamCORSHeaders {
			if name == h {
				s.cors |= 1 << i
			}
		}
	}
	return s
}

// scanVary reads one Vary line: a comma-separated list of header names, or
// "*" (RFC 9110 §12.5.5). A malformed element is skipped: it names no
// header the filter looks for.
func (s *responseSeen) scanVary(v string) {
	sc := httpfield.NewScanner(v)
	for {
		item, ok := sc.Next()
		switch {
		case !ok:
			return
		case item == "*":
			s.varyStar = true
		case strings.EqualFold(item, "origin"):
			s.varyOrigin = true
		}
	}
}

// varyCovered reports whether the upstream's Vary already covers Origin,
// reading as little as tells: when Vary is the only thing the response
// phase needs to know, its first line (proxy_get_header_map_value) answers
// if it is absent or lists Origin or "*". Otherwise a later Vary line might
// (Envoy returns only the first), and the whole map is read.
func varyCovered(pairs *[]headermap.Pair) (bool, error) {
	v, found, err := hostResponseHeader(policy.HeaderVary)
	if err != nil || !found {
		return false, err
	}
	var s responseSeen
	s.scanVary(v)
	if s.varyOrigin || s.varyStar {
		return true, nil
	}
	m, err := hostResponseHeaders()
	if err != nil {
		return false, err
	}
	s = scanResponse(m, pairs)
	return s.varyOrigin || s.varyStar, nil
}
