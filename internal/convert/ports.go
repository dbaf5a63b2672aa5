package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Envoy chooses a virtual host by the whole :authority, its port included
// (RouteMatcher::findVirtualHost in source/common/router/config_impl.cc):
// an exact domain, then the longest suffix wildcard ("*.example.com",
// "*.example.com:8443", "*:8443"), then the longest prefix wildcard
// ("api.example.com:*", every port of a host, as Istio writes it), then
// "*". A domain without a port takes its host without a port alone, and
// one with a port that port alone; with the route configuration's
// ignore_port_in_host_matching, or the connection manager's
// strip_any_host_port, the port is removed before (and a domain with a
// port matches nothing), and with strip_matching_host_port the port equal
// to the listener's. corswasm rules ignore the port: each host is
// converted when Envoy gives it the same CORS handling with and without
// every port, and refused otherwise.

// domain is one of an Envoy virtual host's domains, in lower case.
type domain struct {
	// host is the domain without its port: a host, "*.suffix", or "*".
	host string
	// port is "" for none, "*" for any (a prefix wildcard "host:*"), or
	// a port number.
	port string
}

// String writes the domain as Envoy's configuration does.
func (d domain) String() string {
	if d.port == "" {
		return d.host
	}
	return d.host + ":" + d.port
}

// parseDomain reads a virtual host's domain; ok is false for the forms
// corswasm cannot match (a wildcard inside a label, a prefix wildcard
// other than "host:*").
func parseDomain(s string) (d domain, ok bool) {
	s = strings.ToLower(s)
	d.host = s
	switch i := strings.LastIndexByte(s, ':'); {
	case strings.HasPrefix(s, "["): // an IPv6 address
		if j := strings.Index(s, "]:"); j >= 0 {
			d.host, d.port = s[:j+1], s[j+2:]
		}
	case i >= 0:
		d.host, d.port = s[:i], s[i+1:]
	}
	wildPort := d.port == "*"
	digits := d.port == "" || wildPort || strings.Trim(d.port, "0123456789") == "" && d.port != ""
	wildHost := d.host == "*" || strings.HasPrefix(d.host, "*.")
	switch {
	case !digits, strings.Contains(strings.TrimPrefix(d.host, "*"), "*"):
		return d, false
	case strings.HasPrefix(d.host, "*") && !wildHost:
		return d, false
	case wildPort && wildHost: // two wildcards: Envoy reads "*.a:*" as a suffix
		return d, false
	}
	return d, true
}

// covers reports whether d takes host h (a host name, no wildcard) on
// port q ("" for none), as findVirtualHost compares it; "*" is the
// default virtual host, which takes everything.
func (d domain) covers(h, q string) bool {
	switch {
	case d.host == "*" && d.port == "":
		return true
	case d.port == "*":
		return q != "" && d.host == h
	case d.port != q:
		return false
	case d.host == "*":
		return true
	}
	return covers(d.host, h)
}

// rank orders the domains that take a request as findVirtualHost tries
// them: exact, then suffix wildcards by length, then prefix wildcards,
// then "*".
func (d domain) rank() (int, int) {
	switch {
	case d.host == "*" && d.port == "":
		return 3, 0
	case d.port == "*":
		return 2, -len(d.String())
	case strings.HasPrefix(d.host, "*"):
		return 1, -len(d.String())
	}
	return 0, 0
}

// portTable is what decides the port's part in choosing a virtual host
// for the vhosts of one route configuration.
type portTable struct {
	// ignored: the port is removed before matching (ignore_port_in_host_
	// matching, strip_any_host_port).
	ignored bool
	// stripped is the listener's port, removed before matching
	// (strip_matching_host_port); "" for none.
	stripped string
}

// envoyDomains reads a virtual host's domains: the hosts corswasm rules
// take (without the port), and the domains as Envoy compares them.
func (c *converter) envoyDomains(from string, raw []string, pt *portTable) (hosts []string, domains []domain) {
	for _, s := range raw {
		d, ok := parseDomain(s)
		switch {
		case !ok:
			c.refuse("%s: domain %q: corswasm matches hosts exactly or by a whole-label wildcard (*.example.com), on no port, one port, or every port (api.example.com:*)", from, s)
			continue
		case d.port != "" && pt.ignored:
			c.note("%s: domain %q has a port, and the port is removed from :authority before virtual hosts are chosen (ignore_port_in_host_matching or strip_any_host_port): Envoy never matches it: left out", from, s)
			continue
		}
		domains = append(domains, d)
		if !slices.Contains(hosts, d.host) {
			hosts = append(hosts, d.host)
		}
	}
	return hosts, domains
}

