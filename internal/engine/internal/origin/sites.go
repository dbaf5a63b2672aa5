package origin

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/psl"
)

// The sites of a pattern. After "scheme://" the automaton allows a set of
// hosts; hostScan proves that every one of them lies under one of a few
// sites (registrable domains) spelled out by the pattern, or finds why not.
//
// A registrable domain is fixed by a host's last labels: its longest public
// suffix and one label more. So hostScan reads the hosts from their end, a
// character at a time, on the automaton reversed (a depth-first search over
// sets of states), and at each label boundary asks the Public Suffix List
// whether the labels read so far already fix the site. A search path that
// returns to a set of states it has seen, before the site is fixed, can be
// pumped: the pattern then allows unboundedly many sites, and is refused.
// Hosts ending in a number are IPv4 addresses and IPv6 addresses are in
// brackets: each must be spelled out whole.

// maxSites bounds the sites one pattern may match, all schemes together: a
// pattern naming more is refused (list them in several patterns, or use
// allow_origins).
const maxSites = 8

// siteFault says why the hosts of a pattern are refused.
type siteFault uint8

const (
	siteOK           siteFault = iota
	siteUnbounded              // unboundedly many sites
	siteTooMany                // more than maxSites
	sitePublicSuffix           // a public suffix as the host, or any site directly under one
)

// hostScan is the search over the hosts of one scheme.
type hostScan struct {
	a     *automaton
	start int    // the state after "scheme://"
	in    []bool // states of the host region reachable from start
	// from is, for each state of the region, the length of the shortest
	// text that leads to it from start: the least a host through it has
	// before it.
	from []int32
	// The states of the region that go to state t on symbol sym are
	// predList[predAt[k]:predAt[k+1]], k = t*len(alphabet)+sym.
	predAt   []int32
	predList []int32

	sites []string // found so far, in order

	// What went wrong, when something did: the fault, the reversed
	// characters read when it was found (rev) and the set of states there
	// (node), and the public suffix involved.
	fault  siteFault
	rev    []byte
	node   []int32
	suffix string
	// domain is the whole labels read when an unbounded fault was found
	// ("amazonaws.com" for a pattern pumping the label before it).
	domain string
	// publicHost is the first whole host found to be a public suffix, with
	// where it was found. It is reported only when the search finds no
	// other fault: "https://[a-z]+" reaches the top-level domain "a" first,
	// but is better told that it matches unboundedly many sites.
	publicHost       string
	publicRev        []byte
	publicHostStates []int32
}

// newHostScan prepares the search over the hosts after state start.
func newHostScan(a *automaton, start int) (*hostScan, error) {
	n := len(a.states) * len(alphabet)
	if !a.work.spend(4 * n) {
		return nil, errOverBudget
	}
	h := &hostScan{a: a, start: start, in: make([]bool, len(a.states)), from: make([]int32, len(a.states)), predAt: make([]int32, n+1)}
	// The region, breadth first, and how many transitions go to each
	// state on each symbol; then the transitions, placed by those counts.
	edge := func(s, sym int) (int32, bool) {
		t := a.states[s].next[sym]
		return t, t >= 0 && a.states[t].live && a.states[t].part.inHost()
	}
	queue := []int{start}
	h.in[start] = true
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for sym := range len(alphabet) {
			if t, ok := edge(s, sym); ok {
				h.predAt[int(t)*len(alphabet)+sym+1]++
				if !h.in[t] {
					h.in[t], h.from[t] = true, h.from[s]+1
					queue = append(queue, int(t))
				}
			}
		}
	}
	for k := 1; k <= n; k++ {
		h.predAt[k] += h.predAt[k-1]
	}
	h.predList = make([]int32, h.predAt[n])
	next := slices.Clone(h.predAt[:n])
	for s, in := range h.in {
		for sym := 0; sym < len(alphabet) && in; sym++ {
			if t, ok := edge(s, sym); ok {
				k := int(t)*len(alphabet) + sym
				h.predList[next[k]] = int32(s)
				next[k]++
			}
		}
	}
	return h, nil
}

