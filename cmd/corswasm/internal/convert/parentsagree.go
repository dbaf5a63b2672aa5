package convert

import (
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// Parents whose configurations differ as written may still give every
// request the same CORS handling: a Gateway's listener on port 80 without
// a hostname takes every host, its HTTPS listener for *.example.com the
// hosts under it alone, both with the same routes. What a request gets is
// compared rather than the configurations: where two parents both route
// a host, the routes they choose for it must decide alike (sameDecisions,
// as tablesConsistent compares an Istio Gateway's route configurations);
// where one routes a host the other does not, the other answers it 404
// itself (see ports.go), so one configuration serves both when one
// parent routes every host the others route: its configuration is
// written. The mesh's sidecars (and the Gateway API parents of another
// kind than Gateway: a Service, for the mesh) send a host they have no
// route for on to where it was going (passthrough), not to a 404: the
// configuration written must route no host they do not.

// parentConfig is the configuration assembled for one parent, and the
// vhosts it was assembled from.
type parentConfig struct {
	parent parent
	vhosts []vhost
	cfg    *engine.Config
}

// servingAll returns the configuration of the parent that routes every
// host the others route and agrees with each of them on the hosts both
// route, and false when there is none.
func servingAll(all []parentConfig) (parentConfig, bool) {
	for _, w := range all {
		if !slices.ContainsFunc(all, func(q parentConfig) bool {
			return !routesEvery(w.vhosts, q.vhosts) || !agreeOnShared(w.vhosts, q.vhosts) ||
				onMesh(q.parent) && !routesEvery(q.vhosts, w.vhosts)
		}) {
			return w, true
		}
	}
	return parentConfig{}, false
}

// routesEvery reports whether a vhost of a chooses every host a vhost of
// b chooses: for each domain of b, one of a that covers it.
func routesEvery(a, b []vhost) bool {
	for _, vb := range b {
		for _, d := range vb.domains {
			if !slices.ContainsFunc(a, func(va vhost) bool {
				return slices.ContainsFunc(va.domains, func(e string) bool { return covers(e, d) })
			}) {
				return false
			}
		}
	}
	return true
}

// agreeOnShared reports whether two parents' vhosts give each host both
// route the same CORS handling. The hosts are tried by one for each
// domain of either (representative): a host both route is chosen by a
// domain of each, one within the other, and the representative of the
// narrower is chosen by the same two domains.
func agreeOnShared(a, b []vhost) bool {
	ga, ta := domainTable(a)
	gb, tb := domainTable(b)
	for _, list := range [][]vhost{a, b} {
		for _, vh := range list {
			for _, d := range vh.domains {
				h := representative(d)
				x, y := chosenOn(ga, ta, h), chosenOn(gb, tb, h)
				if x != nil && y != nil && !sameDecisions(mergedScopes(x), mergedScopes(y)) {
					return false
				}
			}
		}
	}
	return true
}

// domainTable returns vhosts as a group and their domains, as chosenOn
// takes them.
func domainTable(vhosts []vhost) ([]*vhost, map[*vhost][]string) {
	group := make([]*vhost, len(vhosts))
	table := make(map[*vhost][]string, len(vhosts))
	for i := range vhosts {
		group[i] = &vhosts[i]
		table[group[i]] = vhosts[i].domains
	}
	return group, table
}

// onMesh reports whether parent p is the mesh's sidecars, or a Gateway API
// parent of another kind than Gateway (KIND:NAMESPACE/NAME).
func onMesh(p parent) bool {
	return p == parent{kind: "gateway", name: "mesh"} || p.kind == "parent" && strings.Contains(p.name, ":")
}
