package convert

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"strings"
)

// Envoy chooses a virtual host by the whole :authority, its port and a
// trailing dot included (RouteMatcher::findVirtualHost in
// source/common/router/config_impl.cc lowercases the host and nothing
// more): an exact domain, then the longest suffix wildcard
// ("*.example.com", "*.example.com:8443", "*:8443"), then the longest
// prefix wildcard ("api.example.com:*", every port of a host, as Istio
// writes it), then "*". A domain without a port takes its host without a
// port alone, one with a port that port alone, and "api.example.com" does
// not take "api.example.com." (nor does "*.example.com" take
// "a.example.com."). With the route configuration's
// ignore_port_in_host_matching, or the connection manager's
// strip_any_host_port, the port is removed first (and a domain with a
// port matches nothing), with strip_matching_host_port the port equal to
// the listener's, and with strip_trailing_host_dot the trailing dot
// (HeaderUtility::stripTrailingHostDot, also before a port). corswasm
// rules ignore the port and a trailing dot: each host is converted when
// Envoy gives it the same CORS handling with and without every port and a
// trailing dot, and refused otherwise. A request Envoy gives no virtual
// host is answered by the router itself, 404 (Router::Filter::
// decodeHeaders: no route), which the CORS filter leaves alone
// (CorsFilter::decodeHeaders: no route): a rule applying there adds CORS
// headers to Envoy's own 404, or answers a preflight whose actual request
// gets it; no upstream sees such a request, so nothing of a service is
// exposed, and the host is converted.

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

// authorityTable is how one route table chooses its virtual host by
// :authority: an Envoy route configuration's, an Istio gateway's, or a
// Gateway API parent's as the Envoy-based implementations write it.
type authorityTable struct {
	// source says how to fix a refusal: "envoy", "istio" or "gateway".
	source string
	// ignored: the port is removed before matching (ignore_port_in_host_
	// matching, strip_any_host_port).
	ignored bool
	// stripped is the listener's port, removed before matching
	// (strip_matching_host_port); "" for none.
	stripped string
	// dotStripped: a trailing dot is removed before matching
	// (strip_trailing_host_dot).
	dotStripped bool
}

