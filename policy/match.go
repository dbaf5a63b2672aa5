package policy

import (
	"net/netip"
	"slices"
	"strings"
	"unsafe"
)

// ruleIndex chooses the rule that decides a request: the first rule (lowest
// index) whose match holds. Rules are indexed by host (exact names in a
// hash map, subdomain wildcards by base domain, host-less rules apart) and,
// within each host, by path prefix in a radix tree, so that choosing costs
// a few lookups and one walk along the path, whatever the number of rules,
// and never allocates.
type ruleIndex struct {
	exact      map[string]*prefixTree
	wildcard   map[string]*prefixTree
	baseLabels []int // label counts of the wildcard base domains, increasing
	any        prefixTree
}

func newRuleIndex() *ruleIndex {
	return &ruleIndex{exact: map[string]*prefixTree{}, wildcard: map[string]*prefixTree{}}
}

// matchHost is a parsed match.hosts entry.
type matchHost struct {
	host       string // lower case; for a wildcard, the base domain
	subdomains bool
}

// add indexes rule i (rules must be added in increasing order) under each
// of its hosts and path prefixes.
func (x *ruleIndex) add(i int, hosts []matchHost, prefixes []string) {
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	trees := []*prefixTree{&x.any}
	if len(hosts) > 0 {
		trees = trees[:0]
		for _, h := range hosts {
			m := x.exact
			if h.subdomains {
				m = x.wildcard
				n := strings.Count(h.host, ".") + 1
				if j, found := slices.BinarySearch(x.baseLabels, n); !found {
					x.baseLabels = slices.Insert(x.baseLabels, j, n)
				}
			}
			t := m[h.host]
			if t == nil {
				t = &prefixTree{}
				m[h.host] = t
			}
			trees = append(trees, t)
		}
	}
	for _, t := range trees {
		for _, p := range prefixes {
			t.insert(p, i)
		}
	}
}

// maxHostLength bounds the host looked up; a longer one matches no host rule.
const maxHostLength = 255

// find returns the index of the first rule matching the request, or -1.
func (x *ruleIndex) find(authority, path string) int {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	best := x.any.lookup(path)
	if len(x.exact) == 0 && len(x.wildcard) == 0 {
		return best
	}
	var buf [maxHostLength]byte
	host, ok := requestHost(authority, &buf)
	if !ok {
		return best
	}
	// host is a byte view; indexing a map with string(host[…]) does not
	// allocate.
	if t := x.exact[string(host)]; t != nil {
		best = first(best, t.lookup(path))
	}
	// Subdomain wildcards: the suffixes of the host with as many labels as
	// some base domain, scanning the host once from the right.
	labels, next := 1, 0
	for i := len(host) - 1; i > 0 && next < len(x.baseLabels); i-- {
		if host[i] != '.' {
			continue
		}
		if labels == x.baseLabels[next] {
			if t := x.wildcard[string(host[i+1:])]; t != nil {
				best = first(best, t.lookup(path))
			}
			next++
		}
		labels++
	}
	return best
}

// first returns the earlier of two rule indexes, -1 meaning none.
func first(a, b int) int {
	if a < 0 || (b >= 0 && b < a) {
		return b
	}
	return a
}

// requestHost returns the :authority without its port, in lower case: in
// buf when it must change case, otherwise a view of the authority's bytes
// (never written to).
func requestHost(authority string, buf *[maxHostLength]byte) ([]byte, bool) {
	host := authority
	if strings.HasPrefix(host, "[") {
		if end := strings.IndexByte(host, ']'); end >= 0 {
			host = host[:end+1]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	// "api.example.com." names the same host as "api.example.com".
	host = strings.TrimSuffix(host, ".")
	lower, same, ok := lowerASCII(host, buf[:])
	switch {
	case !ok:
		return nil, false
	case same:
		return unsafe.Slice(unsafe.StringData(host), len(host)), true
	}
	return lower, true
}

// parseMatchHost validates a match.hosts entry.
func parseMatchHost(s string) (matchHost, string) {
	h := strings.ToLower(s)
	var m matchHost
	if strings.HasPrefix(h, "*.") {
		m.subdomains = true
		h = h[2:]
	}
	switch {
	case h == "":
		return m, "a host cannot be empty"
	case strings.Contains(h, "*"):
		return m, "\"*\" is only allowed as the whole leftmost label, as in \"*.example.com\""
	case strings.ContainsAny(h, "/?#@ \t"):
		return m, "a host name only; remove the scheme, path or other parts"
	}
	if strings.HasPrefix(h, "[") {
		addr, err := netip.ParseAddr(strings.TrimSuffix(h[1:], "]"))
		if m.subdomains || !strings.HasSuffix(h, "]") || err != nil || !addr.Is6() {
			return m, "invalid IPv6 address " + quote(s)
		}
		m.host = "[" + addr.String() + "]"
		return m, ""
	}
	if strings.Contains(h, ":") {
		return m, "remove the port: hosts are compared with :authority without its port"
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return m, nonASCIIHost(s)
		}
	}
	if reason := checkDomain(h, true); reason != "" {
		return m, reason
	}
	m.host = h
	return m, ""
}

// checkPathPrefix validates a match.path_prefixes entry.
func checkPathPrefix(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "must start with \"/\""
	case strings.ContainsAny(p, "?#"):
		return "a path prefix is compared with the path before \"?\"; remove the query or fragment"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return "contains whitespace or a control character"
		}
	}
	return ""
}
