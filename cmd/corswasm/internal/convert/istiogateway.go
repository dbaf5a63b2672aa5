package convert

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	networking "istio.io/api/networking/v1alpha3"
)

// An Istio gateway routes a VirtualService bound to it for the hosts its
// servers and the VirtualService have in common: for each server, the
// intersection of the server's hosts (those for the VirtualService's
// namespace) with the VirtualService's (host.Names.Intersection: a host
// of one under a wildcard of the other, the narrower kept), each host a
// virtual host of the server's route configuration, whose routes are
// those of every VirtualService that gave it that host, merged
// (buildGatewayHTTPRouteConfig in pilot/pkg/networking/core/gateway.go).
// So a VirtualService for "*" beside one for api.example.com, on a server
// for api.example.com, adds its routes to api.example.com's. The plain
// HTTP servers of a port share one route configuration; each HTTPS server
// that terminates TLS has its own; the others route no HTTP. corswasm
// rules see neither the port nor the certificate: the route
// configurations must give each host the same CORS handling, or none.
// A server that redirects to HTTPS (tls.httpsRedirect) gets virtual
// hosts with require_tls ALL (buildGatewayHTTPRouteConfig), whose route
// is Envoy's SslRedirectRoute, a direct response the router filter sends
// (source/common/router/config_impl.h, router.cc): no upstream sees the
// request, and Envoy's CORS filter does nothing there (no route entry).
// The plugin, before the router, sees it: its rules answer the preflight
// and put CORS headers on the redirect, which exposes nothing, as on a
// 404 the proxy answers itself (see ports.go). So the server routes no
// host here, and a note says so where a host it names does CORS (see
// redirectNotes); Envoy's require_tls is read alike (envoy.go).

// istioServer is an Istio Gateway server that routes HTTP.
type istioServer struct {
	// table names its route configuration: "http.PORT" for the plain
	// servers of a port, one per HTTPS server otherwise.
	table string
	// hosts are as written: [NAMESPACE/]HOST.
	hosts []string
	// gateway is the Gateway's NAMESPACE/NAME: only the VirtualServices
	// bound to it get routes from the server.
	gateway string
	// redirect is the port of a server that redirects to HTTPS, which
	// routes nothing ("" for the others).
	redirect string
}

// readIstioGateway reads an Istio Gateway's servers that route HTTP.
func (c *converter) readIstioGateway(js []byte) error {
	obj, err := readIstioObject(js, "Gateway")
	if err != nil {
		return err
	}
	var gw networking.Gateway
	if err := protojson.Unmarshal(obj.Spec, &gw); err != nil {
		return fmt.Errorf("Gateway %s: not a valid istio.networking.v1alpha3.Gateway spec: %w", obj.id, err)
	}
	servers := []istioServer{}
	var redirects []istioServer
	for i, s := range gw.Servers {
		// Istio reads a host of the namespace "." as one of the
		// Gateway's namespace (sanitizeServerHostNamespace in
		// pilot/pkg/model/gateway.go, called by MergeGateways).
		for j, h := range s.Hosts {
			if rest, dot := strings.CutPrefix(h, "./"); dot && obj.Metadata.Namespace != "" {
				s.Hosts[j] = obj.Metadata.Namespace + "/" + rest
			}
		}
		port := strconv.Itoa(int(s.GetPort().GetNumber()))
		switch proto := strings.ToUpper(s.GetPort().GetProtocol()); {
		case s.GetTls().GetHttpsRedirect():
			redirects = append(redirects, istioServer{redirect: port, hosts: s.Hosts, gateway: obj.id})
		case proto == "HTTP" || proto == "HTTP2" || proto == "GRPC" || proto == "GRPC-WEB":
			servers = append(servers, istioServer{table: "http." + port, hosts: s.Hosts, gateway: obj.id})
		case proto == "HTTPS" && s.GetTls().GetMode() != networking.ServerTLSSettings_PASSTHROUGH && s.GetTls().GetMode() != networking.ServerTLSSettings_AUTO_PASSTHROUGH:
			servers = append(servers, istioServer{table: fmt.Sprintf("https.%s.servers[%d]", port, i), hosts: s.Hosts, gateway: obj.id})
		}
	}
	c.istioGateways[obj.id] = servers
	c.istioRedirects[obj.id] = redirects
	c.istioSelectors[obj.id] = gw.Selector
	return nil
}

