package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decidedBy converts the source (a testdata file, or stdin for "-") and
// asks `corswasm explain` which rule decides a CORS request to host and
// path: the rule's name, or "" for the top-level policy. It also returns
// the conversion's standard error.
func decidedBy(t *testing.T, file, stdin string, requests ...[2]string) ([]string, string) {
	t.Helper()
	if file != "-" {
		file = testdata(file)
	}
	conv := corswasm(t, stdin, "convert", file)
	if conv.code != exitOK {
		t.Fatalf("convert %s: exit %d\n%s", file, conv.code, conv.stderr)
	}
	var names []string
	for _, hp := range requests {
		r := corswasm(t, conv.stdout, "explain", "-", "--json", "--origin", "https://www.example.com", "--host", hp[0], "--path", hp[1])
		var x explanation
		if err := json.Unmarshal([]byte(r.stdout), &x); err != nil {
			t.Fatalf("explain %s%s: exit %d, not JSON (%v):\n%s%s", hp[0], hp[1], r.code, err, r.stdout, r.stderr)
		}
		names = append(names, x.Rule)
	}
	return names, conv.stderr
}

// wantDecided checks the rule that decides each request.
func wantDecided(t *testing.T, file, stdin string, cases map[[2]string]string) string {
	t.Helper()
	var reqs [][2]string
	for hp := range cases {
		reqs = append(reqs, hp)
	}
	got, notes := decidedBy(t, file, stdin, reqs...)
	for i, hp := range reqs {
		if want := cases[hp]; got[i] != want && !(strings.HasSuffix(want, "*") && strings.HasPrefix(got[i], strings.TrimSuffix(want, "*"))) {
			t.Errorf("%s: a request to %s%s is decided by %q; the source's precedence gives it to %q", file, hp[0], hp[1], got[i], want)
		}
	}
	return notes
}

// Istio matches a VirtualService's http routes in order: a route that
// names an authority exactly does not overtake an earlier route that
// matches the request too; it compares the authority whole, so the host
// with a port goes on to the next route.
func TestConvertKeepsIstioRouteOrder(t *testing.T) {
	notes := wantDecided(t, "virtualservice-authority.yaml", "", map[[2]string]string{
		{"api.example.com", "/public/x"}:      "public",
		{"api.example.com", "/orders"}:        "rest",
		{"api.example.com:8443", "/public/x"}: "public",
		{"www.example.com", "/orders"}:        "rest",
	})
	if !strings.Contains(notes, `VirtualService shop/edge http[1] "partner" is left out for every host: corswasm rules cannot select requests by the port in :authority`) {
		t.Errorf("stderr lacks the note on partner:\n%s", notes)
	}
}

// Istio chooses VirtualServices by host first: a host's requests that its
// own routes do not match get no CORS handling, and VirtualServices of one
// host are merged with their catch-all routes last.
func TestConvertIstioHostsBeforeRoutes(t *testing.T) {
	notes := wantDecided(t, "virtualservices-hosts.yaml", "", map[[2]string]string{
		{"api.example.com", "/v1/x"}:    "v1",
		{"api.example.com", "/other"}:   "extra-all",
		{"admin.example.com", "/v1/x"}:  "v1*",
		{"admin.example.com", "/other"}: "api-unmatched",
		{"www.example.com", "/v1/x"}:    "all",
	})
	// The order of extra and api does not matter (api's one route is not
	// catch-all): nothing is said about it.
	if strings.Contains(notes, "share api.example.com") {
		t.Errorf("stderr has a note or refusal about the shared host:\n%s", notes)
	}
}

// Envoy chooses the virtual host by each domain on its own: a virtual host
// with an exact domain and a short wildcard keeps its exact domain against
// another's longer wildcard.
func TestConvertRanksEachEnvoyDomain(t *testing.T) {
	wantDecided(t, "envoy-mixed-domains.yaml", "", map[[2]string]string{
		{"www.example.com", "/"}:      "www-0*",
		{"app.example.com", "/"}:      "tenants-0",
		{"app.example.io", "/"}:       "www-0*",
		{"www.example.com.evil", "/"}: "",
	})
}

// A short host name is resolved in the VirtualService's namespace, and
// sidecars route its other forms to it too.
func TestConvertExpandsIstioShortNames(t *testing.T) {
	notes := wantDecided(t, "virtualservice-shortname.yaml", "", map[[2]string]string{
		{"reviews.shop.svc.cluster.local", "/"}:  "reviews-0",
		{"reviews.shop.svc", "/"}:                "reviews-0",
		{"reviews.shop", "/"}:                    "reviews-0",
		{"reviews:9080", "/"}:                    "reviews-0",
		{"reviews.other.svc.cluster.local", "/"}: "",
	})
	if !strings.Contains(notes, `host "reviews" is a short name: Istio resolves it to reviews.shop.svc.cluster.local`) {
		t.Errorf("stderr lacks the short name note:\n%s", notes)
	}
	// Bound to a gateway only, the name is routed as resolved alone.
	gw := strings.Replace(readTestdata(t, "virtualservice-shortname.yaml"), "spec:\n", "spec:\n  gateways: [istio-system/public]\n", 1)
	wantDecided(t, "-", gw, map[[2]string]string{
		{"reviews.shop.svc.cluster.local", "/"}: "reviews-0",
		{"reviews", "/"}:                        "",
	})
	// Without a namespace, the forms that cannot be known are named.
	noNS := strings.Replace(readTestdata(t, "virtualservice-shortname.yaml"), ", namespace: shop", "", 1)
	notes = wantDecided(t, "-", noNS, map[[2]string]string{{"reviews", "/"}: "reviews-0"})
	if !strings.Contains(notes, `requests to reviews.<namespace>.svc.cluster.local`) {
		t.Errorf("stderr lacks the note about the unknown namespace:\n%s", notes)
	}
}

// The Gateway API orders matches across HTTPRoutes for the same hostname
// (longer paths first), and a more specific hostname's routes hide a
// wildcard's.
func TestConvertGatewayPrecedenceAcrossRoutes(t *testing.T) {
	notes := wantDecided(t, "httproutes-precedence.yaml", "", map[[2]string]string{
		{"store.example.com", "/api/orders"}: "store-api",
		{"store.example.com", "/"}:           "store-site",
		{"api.example.com", "/v1/x"}:         "api-v1",
		{"api.example.com", "/other"}:        "api-example-com-unmatched",
		{"www.example.com", "/other"}:        "wildcard-all",
	})
	if !strings.Contains(notes, `requests to api.example.com that match none of its rules`) {
		t.Errorf("stderr lacks the note about hidden rules:\n%s", notes)
	}
}

// readTestdata reads a file of testdata/.
func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), testdata(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
