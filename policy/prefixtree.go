package policy

// prefixTree maps path prefixes to rule indexes. lookup returns the smallest
// rule index among the prefixes of a path, walking the path once.
type prefixTree struct {
	root ptNode
	used bool
}

// ptNode is a radix tree node: the edge label that leads to it, the first
// rule whose prefix ends here (when set), and its children, whose labels
// start with distinct bytes.
type ptNode struct {
	label    string
	rule     int
	set      bool
	children []*ptNode
}

// insert records that rule has prefix. Rules are inserted in increasing
// order, so a node keeps the first rule that reached it.
func (t *prefixTree) insert(prefix string, rule int) {
	t.used = true
	n := &t.root
	for {
		if prefix == "" {
			if !n.set {
				n.rule, n.set = rule, true
			}
			return
		}
		c := n.child(prefix[0])
		if c == nil {
			n.children = append(n.children, &ptNode{label: prefix, rule: rule, set: true})
			return
		}
		common := commonPrefix(c.label, prefix)
		if common < len(c.label) {
			// Split the edge: c keeps the tail of its label under a new
			// node holding the common part.
			mid := &ptNode{label: c.label[:common], children: []*ptNode{c}}
			n.replaceChild(mid)
			c.label = c.label[common:]
			c = mid
		}
		n, prefix = c, prefix[common:]
	}
}

// lookup returns the smallest rule whose prefix is a prefix of path, or -1.
func (t *prefixTree) lookup(path string) int {
	if !t.used {
		return -1
	}
	best := -1
	n := &t.root
	for {
		if n.set {
			best = first(best, n.rule)
		}
		if path == "" {
			return best
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
