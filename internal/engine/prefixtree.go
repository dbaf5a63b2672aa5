package engine

// pathMatch is how a rule's path entry is compared with a request's path
// (before "?").
type pathMatch uint8

const (
	// matchPrefix: the path starts with the entry, byte for byte
	// (match.path_prefixes).
	matchPrefix pathMatch = iota
	// matchExact: the path is the entry (match.paths).
	matchExact
	// matchSeparated: the path is the entry, or the entry followed by "/"
	// and anything (match.path_separated_prefixes, as Envoy's
	// path_separated_prefix).
	matchSeparated
	pathMatches
)

// pathEntry is one path entry of a rule.
type pathEntry struct {
	key  string
	kind pathMatch
}

// prefixTree maps path entries to rule indexes. lookup returns the smallest
// rule index among the entries a path matches, walking the path once.
type prefixTree struct {
	root ptNode
	used bool
}

// ptNode is a radix tree node: the edge label that leads to it, the first
// rule of each kind of entry that ends here (rule index + 1; 0 for none),
// and its children, whose labels start with distinct bytes.
type ptNode struct {
	label    string
	rules    [pathMatches]int
	children []*ptNode
}

// insert records that rule has entry e. Rules are inserted in increasing
// order, so a node keeps the first rule of each kind that reached it.
func (t *prefixTree) insert(e pathEntry, rule int) {
	t.used = true
	n := &t.root
	key := e.key
	for {
		if key == "" {
			if n.rules[e.kind] == 0 {
				n.rules[e.kind] = rule + 1
			}
			return
		}
		c := n.child(key[0])
		if c == nil {
			c = &ptNode{label: key}
			c.rules[e.kind] = rule + 1
			n.children = append(n.children, c)
			return
		}
		common := commonPrefix(c.label, key)
		if common < len(c.label) {
			// Split the edge: c keeps the tail of its label under a new
			// node holding the common part.
			mid := &ptNode{label: c.label[:common], children: []*ptNode{c}}
			n.replaceChild(mid)
			c.label = c.label[common:]
			c = mid
		}
		n, key = c, key[common:]
	}
}

// lookup returns the smallest rule with an entry that path matches, or -1.
// A node is reached exactly when its key is a prefix of path, so each kind
// is decided there by what remains of the path.
func (t *prefixTree) lookup(path string) int {
	if !t.used {
		return -1
	}
	best := -1
	n := &t.root
	for {
		best = first(best, n.rules[matchPrefix]-1)
		switch {
		case path == "":
			return first(first(best, n.rules[matchExact]-1), n.rules[matchSeparated]-1)
		case path[0] == '/':
			best = first(best, n.rules[matchSeparated]-1)
		}
		c := n.child(path[0])
		if c == nil || len(path) < len(c.label) || path[:len(c.label)] != c.label {
			return best
		}
		n, path = c, path[len(c.label):]
	}
}

func (n *ptNode) child(b byte) *ptNode {
	for _, c := range n.children {
		if c.label[0] == b {
			return c
		}
	}
	return nil
}

func (n *ptNode) replaceChild(c *ptNode) {
	for i, old := range n.children {
		if old.label[0] == c.label[0] {
			n.children[i] = c
			return
		}
	}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
