package origin

import (
	"regexp"
	"slices"
	"strings"
)

// equivalentEntries returns allow_origins entries that allow exactly the
// origins the pattern matches, when there are such entries: a pattern like
// `https://.*\.example\.com` is safe, and "https://*.example.com" says the
// same without a regular expression. It returns nil otherwise.
func (r *Regex) equivalentEntries(a *automaton) []string {
	if a.start < 0 {
		return nil
	}
	var entries, patterns []string
	for _, scheme := range r.Schemes {
		q := a.walk(a.start, scheme+"://")
		hosts, _ := a.finiteHosts(q)
		for _, c := range candidates(scheme, hosts, r.Sites[scheme]) {
			ca, err := newAutomaton(c.pattern, a.work)
			if err != nil || ca.start < 0 || !ca.subsetOf(a) {
				continue
			}
			// "…:*" includes the entry without a port: keep the one.
			if n := len(entries); n > 0 && entries[n-1]+":*" == c.entry {
				entries, patterns = entries[:n-1], patterns[:n-1]
			}
			entries = append(entries, c.entry)
			patterns = append(patterns, c.pattern)
		}
	}
	if len(patterns) == 0 {
		return nil
	}
	union, err := newAutomaton(strings.Join(patterns, "|"), a.work)
	if err != nil || !a.subsetOf(union) {
		return nil
	}
	if r.Null {
		entries = append(entries, "null")
	}
	return entries
}

type candidate struct{ entry, pattern string }

// candidates lists allow_origins entries that could make up a pattern's
// origins of one scheme: each host, when there are few, and each site with
// its subdomains, each with and without ":*"; with a pattern for the
// origins each allows.
func candidates(scheme string, hosts, sites []string) []candidate {
	const port = `(:[0-9]+)?`
	labels := hostLabel + `+(\.` + hostLabel + `+)*\.`
	base := regexp.QuoteMeta(scheme + "://")
	var out []candidate
	add := func(entry, pattern string) {
		out = append(out, candidate{entry, pattern}, candidate{entry + ":*", pattern + port})
	}
	for _, h := range hosts {
		if strings.Contains(h, "*") {
			// The URL standard allows "*" in a host, but allow_origins
			// reads it as a wildcard: no entry says that host alone.
			return nil
		}
		add(scheme+"://"+h, base+regexp.QuoteMeta(h))
	}
	for _, site := range sites {
		if hostMode(site) != modeDomain {
			continue // no wildcard over an IP address
		}
		if len(hosts) == 0 {
			add(scheme+"://"+site, base+regexp.QuoteMeta(site))
		}
		add(scheme+"://*."+site, base+labels+regexp.QuoteMeta(site))
	}
	return out
}

// hostLabel is a regular expression class of the bytes of a host label
// (hostChars), each escaped: a subdomain wildcard allows any of them.
var hostLabel = func() string {
	b := []byte{'['}
	for c := 0; c < len(hostChars); c++ {
		if hostChars[c] {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				b = append(b, '\\')
			}
			b = append(b, byte(c))
		}
	}
	return string(append(b, ']'))
}()

// maxFiniteHosts bounds the hosts finiteHosts lists.
const maxFiniteHosts = 16

// finiteHosts lists the hosts after state q when there are few: ok is
// false when there are unboundedly many or more than maxFiniteHosts, or
// the search is too long.
func (a *automaton) finiteHosts(q int) (hosts []string, ok bool) {
	var onPath []int
	var walk func(s int, host []byte) bool
	walk = func(s int, host []byte) bool {
		// The path, the host read and the transitions.
		if !a.work.spend(len(onPath) + len(host) + len(alphabet)) {
			return false
		}
		if slices.Contains(onPath, s) {
			return false
		}
		onPath = append(onPath, s)
		defer func() { onPath = onPath[:len(onPath)-1] }()
		st := &a.states[s]
		if st.part.hostEnd() && (st.accept || a.step(s, ':') >= 0) {
			hosts = append(hosts, string(host))
			if len(hosts) > maxFiniteHosts {
				return false
			}
		}
		for sym := 0; sym < len(alphabet); sym++ {
			t := a.step(s, alphabet[sym])
			if t < 0 || !a.states[t].part.inHost() {
				continue
			}
			if !walk(t, append(host[:len(host):len(host)], alphabet[sym])) {
				return false
			}
		}
		return true
	}
	if !walk(q, nil) {
		return nil, false
	}
	return hosts, true
}

// subsetOf reports whether every origin a accepts, b accepts too: no pair
// of states reachable together has a accepting and b not. It reports false
// when the search is too long.
func (a *automaton) subsetOf(b *automaton) bool {
	// Pairs are numbered x*(len(b.states)+1) + y+1 (y is -1 where b
	// accepts nothing more); seen holds a bit for each.
	width := len(b.states) + 1
	pairs := len(a.states) * width
	if !a.work.spend(pairs / 64) {
		return false
	}
	seen := make([]uint64, (pairs+63)/64)
	mark := func(x, y int) bool {
		i := x*width + y + 1
		if seen[i/64]&(1<<(i%64)) != 0 {
			return false
		}
		seen[i/64] |= 1 << (i % 64)
		return true
	}
	type pair struct{ x, y int }
	queue := []pair{{a.start, b.start}}
	mark(a.start, b.start)
	for len(queue) > 0 {
		if !a.work.spend(1 + 2*len(alphabet)) {
			return false
		}
		p := queue[0]
		queue = queue[1:]
		if a.states[p.x].accept && (p.y < 0 || !b.states[p.y].accept) {
			return false
		}
		for sym := 0; sym < len(alphabet); sym++ {
			x := a.step(p.x, alphabet[sym])
			if x < 0 {
				continue
			}
			if y := b.step(p.y, alphabet[sym]); mark(x, y) {
				queue = append(queue, pair{x, y})
			}
		}
	}
	return true
}
