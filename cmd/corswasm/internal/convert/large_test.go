package convert

import (
	"fmt"
	"strings"
	"testing"
)

// largeShapes write inputs of n virtual hosts (VirtualServices,
// HTTPRoutes) of the shapes whose conversion cost grows fastest with n:
// distinct ports (each host on its own port, which every other host's
// analysis once tried), every host on every port, routes that do not take
// every request (a disabled rule fences each host) beside a "*" virtual
// host, and Istio and Gateway API hosts.
var largeShapes = map[string]func(n int) string{
	"ports": func(n int) string {
		var b strings.Builder
		b.WriteString("name: big\nvirtual_hosts:\n")
		for i := range n {
			fmt.Fprintf(&b, "- {name: v%d, domains: [h%d.example.com, \"h%d.example.com:%d\"], routes: [{match: {prefix: /}, route: {cluster: c}}]}\n", i, i, i, 1000+i)
		}
		return b.String()
	},
	"every-port": func(n int) string {
		var b strings.Builder
		b.WriteString("name: big\nvirtual_hosts:\n")
		for i := range n {
			fmt.Fprintf(&b, "- {name: v%d, domains: [h%d.example.com, \"h%d.example.com:*\"], typed_per_filter_config: {envoy.filters.http.cors: %s}, routes: [{match: {prefix: /}, route: {cluster: c}}]}\n",
				i, i, i, corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`))
		}
		return b.String()
	},
	"fenced": func(n int) string {
		var b strings.Builder
		policy := corsPolicy(`allow_origin_string_match: [{exact: "https://a.example"}]`)
		b.WriteString("name: big\nignore_port_in_host_matching: true\nvirtual_hosts:\n")
		for i := range n {
			fmt.Fprintf(&b, "- {name: v%d, domains: [h%d.example.com, h%d.example.com., \"*.h%d.example.org\", \"*.h%d.example.org.\"], typed_per_filter_config: {envoy.filters.http.cors: %s}, routes: [{match: {prefix: /x}, route: {cluster: c}}, {match: {path: /y}, route: {cluster: c}}]}\n",
				i, i, i, i, i, policy)
		}
		fmt.Fprintf(&b, "- {name: all, domains: [\"*\"], typed_per_filter_config: {envoy.filters.http.cors: %s}, routes: [{match: {prefix: /}, route: {cluster: c}}]}\n", policy)
		return b.String()
	},
	"istio": func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: v%d, namespace: shop}
spec:
  hosts: [h%d.example.com, h%d.example.com.]
  gateways: [istio-system/edge]
  http:
  - match: [{uri: {prefix: /x}}]
    corsPolicy: {allowOrigins: [{exact: "https://a.example"}]}
    route: [{destination: {host: a}}]
---
`, i, i, i)
		}
		return b.String()
	},
	"gateway": func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r%d, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  hostnames: [h%d.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /x}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://a.example"]}}]
    backendRefs: [{name: a, port: 80}]
---
`, i, i)
		}
		return b.String()
	},
}

// BenchmarkConvertLarge converts inputs of each large shape (make
// bench-go runs it).
func BenchmarkConvertLarge(b *testing.B) {
	for _, shape := range []string{"ports", "every-port", "fenced", "istio", "gateway"} {
		for _, n := range []int{1000, 3000} {
			in := Input{Name: shape, Data: []byte(largeShapes[shape](n))}
			b.Run(fmt.Sprintf("%s/%d", shape, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := Convert(in)
					if err != nil || len(r.Refusals) > 0 {
						b.Fatalf("%v %q", err, r.Refusals)
					}
				}
			})
		}
	}
}

// Choosing virtual hosts compares each host with the domains that may
// take it, not with every domain: twice the virtual hosts, about twice
// the comparisons, for each large shape (it was cubic: each host with
// every domain on every port named).
func TestChoosingVirtualHostsIsLinear(t *testing.T) {
	compared := func(doc string) int {
		docs, err := readDocuments([]Input{{Data: []byte(doc)}})
		if err != nil {
			t.Fatal(err)
		}
		c := newConverter()
		for _, d := range docs {
			if err := c.document(d.obj); err != nil {
				t.Fatal(err)
			}
		}
		c.attachRoutes()
		if _, err := c.assembleByParent(Selection{}); err != nil {
			t.Fatal(err)
		}
		return c.domainsCompared
	}
	for _, shape := range []string{"ports", "every-port", "fenced", "istio", "gateway"} {
		small, large := compared(largeShapes[shape](200)), compared(largeShapes[shape](400))
		if small == 0 || large > 2*small+100 {
			t.Errorf("%s: %d domains compared for 200 virtual hosts, %d for 400", shape, small, large)
		}
	}
}