// envoyDomains reads a virtual host's domains: the hosts corswasm rules
// take (without the port and a trailing dot), and the domains as Envoy
// compares them.
func (c *converter) envoyDomains(from string, raw []string, t *authorityTable) (hosts []string, domains []domain) {
	for _, s := range raw {
		d, ok := parseDomain(s)
		switch {
		case !ok:
			c.refuse("%s: domain %q: corswasm matches hosts exactly or by a whole-label wildcard (*.example.com), on no port, one port, or every port (api.example.com:*)", from, s)
			continue
		case d.port != "" && t.ignored:
			c.note("%s: domain %q has a port, and the port is removed from :authority before virtual hosts are chosen (ignore_port_in_host_matching or strip_any_host_port): Envoy never matches it: left out", from, s)
			continue
		case strings.HasSuffix(d.host, ".") && t.dotStripped:
			c.note("%s: domain %q ends with a dot, and the connection manager removes a trailing dot from :authority before virtual hosts are chosen (strip_trailing_host_dot): Envoy never matches it: left out", from, s)
			continue
		}
		domains = append(domains, d)
		if h := strings.TrimSuffix(d.host, "."); !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts, domains
}

// authority is one way a request may name a host: with a port or none,
// with a trailing dot or none.
type authority struct {
	port string // "" for none; "0" for any port no domain names
	dot  bool
}

// phrase says which requests an authority stands for.
func (a authority) phrase(h string) string {
	var p string
	switch a.port {
	case "":
		p = "without a port"
	case "0":
		p = "on any other port"
	default:
		p = "on port " + a.port
	}
	if a.dot {
		return fmt.Sprintf("with a trailing dot (%s.) %s", h, p)
	}
	return p
}

// tableIndex finds the domains of a table's virtual hosts that may take a
// host without scanning them all: by exact host, by suffix, and "*".
type tableIndex struct {
	exact, suffix map[string][]authorityOf
	star          []authorityOf
	// byDomain groups the virtual hosts that have a domain: Istio merges
	// the VirtualServices of one host.
	byDomain map[domain][]*vhost
	// listing are the virtual hosts whose hosts (for corswasm) include a
	// host.
	listing map[string][]*vhost
}

type authorityOf struct {
	d  domain
	vh *vhost
}

func indexTable(vhosts []*vhost) *tableIndex {
	x := &tableIndex{exact: make(map[string][]authorityOf), suffix: make(map[string][]authorityOf),
		byDomain: make(map[domain][]*vhost), listing: make(map[string][]*vhost)}
	for _, vh := range vhosts {
		for _, d := range vh.authorities {
			a := authorityOf{d, vh}
			switch {
			case d.host == "*":
				x.star = append(x.star, a)
			case strings.HasPrefix(d.host, "*."):
				x.suffix[d.host[1:]] = append(x.suffix[d.host[1:]], a)
			default:
				x.exact[d.host] = append(x.exact[d.host], a)
			}
			if !slices.Contains(x.byDomain[d], vh) {
				x.byDomain[d] = append(x.byDomain[d], vh)
			}
		}
		for _, h := range vh.domains {
			if !slices.Contains(x.listing[h], vh) {
				x.listing[h] = append(x.listing[h], vh)
			}
		}
	}
	return x
}

// candidates returns the domains that may take host h (a host name, with
// its trailing dot if any) on some port.
func (x *tableIndex) candidates(h string) []authorityOf {
	out := slices.Clip(x.exact[h])
	for i := 1; i < len(h); i++ {
		if h[i] == '.' {
			out = append(out, x.suffix[h[i:]]...)
		}
	}
	return append(out, x.star...)
}

// choose returns the domain Envoy chooses for host h on port q ("":
// none; a port no domain names: any other) among candidates, false for
// none.
func choose(candidates []authorityOf, h, q string) (domain, bool) {
	var best domain
	found := false
	for _, a := range candidates {
		if !a.d.covers(h, q) {
			continue
		}
		r, l := a.d.rank()
		br, bl := best.rank()
		if !found || cmp.Or(cmp.Compare(r, br), cmp.Compare(l, bl)) < 0 {
			best, found = a.d, true
		}
	}
	return best, found
}

// agree refuses each host of one table's vhosts (in the source's order)
// that Envoy gives a different CORS handling with and without a port, on
// different ports, or with and without a trailing dot, and keeps each
// host only in the vhosts that Envoy chooses for it. The work is, for
// each host, the domains that may take it times the ports they name: in
// proportion to the domains when each names few ports ("*:8443" domains
// name their port for every host).
func (c *converter) agree(vhosts []*vhost, t *authorityTable) {
	x := indexTable(vhosts)
	var hosts []string
	seen := make(map[string]bool)
	for _, vh := range vhosts {
		for _, h := range vh.domains {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	for _, h := range hosts {
		rep := representative(h)
		forms := []string{rep}
		if !t.dotStripped && !isIP(rep) {
			forms = append(forms, rep+".")
		}
		var variants []authority
		var chosen [][]*vhost
		for i, form := range forms {
			cands := x.candidates(form)
			for _, q := range portsOf(cands, t) {
				variants = append(variants, authority{port: q, dot: i > 0})
				if q == t.stripped {
					q = ""
				}
				var group []*vhost
				c.domainsCompared += len(cands)
				if d, ok := choose(cands, form, q); ok {
					group = x.byDomain[d]
				}
				chosen = append(chosen, group)
			}
		}
		c.agreeOn(h, x.listing[h], variants, chosen, t)
	}
}

// portsOf returns the ports that may choose differently among domains:
// none, each port they name, and any other ("0"); none alone when the
// port is ignored.
func portsOf(cands []authorityOf, t *authorityTable) []string {
	ports := []string{""}
	if t.ignored {
		return ports
	}
	for _, a := range cands {
		if a.d.port != "" && a.d.port != "*" && !slices.Contains(ports, a.d.port) {
			ports = append(ports, a.d.port)
		}
	}
	slices.Sort(ports[1:])
	return append(ports, "0")
}

// agreeOn compares the vhosts Envoy chooses for host h on each variant of
// its authority: the first that lists h is the one corswasm takes h from,
// and the others must give the same CORS handling, or none (no virtual
// host); a vhost listing h that is never chosen loses it.
func (c *converter) agreeOn(h string, listing []*vhost, variants []authority, chosen [][]*vhost, t *authorityTable) {
	for _, vh := range listing {
		if !slices.ContainsFunc(chosen, func(g []*vhost) bool { return slices.Contains(g, vh) }) {
			vh.domains = slices.DeleteFunc(vh.domains, func(d string) bool { return d == h })
		}
	}
	ours := slices.IndexFunc(chosen, func(g []*vhost) bool {
		return slices.ContainsFunc(g, func(v *vhost) bool { return slices.Contains(v.domains, h) })
	})
	if ours < 0 {
		return // h is only under a wildcard or "*" of another vhost
	}
	for i, theirs := range chosen {
		if theirs == nil || slices.Equal(theirs, chosen[ours]) || sameHandling(chosen[ours], theirs) {
			continue
		}
		c.refuse("%s, domain %s: Envoy takes its requests %s to %s, whose CORS handling differs, and corswasm rules, which %s, would give them this %s's CORS handling%s",
			joinFrom(chosen[ours]), h, variants[i].phrase(h), joinFrom(theirs), ignoring(variants[i]), what(t), fixFor(h, variants[i], t))
		return
	}
}

func joinFrom(group []*vhost) string {
	s := make([]string, len(group))
	for i, v := range group {
		s[i] = v.from
	}
	return strings.Join(s, " and ")
}

func ignoring(a authority) string {
	if a.dot {
		return "ignore a trailing dot"
	}
	return "cannot tell ports apart"
}

func what(t *authorityTable) string {
	switch t.source {
	case "istio":
		return "VirtualService"
	case "gateway":
		return "hostname"
	}
	return "virtual host"
}

// fixFor says how to make the source's choice of a vhost for h agree on
// variant a, or why Istio and the Gateway API make it differ.
func fixFor(h string, a authority, t *authorityTable) string {
	switch {
	case t.source == "istio" && a.dot:
		return fmt.Sprintf("; Istio's gateways keep a trailing dot in :authority (they do not set strip_trailing_host_dot), so that another VirtualService takes it: add the host %q to this VirtualService's hosts if a trailing dot should not matter", h+".")
	case t.source == "gateway":
		return "; the Envoy-based implementations keep a trailing dot in :authority unless told to strip it, so that another hostname's routes take it"
	case a.dot:
		return fmt.Sprintf("; set strip_trailing_host_dot on the connection manager if a trailing dot should not matter, or add the domain %q", h+".")
	}
	fix := "; set ignore_port_in_host_matching on the route configuration (or strip_any_host_port on its connection manager) if the port should not matter"
	if !strings.HasPrefix(h, "*") && !strings.HasPrefix(h, "[") {
		fix += fmt.Sprintf(", or add the domain %q (every port)", h+":*")
	}
	return fix
}

// representative is a host h stands for: h itself, or for a wildcard a
// host under it that no domain names ("*": one no domain names).
func representative(h string) string {
	switch {
	case h == "*":
		return "corswasm.invalid"
	case strings.HasPrefix(h, "*."):
		return "corswasm-any-label" + h[1:]
	}
	return h
}

// isIP reports whether h is an IP address: a browser never sends one
// with a trailing dot (the URL standard's IPv4 parser drops it).
func isIP(h string) bool {
	return strings.HasPrefix(h, "[") || net.ParseIP(h) != nil
}

// tablesAgree runs agree on each route table of the vhosts being
// assembled: an Envoy route configuration's, the Istio gateway's (not the
// sidecars', whose virtual hosts the conversion does not model by port),
// and the Gateway API parent's.
func (c *converter) tablesAgree() {
	var order []*authorityTable
	groups := make(map[*authorityTable][]*vhost)
	// Istio's gateways ignore the port (see istioAuthorities) and keep a
	// trailing dot.
	istio := &authorityTable{source: "istio", ignored: true}
	// The Envoy-based implementations ignore the port (Envoy Gateway
	// writes ignore_port_in_host_matching) and keep a trailing dot.
	gateway := &authorityTable{source: "gateway", ignored: true}
	for i := range c.vhosts {
		vh := &c.vhosts[i]
		t := vh.table
		switch {
		case vh.kind == "istio" && !c.onSidecars():
			t = istio
		case vh.kind == "gateway":
			t = gateway
		}
		if t == nil {
			continue
		}
		if groups[t] == nil {
			order = append(order, t)
		}
		groups[t] = append(groups[t], vh)
	}
	for _, t := range order {
		c.agree(groups[t], t)
	}
}
