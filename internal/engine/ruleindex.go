package engine

import (
	"strings"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
)

// ruleIndex chooses the rule that decides a request: the first rule (lowest
// index) whose match holds. Rules are indexed by host (exact names in a
// hash map, subdomain wildcards by base domain, host-less rules apart) and,
// within each host, by path prefix in a radix tree, so that choosing costs
// a few lookups and one walk along the path, whatever the number of rules,
// and never allocates.
type ruleIndex struct {
	exact    map[string]*prefixTree
	wildcard origin.Suffixes[*prefixTree]
	any      prefixTree
}

func newRuleIndex() *ruleIndex {
	return &ruleIndex{exact: map[string]*prefixTree{}}
}

// add indexes rule i (rules must be added in increasing order) under each
// of its hosts and path entries.
func (x *ruleIndex) add(i int, hosts []origin.Host, paths []pathEntry) {
	if len(paths) == 0 {
		paths = []pathEntry{{"", matchPrefix}}
	}
	trees := []*prefixTree{&x.any}
	if len(hosts) > 0 {
		trees = trees[:0]
		for _, h := range hosts {
			trees = append(trees, x.tree(h))
		}
	}
	for _, t := range trees {
		for _, p := range paths {
			t.insert(p, i)
		}
	}
}

// tree returns the path tree of a host, creating it.
func (x *ruleIndex) tree(h origin.Host) *prefixTree {
	if h.Subdomains {
		t, ok := x.wildcard.Get(h.Name)
		if !ok {
			t = &prefixTree{}
			x.wildcard.Set(h.Name, t)
		}
		return t
	}
	t := x.exact[h.Name]
	if t == nil {
		t = &prefixTree{}
		x.exact[h.Name] = t
	}
	return t
}

// maxHostLength bounds the host looked up; a longer one matches no host rule.
const maxHostLength = 255

// find returns the index of the first rule matching the request, or -1.
func (x *ruleIndex) find(authority, path string) int {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	best := x.any.lookup(path)
	if len(x.exact) == 0 && x.wildcard.Len() == 0 {
		return best
	}
	var buf [maxHostLength]byte
	host, ok := requestHost(authority, &buf)
	if !ok {
		return best
	}
	// Indexing a map with string(bytes) does not allocate.
	if t := x.exact[string(host)]; t != nil {
		best = first(best, t.lookup(path))
	}
	scan := origin.Under(&x.wildcard, host)
	for {
		t, ok := scan.Next()
		if !ok {
			return best
		}
		best = first(best, t.lookup(path))
	}
}

// first returns the earlier of two rule indexes, -1 meaning none.
func first(a, b int) int {
	if a < 0 || (b >= 0 && b < a) {
		return b
	}
	return a
}

// requestHost copies the :authority without its port into buf, in lower
// case. A trailing dot names the same host ("api.example.com." is
// "api.example.com").
func requestHost(authority string, buf *[maxHostLength]byte) ([]byte, bool) {
	host := authority
	if strings.HasPrefix(host, "[") {
		if end := strings.IndexByte(host, ']'); end >= 0 {
			host = host[:end+1]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if len(host) > len(buf) {
		return nil, false
	}
	b := buf[:copy(buf[:], host)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b, true
}

// checkPathEntry validates a path entry of a rule's match.
func checkPathEntry(p string, kind pathMatch) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "must start with \"/\""
	case strings.ContainsAny(p, "?#"):
		return "paths are compared with the path before \"?\"; remove the query or fragment"
	case kind == matchSeparated && p == "/":
		return "every path starts with \"/\": write \"path_prefixes\": [\"/\"] to match every path"
	case kind == matchSeparated && strings.HasSuffix(p, "/"):
		return "remove the trailing \"/\": " + quote(strings.TrimSuffix(p, "/")) + " matches " + quote(strings.TrimSuffix(p, "/")) + " and the paths under it"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return "contains whitespace or a control character"
		}
	}
	return ""
}
