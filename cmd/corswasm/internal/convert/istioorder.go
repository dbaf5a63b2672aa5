package convert

import (
	"cmp"
	"reflect"
	"slices"
)

// Istio merges the routes of the VirtualServices that share a host on a
// gateway in the order it lists them: by creation time, then by name,
// then by namespace (sortConfigByCreationTime in pkg/config/model.go,
// called by initVirtualServices in pilot/pkg/model/push_context.go), the
// catch-all routes last (see mergedScopes). The documents show that order
// only when each has its metadata.creationTimestamp (as `kubectl get -o
// yaml` writes it); otherwise the conversion holds only where the order
// changes no request's CORS handling.

// creationOrder returns Istio VirtualServices in the order Istio merges
// them, and true, when every one shows its creation time; otherwise the
// order given, and false.
func creationOrder(group []*vhost) ([]*vhost, bool) {
	if slices.ContainsFunc(group, func(v *vhost) bool { return v.kind != "istio" || v.created.IsZero() }) {
		return group, false
	}
	sorted := slices.Clone(group)
	slices.SortStableFunc(sorted, func(a, b *vhost) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.name, b.name), cmp.Compare(a.namespace, b.namespace))
	})
	return sorted, true
}

// orderMatters reports whether merging the VirtualServices of group in
// another order could give some request another CORS handling: whether
// two routes of different VirtualServices, both catch-all or both not
// (catch-all routes always come last), may take the same request (their
// hosts and paths overlap, whatever their other conditions) and give it
// different CORS handling. Otherwise the first route to take a request
// gives it the same handling whichever VirtualService comes first.
func orderMatters(group []*vhost) bool {
	for i, a := range group {
		for _, b := range group[i+1:] {
			for j := range a.scopes {
				for k := range b.scopes {
					s, t := &a.scopes[j], &b.scopes[k]
					if s.catchAll == t.catchAll && s.overlaps(t) && !reflect.DeepEqual(s.cors, t.cors) {
						return true
					}
				}
			}
		}
	}
	return false
}
