package origin

import "slices"

// The anchors of a pattern's sites. Set indexes a pattern under the
// domains its hosts lie at or under, so that a request tries only the
// patterns that can match its host. The sites the proof found are such
// domains; but a configuration of many patterns often has them all under
// one site (a pattern per tenant, `https://([a-z0-9-]+\.)*tenant1\.example\.com`),
// and a host under that site would try every one. So each site is
// lengthened, a whole label at a time, for as long as every host of the
// pattern under it has that label next: the anchor, tenant1.example.com
// there. Every host of the pattern at or under the site lies at or under
// its anchor, so indexing by anchors loses no match.
//
// The anchor is read on the hosts from their end, as the sites are
// (hostScan): from the states where a host ends, back through the site's
// characters, then through each next label while it is forced: a single
// character leads back into the states reached, until the label is whole
// (every host either starts there or has a "." before it). It stops where
// a host may be the anchor itself, where the next label is not forced, and
// at maxHostLength (no longer host is valid). Stopping early only leaves a
// shorter anchor, which is sound; so its search, which may read a long
// forced run on large sets of states, has a budget of its own within the
// proof's, and keeps what it found when that is spent.

// maxAnchorWork bounds the steps of the search for one site's anchor.
const maxAnchorWork = 1 << 14

// anchor returns the anchor of site, spending at most maxAnchorWork steps
// of the automaton's budget.
func (h *hostScan) anchor(site string) string {
	proof := h.a.work
	limit := min(maxAnchorWork, max(proof.left, 0))
	work := budget{left: limit}
	h.a.work = &work
	defer func() {
		h.a.work = proof
		proof.spend(work.spent(limit))
	}()
	if !h.a.work.spend(len(h.in)) {
		return site
	}
	node := h.hostEnds()
	for i := len(site) - 1; i >= 0 && len(node) > 0; i-- {
		var err error
		if node, err = h.before(node, int(symbol[site[i]])); err != nil {
			return site
		}
	}
	anchor := site
	for len(node) > 0 && !slices.Contains(node, int32(h.start)) {
		dot, err := h.before(node, int(symbol['.']))
		if err != nil || len(dot) == 0 {
			break
		}
		label, before, ok := h.forcedLabel(dot, maxHostLength-len(anchor)-1)
		if !ok {
			break
		}
		anchor, node = label+"."+anchor, before
	}
	return anchor
}

// forcedLabel reads the label that every host has before the states of
// node (those after its "."), a character at a time while only one leads
// back into them; it returns the label and the states before it, or false
// when the label is not forced, is empty, or is longer than room.
func (h *hostScan) forcedLabel(node []int32, room int) (string, []int32, bool) {
	var rev []byte
	for len(rev) <= room {
		only, leading := -1, 0
		for k := 0; k < len(h.a.classes) && leading < 2; k++ {
			if !h.a.work.spend(len(node)) {
				return "", nil, false
			}
			if h.leadsInto(node, int(h.a.classes[k][0])) {
				only, leading = k, leading+1
			}
		}
		if leading == 0 || leading == 1 && alphabet[h.a.classes[only][0]] == '.' {
			// Whole: every host starts here, or has a "." next.
			return reversed(rev), node, len(rev) > 0
		}
		if leading > 1 || len(h.a.classes[only]) > 1 || slices.Contains(node, int32(h.start)) {
			return "", nil, false
		}
		sym := int(h.a.classes[only][0])
		var err error
		if node, err = h.before(node, sym); err != nil {
			return "", nil, false
		}
		rev = append(rev, alphabet[sym])
	}
	return "", nil, false
}

// leadsInto reports whether a state of the host region goes into node on
// symbol sym.
func (h *hostScan) leadsInto(node []int32, sym int) bool {
	for _, t := range node {
		k := int(t)*len(alphabet) + sym
		if h.predAt[k+1] > h.predAt[k] {
			return true
		}
	}
	return false
}
