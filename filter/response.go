package filter

import (
	"github.com/corswasm/corswasm/internal/headermap"
	"github.com/corswasm/corswasm/policy"
)

// The response phase reads of the upstream's response only what
// policy.ResponseFacts records; policy.ResponsePlan decides the edits.

// factLengths has bit n set when a header policy.ResponseFacts records has
// a name n bytes long: the other headers are skipped after a length check.
var factLengths = headermap.Lengths(append(append([]string{policy.HeaderVary},
	policy.IsolationHeaders()...), policy.UpstreamCORSHeaders()...)...)

// readResponseFacts records the upstream's response headers in f, in one
// pass; pairs is scratch space.
func readResponseFacts(m headermap.Map, pairs *[]headermap.Pair, f *policy.ResponseFacts) {
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
func readVaryFacts(f *policy.ResponseFacts, pairs *[]headermap.Pair) error {
	v, found, err := hostResponseHeader(policy.HeaderVary)
	if err != nil || !found {
		return err
	}
	f.Observe(policy.HeaderVary, v)
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