// hostEnds returns the states where a host can end: an origin ends there,
// or continues with ":" and a port.
func (h *hostScan) hostEnds() []int32 {
	var out []int32
	for s, ok := range h.in {
		st := &h.a.states[s]
		if ok && st.part.hostEnd() && (st.accept || h.a.step(s, ':') >= 0) {
			out = append(out, int32(s))
		}
	}
	return out
}

// run searches every host; it returns errOverBudget when the search is too
// long, and otherwise leaves the sites, or the fault, in h.
func (h *hostScan) run() error {
	onPath := map[string]bool{}
	err := h.search(h.hostEnds(), nil, "", onPath)
	if h.fault == siteOK && h.publicHost != "" {
		// A definite fault, even when the search gave up on the rest.
		h.fail(sitePublicSuffix, h.publicRev, h.publicHostStates, h.publicHost)
		return nil
	}
	return err
}

// search continues from node (the states from which the reversed
// characters rev lead to a host's end); lastPS is the longest public suffix
// among the complete labels read.
func (h *hostScan) search(node []int32, rev []byte, lastPS string, onPath map[string]bool) error {
	if h.fault != siteOK {
		return nil
	}
	// The node's key, and the text read.
	if !h.a.work.spend(2*len(node) + len(rev)) {
		return errOverBudget
	}
	suffix := reversed(rev)
	mode := hostMode(suffix)
	if len(rev) > 0 && !h.browserHosts(node, suffix, mode) {
		return nil // no host that ends so is one a browser sends
	}
	key := nodeKey(node)
	if onPath[key] {
		h.fail(siteUnbounded, rev, node, lastPS)
		return nil
	}
	onPath[key] = true
	defer delete(onPath, key)

	// The host may be exactly what was read.
	if slices.Contains(node, int32(h.start)) && len(rev) > 0 {
		if !h.a.work.spend(pslCost(suffix)) {
			return errOverBudget
		}
		if !h.wholeHost(suffix, mode, lastPS, node, rev) {
			return nil
		}
	}
	for sym := 0; sym < len(alphabet); sym++ {
		c := alphabet[sym]
		prev, err := h.before(node, sym)
		if err != nil {
			return err
		}
		if len(prev) == 0 {
			continue
		}
		ps := lastPS
		if c == '.' && mode == modeDomain {
			// The labels read are complete: do they fix the site?
			if !h.a.work.spend(pslCost(suffix)) {
				return errOverBudget
			}
			if psl.IsPublicSuffix(suffix) {
				ps = suffix
			} else if !psl.HasRuleBelow(suffix) {
				if !h.addSite(registrable(suffix, lastPS), rev, node) {
					return nil
				}
				continue
			}
		}
		if err := h.search(prev, append(rev[:len(rev):len(rev)], c), ps, onPath); err != nil {
			return err
		}
		if h.fault != siteOK {
			return nil
		}
	}
	return nil
}

// wholeHost handles the host being exactly suffix; it returns false when
// that is a fault that ends the search.
func (h *hostScan) wholeHost(suffix string, mode hostKind, lastPS string, node []int32, rev []byte) bool {
	switch mode {
	case modeIPv4:
		if !validDomain(suffix) {
			return true // not a host a browser sends
		}
		return h.addSite(suffix, rev, node)
	case modeIPv6:
		if !canonicalIPv6(strings.TrimSuffix(strings.TrimPrefix(suffix, "["), "]")) {
			return true // not a host a browser sends
		}
		return h.addSite(suffix, rev, node)
	}
	if !validDomain(suffix) {
		return true // not a host a browser sends
	}
	if psl.IsPublicSuffix(suffix) {
		if h.publicHost == "" {
			h.publicHost, h.publicRev, h.publicHostStates = suffix, slices.Clone(rev), node
		}
		return true
	}
	return h.addSite(registrable(suffix, lastPS), rev, node)
}