// portsAgree refuses each host of an Envoy route configuration that Envoy
// gives different CORS handling with and without a port, or on different
// ports. vhosts holds the route configuration's vhosts, in order.
func (c *converter) portsAgree(vhosts []*vhost, pt *portTable) {
	if pt.ignored {
		return
	}
	// The ports named, and one named by no domain.
	ports := []string{""}
	for _, vh := range vhosts {
		for _, d := range vh.authorities {
			if d.port != "" && d.port != "*" && !slices.Contains(ports, d.port) {
				ports = append(ports, d.port)
			}
		}
	}
	ports = append(ports, "0")
	var hosts []string
	for _, vh := range vhosts {
		for _, h := range vh.domains {
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	for _, h := range hosts {
		// The vhosts Envoy chooses for h, one for each kind of port: the
		// first is the one corswasm takes h from, and the others must
		// give the same CORS handling; a vhost none of them is never
		// takes h.
		var chosen []*vhost
		for _, q := range ports {
			if q == pt.stripped {
				q = ""
			}
			chosen = append(chosen, chooseVHost(vhosts, representative(h), q))
		}
		for _, vh := range vhosts {
			if !slices.Contains(chosen, vh) {
				vh.domains = slices.DeleteFunc(vh.domains, func(d string) bool { return d == h })
			}
		}
		ours := slices.IndexFunc(chosen, func(v *vhost) bool { return v != nil && slices.Contains(v.domains, h) })
		if ours < 0 {
			continue // h is only under a wildcard or "*" of another vhost
		}
		for i, theirs := range chosen {
			q := ports[i]
			switch {
			case theirs == chosen[ours]:
				continue
			case theirs == nil && !doesCORS(chosen[ours]):
				continue
			case theirs != nil && sameHandling(chosen[ours], theirs):
				continue
			}
			fix := ""
			if !strings.HasPrefix(h, "*") && !strings.HasPrefix(h, "[") {
				fix = fmt.Sprintf(", or add the domain %q (every port)", h+":*")
			}
			c.refuse("%s, domain %s: Envoy takes its requests %s to %s, and corswasm rules, which cannot tell ports apart, would give them this virtual host's CORS handling; set ignore_port_in_host_matching on the route configuration (or strip_any_host_port on its connection manager) if the port should not matter%s",
				chosen[ours].from, h, portPhrase(q), vhostOrNone(theirs), fix)
			break
		}
	}
}

// representative is a host h stands for: h itself, or for a wildcard a
// host under it that no longer domain names ("*": one no domain names).
func representative(h string) string {
	switch {
	case h == "*":
		return "corswasm.invalid"
	case strings.HasPrefix(h, "*."):
		return "corswasm-any-label" + h[1:]
	}
	return h
}

// chooseVHost returns the vhost Envoy chooses for host h on port q ("":
// none; a port no domain names: any other), nil for none.
func chooseVHost(vhosts []*vhost, h, q string) *vhost {
	var best *vhost
	var bestDomain domain
	for _, vh := range vhosts {
		for _, d := range vh.authorities {
			if !d.covers(h, q) {
				continue
			}
			r, l := d.rank()
			br, bl := bestDomain.rank()
			if best == nil || cmp.Or(cmp.Compare(r, br), cmp.Compare(l, bl)) < 0 {
				best, bestDomain = vh, d
			}
		}
	}
	return best
}

// doesCORS reports whether some route of the vhost does CORS.
func doesCORS(v *vhost) bool {
	return slices.ContainsFunc(v.scopes, func(s scope) bool { return s.cors != nil })
}

func portPhrase(q string) string {
	switch q {
	case "":
		return "without a port"
	case "0":
		return "on any other port"
	}
	return "on port " + q
}

func vhostOrNone(v *vhost) string {
	if v == nil {
		return "no virtual host (Envoy answers 404, without CORS handling)"
	}
	return v.from + ", whose CORS handling differs"
}

// tablesAgreeOnPorts runs portsAgree on each Envoy route configuration.
func (c *converter) tablesAgreeOnPorts() {
	var tables []*portTable
	for i := range c.vhosts {
		if pt := c.vhosts[i].ports; pt != nil && !slices.Contains(tables, pt) {
			tables = append(tables, pt)
		}
	}
	for _, pt := range tables {
		var vhosts []*vhost
		for i := range c.vhosts {
			if c.vhosts[i].ports == pt {
				vhosts = append(vhosts, &c.vhosts[i])
			}
		}
		c.portsAgree(vhosts, pt)
	}
}
