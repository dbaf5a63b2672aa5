package filter

import (
	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/policy"
)

// requestHeaders holds what the filter reads of a request, as substrings of
// the host's header map (Envoy passes names in lower case).
type requestHeaders struct {
	req  policy.Request
	path string
	// acrh backs req.RequestHeaders; one line more than the policy accepts,
	// so that the policy sees there were too many.
	acrh [policy.MaxRequestHeadersLines + 1]string
}

// read fills r from a request header map in one pass. A malformed map leaves
// what was read before the damage; the policy then sees at most a partial
// request, never bytes from outside the map.
func (r *requestHeaders) read(m headermap.Map) {
	*r = requestHeaders{}
	n := 0
	for name, value := range m.All() {
		switch name {
		case ":method":
			r.req.Method = value
		case ":scheme":
			r.req.Scheme = value
		case ":authority":
			r.req.Authority = value
		case ":path":
			r.path = value
			r.req.Path = value
		case policy.HeaderOrigin:
			// Fetch §3.1: the first line is the origin; a second one makes
			// the request's origin disallowed (the policy sees the count).
			if r.req.OriginCount == 0 {
				r.req.Origin = value
			}
			r.req.OriginCount++
		case policy.HeaderRequestMethod:
			if r.req.RequestMethod == "" {
				r.req.RequestMethod = value
			}
		case policy.HeaderRequestHeaders:
			if n < len(r.acrh) {
				r.acrh[n] = value
				n++
			}
		case policy.HeaderRequestPrivateNetwork:
			if r.req.RequestPrivateNetwork == "" {
				r.req.RequestPrivateNetwork = value
			}
		}
	}
	r.req.RequestHeaders = r.acrh[:n]
}
