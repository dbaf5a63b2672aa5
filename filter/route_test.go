package filter

import (
	"slices"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Rules bound to Envoy's route names (match.routes, match.virtual_hosts)
// are chosen by the attributes xds.route_name and xds.virtual_host_name,
// read with proxy_get_property; without them, such a rule does not match.
func TestRulesChosenByRouteName(t *testing.T) {
	const cfg = `{"allow_origins": ["https://app.example.com"], "rules": [
		{"name": "checkout", "match": {"routes": ["httproute/shop/checkout/*"]}, "allow_origins": ["https://shop.example.com"]},
		{"name": "reviews", "match": {"routes": ["reviews-v2"], "virtual_hosts": ["reviews.default.svc.cluster.local:9080"]}, "allow_origins": ["*"]}]}`
	setRoute := func(t *testing.T, host proxytest.HostEmulator, route, vhost string) {
		t.Helper()
		for _, p := range []struct{ name, value string }{{"route_name", route}, {"virtual_host_name", vhost}} {
			if err := host.SetProperty([]string{"xds", p.name}, []byte(p.value)); err != nil {
				t.Fatalf("SetProperty(xds.%s): %v", p.name, err)
			}
		}
	}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, cfg)
		allowed := func(origin string) []string {
			t.Helper()
			x := roundTrip(t, host, request("GET", "/pay", "origin", origin), upstreamResponse())
			return values(x.response, "access-control-allow-origin")
		}
		// No attribute: the top level decides.
		if got := allowed("https://shop.example.com"); len(got) != 0 {
			t.Errorf("no route: shop origin allowed (%q); want refused by the top level", got)
		}
		setRoute(t, host, "httproute/shop/checkout/rule/0/match/0/shop_example_com", "default/eg/http")
		if got := allowed("https://shop.example.com"); !slices.Equal(got, []string{"https://shop.example.com"}) {
			t.Errorf("checkout route: Access-Control-Allow-Origin %q; want the shop origin", got)
		}
		if got := allowed("https://app.example.com"); len(got) != 0 {
			t.Errorf("checkout route: app origin allowed (%q); want refused by the rule", got)
		}
		setRoute(t, host, "reviews-v2", "reviews.default.svc.cluster.local:9080")
		if got := allowed("https://any.example"); !slices.Equal(got, []string{"*"}) {
			t.Errorf("reviews route and virtual host: Access-Control-Allow-Origin %q; want *", got)
		}
		// A request without Origin chooses its rule by route too.
		x := roundTrip(t, host, request("GET", "/"), upstreamResponse())
		if got := values(x.response, "access-control-allow-origin"); !slices.Equal(got, []string{"*"}) {
			t.Errorf("reviews route, no Origin: Access-Control-Allow-Origin %q; want *", got)
		}
		setRoute(t, host, "reviews-v2", "other:9080")
		if got := allowed("https://app.example.com"); !slices.Equal(got, []string{"https://app.example.com"}) {
			t.Errorf("reviews route, other virtual host: %q; want the top level's answer", got)
		}
	})
}
