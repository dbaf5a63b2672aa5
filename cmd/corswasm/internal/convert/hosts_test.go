package convert

import (
	"slices"
	"testing"

	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Domains rank as Envoy chooses virtual hosts, each on its own.
func TestDomainRank(t *testing.T) {
	ordered := []string{"api.example.com", "x.io", "*.api.example.com", "*.example.com", "*.io", "foo.*", "*"}
	got := slices.Clone(ordered)
	slices.Reverse(got)
	slices.SortStableFunc(got, func(a, b string) int {
		ra, la := domainRank(a)
		rb, lb := domainRank(b)
		if ra != rb {
			return ra - rb
		}
		return la - lb
	})
	// The two exact names have one rank; their order is free.
	if got[0] == "x.io" {
		got[0], got[1] = got[1], got[0]
	}
	if !slices.Equal(got, ordered) {
		t.Errorf("ranked %q; want %q", got, ordered)
	}
}

func TestCoversAndOverlap(t *testing.T) {
	for _, c := range []struct {
		d, h string
		want bool
	}{
		{"*", "a.b", true}, {"*.example.com", "a.example.com", true}, {"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false}, {"*.example.com", "aexample.com", false}, {"a.com", "a.com", true}, {"a.com", "b.a.com", false},
	} {
		if got := covers(c.d, c.h); got != c.want {
			t.Errorf("covers(%q, %q) = %v", c.d, c.h, got)
		}
	}
	for _, c := range []struct {
		a, b []string
		want bool
	}{
		{nil, []string{"a.com"}, true}, {[]string{"*.a.com"}, []string{"*.b.a.com"}, true}, {[]string{"*.a.com"}, []string{"*.b.com"}, false},
		{[]string{"x.a.com"}, []string{"*.a.com"}, true}, {[]string{"a.com"}, []string{"*.a.com"}, false}, {[]string{"a.com"}, []string{"b.com", "a.com"}, true},
	} {
		if got := overlap(c.a, c.b); got != c.want {
			t.Errorf("overlap(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestKubeService(t *testing.T) {
	for h, want := range map[string][2]string{
		"reviews.shop.svc.cluster.local": {"reviews", "shop"},
		"reviews.svc.cluster.local":      {},
		"a.b.shop.svc.cluster.local":     {},
		"api.example.com":                {},
	} {
		name, ns, ok := kubeService(h)
		if ok != (want[0] != "") || name != want[0] || ns != want[1] {
			t.Errorf("kubeService(%q) = %q, %q, %v", h, name, ns, ok)
		}
	}
}

// Matches are ordered as the Gateway API orders them (HTTPRouteRule.Matches):
// an Exact path first, whatever its length, then the PathPrefix with the
// most characters; a RegularExpression, whose place is the
// implementation's, last.
func TestPathPrecedence(t *testing.T) {
	m := func(kind gatewayv1.PathMatchType, p string) *gatewayMatch {
		g := gatewayMatchOf(gatewayv1.HTTPRouteMatch{Path: &gatewayv1.HTTPPathMatch{Type: &kind, Value: &p}})
		return &g
	}
	exact, prefix, regex := gatewayv1.PathMatchExact, gatewayv1.PathMatchPathPrefix, gatewayv1.PathMatchRegularExpression
	for _, c := range []struct {
		x, y *gatewayMatch
		want int
	}{
		{m(exact, "/a"), m(prefix, "/a/b"), -1},
		{m(exact, "/a"), m(prefix, "/a"), -1},
		{m(prefix, "/a/b"), m(prefix, "/a"), -1},
		{m(prefix, "/"), m(prefix, "/a"), 1},
		{m(exact, "/"), m(prefix, "/"), -1},
		{m(prefix, "/"), m(regex, "/a.*"), -1},
	} {
		if got := pathPrecedence(c.x, c.y); got != c.want {
			t.Errorf("pathPrecedence(%v, %v) = %d; want %d", c.x.paths, c.y.paths, got, c.want)
		}
	}
}

// hostIndex answers what overlap answers for each rule added, on every
// combination of hosts built from a few labels (exact, wildcards, every
// host).
func TestHostIndexIsOverlap(t *testing.T) {
	var hosts []string
	for _, h := range []string{"example.com", "a.example.com", "b.a.example.com", "example.org", "com"} {
		hosts = append(hosts, h, "*."+h)
	}
	lists := [][]string{nil}
	for _, h := range hosts {
		lists = append(lists, []string{h})
		for _, g := range hosts {
			lists = append(lists, []string{h, g})
		}
	}
	for _, added := range lists {
		for _, other := range [][]string{{"example.org"}, {"*.b.a.example.com"}} {
			x := newHostIndex()
			x.add(other)
			x.add(added)
			for _, q := range lists {
				want := overlap(q, added) || overlap(q, other)
				if got := x.overlaps(q); got != want {
					t.Errorf("added %q and %q: overlaps(%q) = %v; want %v", other, added, q, got, want)
				}
			}
		}
	}
	if newHostIndex().overlaps(nil) {
		t.Error("an empty index overlaps every host")
	}
}
