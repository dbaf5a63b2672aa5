package filter

import (
	"strings"

	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/internal/httpfield"
	"github.com/corswasm/corswasm/policy"
)

// allowOriginBit is Access-Control-Allow-Origin's bit in responseSeen.cors.
const allowOriginBit = 1 << 0

// responseSeen is what the response phase needs to know of the upstream's
// headers.
type responseSeen struct {
	// cors has bit i set when policy.UpstreamCORSHeaders[i] is present.
	cors       uint8
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

// scanResponse reads the upstream's response headers in one pass.
func scanResponse(m headermap.Map) responseSeen {
	var s responseSeen
	for name, value := range m.All() {
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
		if !strings.HasPrefix(name, "access-control-") && name != policy.HeaderTimingAllowOrigin {
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
