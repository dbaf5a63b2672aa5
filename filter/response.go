package filter

import (
	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// The response phase reads of the upstream's response only what
// engine.ResponseFacts records; engine.ResponsePlan decides the edits.

// factLengths has bit n set when a header engine.ResponseFacts records has
// a name n bytes long: the other headers are skipped after a length check.
var factLengths = headermap.Lengths(append(append([]string{engine.HeaderVary},
	engine.IsolationHeaders()...), engine.UpstreamCORSHeaders()...)...)

// readResponseFacts records the upstream's response headers in f, in one
// pass; pairs is scratch space.
func readResponseFacts(m headermap.Map, pairs *[]headermap.Pair, f *engine.ResponseFacts) {
	readPairs(pairs, m, factLengths)
	for _, p := range *pairs {
		f.Observe(p.Name, p.Value)
	}
}

// readVaryFacts records whether the upstream's Vary already covers Origin,
// reading as little as tells, for a plan that needs to know nothing else:
// the first Vary line (proxy_get_header_map_value) answers if it is absent
// or lists Origin or "*". Otherwise a later line might (Envoy returns only
// the first), and the whole map is read.
func readVaryFacts(f *engine.ResponseFacts, pairs *[]headermap.Pair) error {
	v, found, err := hostResponseHeader(engine.HeaderVary)
	if err != nil || !found {
		return err
	}
	f.Observe(engine.HeaderVary, v)
	if f.VaryCoversOrigin {
		return nil
	}
	m, err := hostResponseHeaders()
	if err != nil {
		return err
	}
	readResponseFacts(m, pairs, f)
	return nil
}