// hostsFor returns the hosts of a server that a VirtualService of
// namespace ns may take (host.NamesForNamespace), in lower case; false
// for a host of the namespace "." (the Gateway's) that readIstioGateway
// could not resolve, the Gateway having no namespace: refused.
func (s istioServer) hostsFor(ns string) ([]string, bool) {
	var out []string
	for _, h := range s.hosts {
		if hostNS, name, qualified := strings.Cut(h, "/"); qualified {
			if hostNS == "." {
				return nil, false
			}
			if hostNS != "*" && hostNS != ns {
				continue
			}
			h = name
		}
		out = append(out, strings.ToLower(h))
	}
	return out, true
}

// intersect returns the hosts two lists have in common, as Istio's
// host.Names.Intersection: for each pair, the narrower.
func intersect(server, vs []string) []string {
	return narrowerOfPairs(server, vs, within)
}

// istioHostsOf returns the hosts a VirtualService names, as Envoy compares
// them (a trailing dot kept).
func istioHostsOf(vh *vhost) []string {
	out := make([]string, len(vh.authorities))
	for i, d := range vh.authorities {
		out[i] = d.host
	}
	return out
}

// istioGatewayHosts gives the VirtualServices bound to gateway p the hosts
// the gateway routes for them: from its servers when the files hold the
// Gateway, or, without it, as written where the servers' hosts could
// change no request's CORS handling.
func (c *converter) istioGatewayHosts(p parent) {
	if p.kind != "gateway" || p.name == "mesh" {
		return
	}
	var group []*vhost
	for i := range c.vhosts {
		if vh := &c.vhosts[i]; vh.kind == "istio" && slices.Contains(vh.parents, p) {
			group = append(group, vh)
		}
	}
	if len(group) == 0 {
		return
	}
	var servers []istioServer
	members := c.istioGatewaysOf(p.name)
	for _, gw := range members {
		ss, known := c.istioGateways[gw]
		if !known {
			c.withoutIstioGateway(p.name, group)
			return
		}
		servers = append(servers, ss...)
	}
	tables := make(map[string]map[*vhost][]string)
	var order []string
	for _, s := range servers {
		// The plain HTTP servers of a port share http.PORT whichever
		// Gateway they are in; an HTTPS server's is its own.
		table := s.table
		if len(members) > 1 && !strings.HasPrefix(table, "http.") {
			table = s.gateway + " " + table
		}
		if tables[table] == nil {
			tables[table] = make(map[*vhost][]string)
			order = append(order, table)
		}
		for _, vh := range group {
			if !vh.boundTo(s.gateway) {
				continue
			}
			hosts, ok := s.hostsFor(vh.namespace)
			if !ok {
				c.refuse("Gateway %s: a server host in the namespace \".\" (the Gateway's), and the Gateway has no metadata.namespace: set it", p.name)
				return
			}
			for _, h := range intersect(hosts, istioHostsOf(vh)) {
				if !slices.Contains(tables[table][vh], h) {
					tables[table][vh] = append(tables[table][vh], h)
				}
			}
		}
	}
	union := make(map[*vhost][]string)
	for _, t := range order {
		for _, vh := range group {
			for _, h := range tables[t][vh] {
				if !slices.Contains(union[vh], h) {
					union[vh] = append(union[vh], h)
				}
			}
		}
	}
	if len(order) > 1 {
		c.tablesConsistent(p.name, group, order, tables, union)
	}
	c.redirectNotes(members, group, union)
	for _, vh := range group {
		if len(union[vh]) == 0 {
			c.note("%s: none of its hosts is a host of Gateway %s's servers: Istio gives it no routes there: left out", vh.from, p.name)
		}
		vh.domains, vh.authorities = withoutDots(union[vh]), istioAuthorities(union[vh])
	}
}

// chosenOn returns the VirtualServices whose routes a table (hosts by
// VirtualService) gives host h: those with its most specific host
// covering h.
func chosenOn(group []*vhost, table map[*vhost][]string, h string) []*vhost {
	best, found := "", false
	for _, vh := range group {
		for _, d := range table[vh] {
			if covers(d, h) && (!found || domainMore(d, best)) {
				best, found = d, true
			}
		}
	}
	var out []*vhost
	for _, vh := range group {
		if found && slices.Contains(table[vh], best) {
			out = append(out, vh)
		}
	}
	return out
}

// domainMore reports whether domain a is chosen before b (see domainRank).
func domainMore(a, b string) bool {
	ra, la := domainRank(a)
	rb, lb := domainRank(b)
	return ra < rb || ra == rb && la < lb
}

