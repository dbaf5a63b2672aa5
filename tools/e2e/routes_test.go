//go:build !wasip1

package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// Rules bound to the route Envoy chose (match.routes, match.virtual_hosts):
// an HTTPRoute rule in Envoy Gateway's naming, and an Istio VirtualService
// route named by its http[].name, chosen through the attributes
// xds.route_name and xds.virtual_host_name; one proxy_get_property per
// attribute a rule names, per request, and none for a configuration whose
// rules name none.

const routesConfig = `{
	"allow_origins": ["https://www.example.com"],
	"rules": [
		{"name": "checkout", "match": {"routes": ["httproute/shop/checkout/*"]}, "allow_origins": ["https://shop.example.com"]},
		{"name": "reviews", "match": {"routes": ["reviews-v2"], "virtual_hosts": ["reviews.default.svc.cluster.local:9080"]},
		 "allow_origins": ["https://reviews.example.com"], "allow_credentials": true}
	]
}`

// routesPathConfig has rules, none of them on routes.
const routesPathConfig = `{
	"allow_origins": ["https://www.example.com"],
	"rules": [{"name": "checkout", "match": {"path_prefixes": ["/checkout/"]}, "allow_origins": ["https://shop.example.com"]}]
}`

// routeCase is a request on a route, and the Access-Control-Allow-Origin
// it must get.
type routeCase struct {
	desc, path, origin string
	properties         map[string]string
	allowOrigin        string // "" for none
}

var routeCases = []routeCase{
	{"Envoy Gateway HTTPRoute rule", "/pay", "https://shop.example.com", map[string]string{
		"xds.route_name":        "httproute/shop/checkout/rule/0/match/0/shop_example_com",
		"xds.virtual_host_name": "default/eg/http/shop_example_com"}, "https://shop.example.com"},
	{"HTTPRoute rule: the top level's origin refused", "/pay", "https://www.example.com", map[string]string{
		"xds.route_name": "httproute/shop/checkout/rule/1/match/0/shop_example_com"}, ""},
	{"Istio http[].name with its virtual host", "/reviews/1", "https://reviews.example.com", map[string]string{
		"xds.route_name": "reviews-v2", "xds.virtual_host_name": "reviews.default.svc.cluster.local:9080"}, "https://reviews.example.com"},
	{"Istio route on another virtual host: top level", "/reviews/1", "https://reviews.example.com", map[string]string{
		"xds.route_name": "reviews-v2", "xds.virtual_host_name": "reviews.other.svc.cluster.local:9080"}, ""},
	{"no route attributes (older Envoy, no route): top level", "/pay", "https://www.example.com", nil, "https://www.example.com"},
	{"no route attributes: a route-bound rule does not match", "/pay", "https://shop.example.com", nil, ""},
}

func TestRulesBoundToRoutes(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("the route names come from the test, which plays Envoy's routing")
	case envoyhostBackend:
		routesInEnvoyHost(t)
		return
	}
	module := testmodule.Module(t)
	h := routesLocalHost(t, module, routesConfig)
	for _, c := range routeCases {
		if got := c.sendLocal(t, h); got != c.allowOrigin {
			t.Errorf("%s: Access-Control-Allow-Origin %q; want %q", c.desc, got, c.allowOrigin)
		}
	}
	// Host calls: one proxy_get_property per attribute a rule names, per
	// request, with or without Origin; none without such rules.
	for _, tc := range []struct {
		config string
		want   uint64
	}{{routesConfig, 2}, {routesPathConfig, 0}, {`{"allow_origins": ["*"], "rules": [{"name": "r", "match": {"routes": ["a*"]}}]}`, 1}} {
		h := routesLocalHost(t, module, tc.config)
		for _, c := range []routeCase{routeCases[0], {desc: "no Origin", path: "/pay", properties: routeCases[0].properties}, routeCases[4]} {
			before := h.HostCalls()["env.proxy_get_property"]
			c.sendLocal(t, h)
			if got := h.HostCalls()["env.proxy_get_property"] - before; got != tc.want {
				t.Errorf("%s, %s: %d proxy_get_property calls; want %d", tc.config, c.desc, got, tc.want)
			}
		}
	}
}

// routesLocalHost starts the local host, whose Properties play Envoy's
// routing: a request's attributes come from its test headers
// (routeTestHeaders), which the filter does not read.
func routesLocalHost(t *testing.T, module []byte, config string) *wasmhost.Host {
	t.Helper()
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: module, PluginConfig: []byte(config), Upstream: u, Transport: allocUpstream{}, VMs: 1,
		Properties: func(r *http.Request) map[string]string {
			props := map[string]string{}
			for attr, header := range routeTestHeaders {
				if v := r.Header.Get(header); v != "" {
					props[attr] = v
				}
			}
			return props
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// routeTestHeaders carry a request's attributes to the local host's
// Properties.
var routeTestHeaders = map[string]string{"xds.route_name": "x-test-route-name", "xds.virtual_host_name": "x-test-virtual-host-name"}

func (c routeCase) sendLocal(t *testing.T, h *wasmhost.Host) string {
	t.Helper()
	r := httptest.NewRequest("GET", "http://api.example.com"+c.path, nil)
	if c.origin != "" {
		r.Header.Set("Origin", c.origin)
	}
	for attr, v := range c.properties {
		r.Header.Set(routeTestHeaders[attr], v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: status %d", c.desc, w.Code)
	}
	return w.Header().Get("Access-Control-Allow-Origin")
}

func (c routeCase) harnessRequest() envoyhost.Request {
	headers := []envoyhost.Header{{":method", "GET"}, {":path", c.path}, {":authority", envoyHostAuthority}, {":scheme", envoyHostScheme}}
	if c.origin != "" {
		headers = append(headers, envoyhost.Header{"origin", c.origin})
	}
	return envoyhost.Request{Name: c.desc, Headers: headers, Upstream: &envoyhost.Response{Status: 200, Headers: []envoyhost.Header{}}, Properties: c.properties}
}

// routesInEnvoyHost is TestRulesBoundToRoutes in Envoy's host library: the
// harness serves each request line's properties as Envoy's getProperty.
func routesInEnvoyHost(t *testing.T) {
	module := writeModule(t, testmodule.Module(t))
	var requests []envoyhost.Request
	for _, c := range routeCases {
		requests = append(requests, c.harnessRequest())
	}
	run := runInEnvoyHost(t, module, []byte(routesConfig), requests)
	for i, c := range routeCases {
		o := harnessOutcome(run.Streams[i])
		var got string
		if v := o.header.Values("Access-Control-Allow-Origin"); len(v) > 0 {
			got = v[0]
		}
		if got != c.allowOrigin {
			t.Errorf("%s: Access-Control-Allow-Origin %q; want %q", c.desc, got, c.allowOrigin)
		}
	}
	// Host calls: with the rules naming both attributes, two per request;
	// with rules on paths only, none. Start-up makes none.
	for _, tc := range []struct {
		config string
		want   int64
	}{{routesConfig, 2}, {routesPathConfig, 0}} {
		same := slices.Repeat([]envoyhost.Request{routeCases[0].harnessRequest()}, 3)
		calls := runInEnvoyHost(t, module, []byte(tc.config), same).End.Hostcalls["env.proxy_get_property"]
		if calls != tc.want*int64(len(same)) {
			t.Errorf("%s: %d proxy_get_property calls for %d requests; want %d each", tc.config, calls, len(same), tc.want)
		}
	}
}