// addSite records a site; it returns false when that is one too many.
func (h *hostScan) addSite(site string, rev []byte, node []int32) bool {
	if !slices.Contains(h.sites, site) {
		h.sites = append(h.sites, site)
	}
	if len(h.sites) > maxSites {
		h.fail(siteTooMany, rev, node, "")
		return false
	}
	return true
}

func (h *hostScan) fail(f siteFault, rev []byte, node []int32, suffix string) {
	h.fault, h.rev, h.node, h.suffix = f, slices.Clone(rev), node, suffix
	read := reversed(rev)
	if i := strings.IndexByte(read, '.'); i >= 0 {
		h.domain = read[i+1:]
	}
}

// before returns the states of the region that go into node on sym.
func (h *hostScan) before(node []int32, sym int) ([]int32, error) {
	if !h.a.work.spend(len(node)) {
		return nil, errOverBudget
	}
	n := 0
	for _, t := range node {
		k := int(t)*len(alphabet) + sym
		n += int(h.predAt[k+1] - h.predAt[k])
	}
	if n == 0 {
		return nil, nil
	}
	if !h.a.work.spend(len(node) + n + sortCost(n)) {
		return nil, errOverBudget
	}
	out := make([]int32, 0, n)
	for _, t := range node {
		k := int(t)*len(alphabet) + sym
		out = append(out, h.predList[h.predAt[k]:h.predAt[k+1]]...)
	}
	return sortSet(out), nil
}

// browserHosts reports whether a host a browser sends (Parse) can end
// with suffix, read as mode, from a state of node: no longer than
// maxHostLength with the shortest text before it, and a domain's labels,
// the first perhaps still being read, no longer than maxLabelLength. The
// search need not read further where none can: no request's host is
// there, so that nothing it would find there (a site, a public suffix as
// the host) can be matched, nor be true of the pattern in a message.
func (h *hostScan) browserHosts(node []int32, suffix string, mode hostKind) bool {
	before := int32(maxHostLength)
	for _, s := range node {
		before = min(before, h.from[s])
	}
	if len(suffix)+int(before) > maxHostLength {
		return false
	}
	if mode != modeDomain {
		return true // IP addresses are checked whole (wholeHost)
	}
	label := strings.IndexByte(suffix, '.')
	if label < 0 {
		label = len(suffix)
	}
	return label <= maxLabelLength
}

// hostKind says how a host is read.
type hostKind uint8

const (
	modeDomain hostKind = iota // labels under a public suffix
	modeIPv4                   // ends in a number: an IPv4 address
	modeIPv6                   // in brackets
)

// hostMode classifies a host from its end, as read so far.
func hostMode(suffix string) hostKind {
	switch {
	case strings.HasSuffix(suffix, "]"):
		return modeIPv6
	case isNumeric(suffix[strings.LastIndexByte(suffix, '.')+1:]):
		// WHATWG URL: a host whose last label is a number is an IPv4
		// address (only meaningful once that label is complete).
		return modeIPv4
	}
	return modeDomain
}

// registrable returns the site of domain d whose longest public suffix is
// ps: ps and one label more (d's last label when there is no public
// suffix: a top-level name reserved for private use, such as "localhost"
// or "internal", belongs to the operator).
func registrable(d, ps string) string {
	n := 1
	if ps != "" {
		n = strings.Count(ps, ".") + 2
	}
	i := len(d)
	for ; n > 0 && i > 0; n-- {
		i = strings.LastIndexByte(d[:i], '.')
		if i < 0 {
			return d
		}
	}
	return d[i+1:]
}

func nodeKey(node []int32) string {
	b := make([]byte, 0, 4*len(node))
	for _, s := range node {
		b = binary.LittleEndian.AppendUint32(b, uint32(s))
	}
	return string(b)
}

func reversed(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return string(out)
}
