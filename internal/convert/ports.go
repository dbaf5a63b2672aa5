package convert

import (
	"cmp"
	"slices"
)

// An Envoy virtual host domain may name a port ("api.example.com:8443"):
// Envoy compares it with the whole :authority, so the virtual host takes
// that host on that port alone, and its requests on other ports go to the
// most specific other virtual host whose domains take the host (a
// wildcard, "*"), or to none (VirtualHost.domains;
// ConfigImpl::findVirtualHost). corswasm rules ignore the port: the
// domain is converted when the virtual host it would take those requests
// from gives them the same CORS handling, and refused otherwise. A host
// named both with and without a port is the same virtual host's on every
// port, and two virtual hosts taking one host are sharedDomain's.

// portOnlyDomains checks each domain a vhost takes on one port alone.
func (c *converter) portOnlyDomains() {
	for i := range c.vhosts {
		vh := &c.vhosts[i]
		for _, h := range vh.portOnly {
			if c.exactElsewhere(i, h) {
				continue // sharedDomain's
			}
			other := c.fallback(i, h)
			switch {
			case other == nil && !slices.ContainsFunc(vh.scopes, func(s scope) bool { return s.cors != nil }):
			case other == nil:
				c.refuse("%s: domain %s with a port: Envoy routes the requests to %s on other ports to no virtual host (no CORS handling), and corswasm rules cannot select requests by the port", vh.from, h, h)
			case !sameHandling(vh, other):
				c.refuse("%s: domain %s with a port: Envoy routes the requests to %s on other ports to %s, whose CORS handling differs, and corswasm rules cannot select requests by the port", vh.from, h, h, other.from)
			}
		}
	}
}

// fallback returns the vhost other than vhosts[self] that Envoy chooses
// for host h by a wildcard or "*" domain, nil if none.
func (c *converter) fallback(self int, h string) *vhost {
	var best *vhost
	bestRank, bestLen := 0, 0
	for i := range c.vhosts {
		vh := &c.vhosts[i]
		if i == self || vh.kind != "envoy" {
			continue
		}
		for _, d := range vh.domains {
			if !covers(d, h) {
				continue
			}
			r, l := domainRank(d)
			if best == nil || cmp.Or(cmp.Compare(r, bestRank), cmp.Compare(l, bestLen)) < 0 {
				best, bestRank, bestLen = vh, r, l
			}
		}
	}
	return best
}

// exactElsewhere reports whether a vhost other than vhosts[self] takes
// host h by name.
func (c *converter) exactElsewhere(self int, h string) bool {
	for i := range c.vhosts {
		if i != self && slices.Contains(c.vhosts[i].domains, h) {
			return true
		}
	}
	return false
}