// tablesConsistent refuses a host that the gateway's route configurations
// give different CORS handling: each host of the union, and one under
// each wildcard, gets from each table the routes of the VirtualServices
// it chooses there, which must decide as those the union chooses, or be
// none.
func (c *converter) tablesConsistent(gw string, group []*vhost, order []string, tables map[string]map[*vhost][]string, union map[*vhost][]string) {
	seen := make(map[string]bool)
	for _, vh := range group {
		for _, d := range union[vh] {
			if seen[d] {
				continue
			}
			seen[d] = true
			h := representative(d)
			want := chosenOn(group, union, h)
			for _, t := range order {
				got := chosenOn(group, tables[t], h)
				if got != nil && !sameDecisions(mergedScopes(got), mergedScopes(want)) {
					c.refuse("Gateway %s: the route configuration of its servers %s gives requests to %s the routes of %s, its servers together those of %s, whose CORS handling differs; corswasm rules cannot tell its servers apart (by port or certificate)", gw, t, d, joinFrom(got), joinFrom(want))
					return
				}
			}
		}
	}
}

// withoutIstioGateway converts the VirtualServices bound to a gateway the
// files do not hold with their hosts as written, as if its servers took
// every host: refused where a server for a host could add another
// VirtualService's routes to it (one for a wildcard covering the host)
// and change the CORS handling of a request there, or merge routes in an
// order the documents do not show. A server that takes fewer hosts
// leaves the others to Envoy's 404 (see ports.go).
func (c *converter) withoutIstioGateway(gw string, group []*vhost) {
	byHost := make(map[string][]*vhost)
	for _, vh := range group {
		for _, h := range istioHostsOf(vh) {
			if !slices.Contains(byHost[h], vh) {
				byHost[h] = append(byHost[h], vh)
			}
		}
	}
	place := make(map[*vhost]int, len(group))
	for i, vh := range group {
		place[vh] = i
	}
	merges := false
	for _, vh := range group {
		for _, h := range istioHostsOf(vh) {
			exact := byHost[h]
			covering := slices.Clone(exact)
			for _, w := range coveringWildcards(h) {
				for _, o := range byHost[w] {
					if !slices.Contains(covering, o) {
						covering = append(covering, o)
					}
				}
			}
			slices.SortFunc(covering, func(a, b *vhost) int { return place[a] - place[b] })
			if !c.namespacesAgree(gw, vh, h, exact, covering) {
				return
			}
			if len(covering) == len(exact) {
				continue
			}
			_, known := creationOrder(covering)
			if !known && orderMatters(covering) || !sameDecisions(mergedScopes(exact), mergedScopes(covering)) {
				c.refuse("%s, host %s: Gateway %s is not in the files, and if one of its servers names %s (or a host under it), Istio adds the routes of %s to it (host.Names.Intersection in buildGatewayHTTPRouteConfig), which changes the CORS handling of some request there: give the Gateway's document with the VirtualServices", vh.from, h, gw, h, joinFrom(slices.DeleteFunc(covering, func(o *vhost) bool { return slices.Contains(exact, o) })))
				return
			}
			merges = true
		}
	}
	if merges {
		c.note("Gateway %s is not in the files: converted with the VirtualServices' hosts as written; a server of it for fewer hosts may add a wildcard VirtualService's routes to a host of another, which changes no request's CORS handling here", gw)
	}
}

// coveringWildcards returns the wildcard hosts other than h that cover
// host h (within): "*", and "*.suffix" for each suffix of h after
// a dot.
func coveringWildcards(h string) []string {
	out := []string{"*"}
	base := strings.TrimPrefix(h, "*")
	for i := 0; i < len(base); i++ {
		if base[i] == '.' && "*"+base[i:] != h {
			out = append(out, "*"+base[i:])
		}
	}
	if h == "*" {
		return nil
	}
	return out
}

// sameDecisions reports whether two lists of routes, each tried in order,
// give every request the same CORS handling (no route and a route without
// CORS alike).
func sameDecisions(a, b []*scope) bool {
	return decidesAsIn(a, b) && decidesAsIn(b, a)
}

// decidesAsIn reports whether every request that routes a, tried in
// order, choose, routes b choose too and give it the same CORS handling.
// It is checked conservatively: two routes, one of each list, that may
// take the same request, unless an unconditional route before one of
// them takes all of the other's, have the same policy; and a route of a
// with CORS is covered by an unconditional route of b.
func decidesAsIn(a, b []*scope) bool {
	before := func(list []*scope, i int, s *scope) bool {
		return slices.ContainsFunc(list[:i], func(o *scope) bool { return !o.conditional() && o.covers(s) })
	}
	for i, x := range a {
		for j, y := range b {
			if x.overlaps(y) && !reflect.DeepEqual(x.cors, y.cors) && !before(a, i, y) && !before(b, j, x) && !before(a, i, x) && !before(b, j, y) {
				return false
			}
		}
	}
	for _, s := range a {
		if s.cors != nil && !before(b, len(b), s) {
			return false
		}
	}
	return true
}
