package convert

import "slices"

// redirectAnswered says what becomes of a request Envoy answers with its
// redirect to HTTPS (Istio's tls.httpsRedirect, Envoy's require_tls): see
// istiogateway.go.
const redirectAnswered = "Envoy answers plain-HTTP requests there with its own redirect to https (the router filter's, after the plugin's), which no upstream sees and Envoy's CORS filter leaves alone; corswasm's rules answer their preflights and put CORS headers on that redirect, which exposes nothing (to leave even those alone, run the plugin on the HTTPS listeners or ports alone)"

// redirectNotes notes the servers of Gateways (members) that
// redirect to HTTPS and name a host that a VirtualService of group,
// with the hosts union gives it, does CORS on.
func (c *converter) redirectNotes(members []string, group []*vhost, union map[*vhost][]string) {
	for _, m := range members {
		for _, s := range c.istioRedirects[m] {
			for _, vh := range group {
				hosts, _ := s.hostsFor(vh.namespace)
				doesCORS := slices.ContainsFunc(vh.scopes, func(sc scope) bool { return sc.cors != nil })
				if vh.boundTo(m) && doesCORS && len(intersect(hosts, union[vh])) > 0 {
					c.note("Gateway %s: its server on port %s redirects to HTTPS (tls.httpsRedirect) for hosts of %s: %s", m, s.redirect, vh.from, redirectAnswered)
					break
				}
			}
		}
	}
}
