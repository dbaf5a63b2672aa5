package filter

import (
	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// requestHeaders holds what the filter reads of a request, as views of what
// the host returned (Envoy passes names in lower case): valid during the
// request callback only.
type requestHeaders struct {
	req engine.Request
	// origins backs req.Origins: a second Origin line makes the origin
	// disallowed whatever follows, so the lines after it are not kept.
	origins [2]string
	// acrh backs req.RequestHeaders; one line more than the policy accepts,
	// so that the policy sees there were too many.
	acrh [engine.MaxRequestHeadersLines + 1]string
}

// ruleInputs says which pseudo-headers and attributes choosing a rule
// reads (see engine.Policy.RuleInputs and RouteInputs).
type ruleInputs struct {
	authority, path    bool
	route, virtualHost bool
}

// fetch reads what the policy needs of the request, with as few host calls
// as give the same answer as reading the whole header map:
//
//   - Origin alone first (proxy_get_header_map_value). Without one the
//     request is not a CORS request, and the policy reads nothing else of
//     it but, when there are rules, :authority and :path, single values
//     Envoy never repeats: each is read alone, only if a rule needs it.
//   - With an Origin, the whole map (proxy_get_header_map_pairs): Envoy's
//     single-value read returns only the first line of a repeated header,
//     and a second Origin line makes the origin disallowed, whatever the
//     first; a preflight reads every Access-Control-Request-Headers line.
//     Only the whole map tells, and one read of it serves every header.
//   - Either way, the names of Envoy's route and virtual host, each with
//     one proxy_get_property, only if a rule names them (route.go).
func (r *requestHeaders) fetch(rules ruleInputs, pairs *[]headermap.Pair) error {
	r.reset()
	_, found, err := hostRequestHeader(engine.HeaderOrigin)
	if err != nil {
		return err
	}
	if found {
		m, err := hostRequestHeaders()
		if err != nil {
			return err
		}
		r.read(m, pairs)
		r.fetchRoute(rules)
		return nil
	}
	if rules.authority {
		if r.req.Authority, _, err = hostRequestHeader(":authority"); err != nil {
			return err
		}
	}
	if rules.path {
		if r.req.Path, _, err = hostRequestHeader(":path"); err != nil {
			return err
		}
	}
	r.fetchRoute(rules)
	return nil
}

// reset empties r for the next request. origins and acrh are only read
// through req.Origins and req.RequestHeaders, which read sets; the previous
// request's lines go first: the arrays would otherwise keep that request's
// header bytes alive after requests with fewer lines.
func (r *requestHeaders) reset() {
	dropViews(r.req.Origins)
	dropViews(r.req.RequestHeaders)
	r.req.Reset()
}

// requestLengths selects the names read reads.
var requestLengths = headermap.Lengths(":path", engine.HeaderOrigin, ":method", ":scheme", ":authority",
	engine.HeaderRequestMethod, engine.HeaderRequestHeaders, engine.HeaderRequestPrivateNetwork)

// read fills r from a request header map in one pass. A malformed map leaves
// what was read before the damage; the policy then sees at most a partial
// request, never bytes from outside the map. pairs is scratch space. Most
// headers of a request are
// none of these: a switch on the name's length skips them cheaply.
func (r *requestHeaders) read(m headermap.Map, pairs *[]headermap.Pair) {
	n, nOrigins := 0, 0
	readPairs(pairs, m, requestLengths)
	for _, p := range *pairs {
		name, value := p.Name, p.Value
		switch len(name) {
		case len(":path"):
			if name == ":path" {
				r.req.Path = value
			}
		case len(engine.HeaderOrigin):
			if name == engine.HeaderOrigin && nOrigins < len(r.origins) {
				// The first line is the origin; a second one makes the
				// request's origin disallowed (see engine.Request).
				r.origins[nOrigins] = value
				nOrigins++
			}
		case len(":method"): // and ":scheme"
			switch name {
			case ":method":
				r.req.Method = value
			case ":scheme":
				r.req.Scheme = value
			}
		case len(":authority"):
			if name == ":authority" {
				r.req.Authority = value
			}
		case len(engine.HeaderRequestMethod):
			if name == engine.HeaderRequestMethod && r.req.RequestMethod == "" {
				r.req.RequestMethod = value
			}
		case len(engine.HeaderRequestHeaders):
			if name == engine.HeaderRequestHeaders && n < len(r.acrh) {
				r.acrh[n] = value
				n++
			}
		case len(engine.HeaderRequestPrivateNetwork):
			if name == engine.HeaderRequestPrivateNetwork && r.req.RequestPrivateNetwork == "" {
				r.req.RequestPrivateNetwork = value
			}
		}
	}
	r.req.Origins = r.origins[:nOrigins]
	r.req.RequestHeaders = r.acrh[:n]
}

// readPairs reads the pairs of m whose names have a length in lengths into
// *pairs, reusing its space, and drops the views an earlier, longer read
// left beyond them: scratch space never keeps a finished stream's header
// bytes alive. Field by field, not a cleared Pair (see internal/abi's
// doc.go).
func readPairs(pairs *[]headermap.Pair, m headermap.Map, lengths uint64) {
	old := *pairs
	*pairs, _ = headermap.AppendPairsIf(old[:0], m, lengths)
	for i := len(*pairs); i < len(old); i++ {
		old[i].Name, old[i].Value = "", ""
	}
}

// dropRequestViews lets go of the request's header bytes once its callback
// is done, whatever the next request: what the response needs was copied
// into the stream's own space (plan, kept, audit), and the host's buffer
// behind these views is reused by later calls.
func (p *pluginContext) dropRequestViews() {
	if r := &p.request.req; len(r.Origins) == 0 {
		// Without Origin only the pseudo-headers a rule chooses by were
		// read, each alone, and the route's names; the verdict was the
		// policy's own.
		r.Authority, r.Path = "", ""
		r.Route, r.VirtualHost = "", ""
		return
	}
	p.dropPairs()
	p.request.reset()
	p.decision.Reset()
}

// dropPairs empties the header pairs read, field by field (a cleared Pair
// is a memory.fill in a wasm module), keeping their space.
func (p *pluginContext) dropPairs() {
	for i := range p.pairs {
		p.pairs[i].Name, p.pairs[i].Value = "", ""
	}
	p.pairs = p.pairs[:0]
}

// dropViews empties the strings of s, one by one (a loop the compiler does
// not turn into a memory.fill).
func dropViews(s []string) {
	for i := 0; i < len(s); i++ {
		s[i] = ""
	}
}
