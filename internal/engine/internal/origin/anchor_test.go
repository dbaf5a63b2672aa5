package origin

import (
	"maps"
	"slices"
	"testing"
)

// Each site is lengthened by the labels every host of the pattern under it
// has, and only those.
func TestAnchors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		want    map[string][]string
	}{
		{`https://([a-z0-9-]+\.)*tenant1\.example\.com`, map[string][]string{"https": {"tenant1.example.com"}}},
		{`https://(a|b)\.x\.y\.tenant1\.example\.com`, map[string][]string{"https": {"x.y.tenant1.example.com"}}},
		{`https://(?:app|api)\.eu\.example\.com(:8443)?`, map[string][]string{"https": {"eu.example.com"}}},
		{`https?://app\.example\.com`, map[string][]string{"http": {"app.example.com"}, "https": {"app.example.com"}}},
		{`https://(?:ab\.)+example\.com`, map[string][]string{"https": {"ab.example.com"}}},
		// A host may be the site itself, or the label is not forced.
		{`https://(?:ab\.)*example\.com`, map[string][]string{"https": {"example.com"}}},
		{`https://[a-z]*tenant1\.example\.com`, map[string][]string{"https": {"example.com"}}},
		{`https://(?:nant1|tenant1)\.example\.com`, map[string][]string{"https": {"example.com"}}},
		{`https://.*\.example\.com`, map[string][]string{"https": {"example.com"}}},
		// Each site its own.
		{`https://x(?:ab\.)*example\.com`, map[string][]string{"https": {"xexample.com", "example.com"}}},
		{`https://(www|app)\.example\.(com|net)`, map[string][]string{"https": {"example.com", "example.net"}}},
		{`https://app\.amazonaws\.com`, map[string][]string{"https": {"app.amazonaws.com"}}},
		{`http://127\.0\.0\.1:[0-9]+|http://\[::1\]:[0-9]+`, map[string][]string{"http": {"127.0.0.1", "[::1]"}}},
		{`http://([a-z]+\.)?localhost(:[0-9]+)?`, map[string][]string{"http": {"localhost"}}},
		{`null`, map[string][]string{}},
	} {
		r := compileAccepted(t, tc.pattern)
		sameSet := func(a, b []string) bool {
			return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
		}
		if !maps.EqualFunc(r.anchors, tc.want, sameSet) {
			t.Errorf("%q: anchors %q; want %q", tc.pattern, r.anchors, tc.want)
		}
	}
}

// The search for an anchor spends at most maxAnchorWork steps, and no
// more than the proof has left; out of steps, it keeps the anchor found so
// far (the site at least), which is sound.
func TestAnchorBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		left int
		want string
	}{
		{maxWork, "ab.example.com"},
		{40, "example.com"},
		{0, "example.com"},
	} {
		a, err := newAutomaton(`https://(?:ab\.)+example\.com`, &budget{left: maxWork})
		if err != nil {
			t.Fatal(err)
		}
		h, err := newHostScan(a, a.walk(a.start, "https://"))
		if err == nil {
			err = h.run()
		}
		if err != nil || h.fault != siteOK {
			t.Fatalf("the scan: %v, fault %d", err, h.fault)
		}
		a.work.left = tc.left
		if got := h.anchor("example.com"); got != tc.want {
			t.Errorf("with %d steps left: anchor %q; want %q", tc.left, got, tc.want)
		}
		if spent := tc.left - a.work.left; spent > min(maxAnchorWork, tc.left) {
			t.Errorf("with %d steps left: spent %d", tc.left, spent)
		}
	}
}
