package convert

import (
	"regexp"
	"strings"
	"testing"
)

// securityPolicy is an Envoy Gateway SecurityPolicy NAMESPACE/NAME with
// the given targetRefs and cors (YAML flow mappings).
func securityPolicy(nsName, target, cors string) string {
	ns, name, _ := strings.Cut(nsName, "/")
	return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  targetRefs: [` + target + `]
  cors: ` + cors + "\n"
}

func gatewayTarget(name string) string {
	return "{group: gateway.networking.k8s.io, kind: Gateway, name: " + name + "}"
}

func routeTarget(name string) string {
	return "{group: gateway.networking.k8s.io, kind: HTTPRoute, name: " + name + "}"
}

// egAllows is whether Envoy Gateway's CORS allows origin by the origins
// of a SecurityPolicy: buildCORS and wildcard2regex
// (internal/gatewayapi/securitypolicy.go, v1.9) make an origin with "*" a
// safe_regex of its text with each "*" as ".*" and the rest literal, any
// other an exact matcher, and Envoy's CORS filter matches a safe_regex
// against the whole origin (RE2's full match).
func egAllows(origins []string, origin string) bool {
	for _, o := range origins {
		if !strings.Contains(o, "*") {
			if o == origin {
				return true
			}
			continue
		}
		re := strings.ReplaceAll(regexp.QuoteMeta(o), `\*`, ".*")
		if regexp.MustCompile(`^(?:` + re + `)$`).MatchString(origin) {
			return true
		}
	}
	return false
}

// The converted SecurityPolicies allow, route by route, the origins
// Envoy Gateway allows: every origin a browser sends (lower case,
// serialized) the same, and never one Envoy Gateway refuses. A route's
// policy wins over its Gateway's, with cors or without; routes no policy
// targets get none.
func TestSecurityPolicyDifferential(t *testing.T) {
	gwOrigins := []string{"https://www.example.com", "https://*.example.com", "http://*.dev.example.com:8080"}
	routeOrigins := []string{"https://shop.example.com", "http://localhost:3000", "https://*.partner.example.org"}
	p, r := convertAll(t, securityPolicy("gateway/edge-cors", gatewayTarget("edge"),
		`{allowOrigins: ["`+strings.Join(gwOrigins, `", "`)+`"], allowMethods: [GET, PUT], maxAge: 10m}`)+"---\n"+
		securityPolicy("shop/checkout-cors", routeTarget("checkout"),
			`{allowOrigins: ["`+strings.Join(routeOrigins, `", "`)+`"], allowMethods: ["*"], allowHeaders: [content-type], allowCredentials: true}`)+"---\n"+
		jwtPolicy("shop/admin-jwt", routeTarget("admin")))
	if !strings.Contains(string(r.JSON), `"httproute/shop/checkout/*"`) || !strings.Contains(string(r.JSON), `"https://*.example.com"`) {
		t.Errorf("want the route bound by its prefix and the wildcard kept:\n%s", r.JSON)
	}
	browser := []string{
		"https://www.example.com", "https://example.com", "https://a.example.com", "https://a.b.example.com",
		"https://evilexample.com", "https://a.example.com.evil.com", "http://a.example.com", "https://a.example.com:8443",
		"http://a.dev.example.com:8080", "http://x.y.dev.example.com:8080", "http://a.dev.example.com", "https://a.dev.example.com:8080",
		"https://shop.example.com", "http://shop.example.com", "http://localhost:3000", "http://localhost:3001",
		"https://a.partner.example.org", "https://partner.example.org", "https://a.b.partner.example.org", "null",
	}
	// Origins no browser sends, which Envoy Gateway's regex allows and
	// corswasm does not: narrower, never wider.
	other := []string{"https://A.example.com", "https://.example.com", "https://a..example.com"}
	checkout := "httproute/shop/checkout/rule/0/match/0/shop_example_com"
	orders := "httproute/shop/orders/rule/1/match/0/api_example_com"
	grpc := "grpcroute/shop/checkout/rule/0/match/0/shop_example_com"
	// admin's policy has no cors: Envoy Gateway gives it no CORS.
	admin := "httproute/shop/admin/rule/0/match/0/api_example_com"
	for _, tc := range []struct {
		route   string
		origins []string
	}{{checkout, routeOrigins}, {orders, gwOrigins}, {grpc, gwOrigins}, {admin, nil}} {
		for _, o := range append(append([]string{}, browser...), other...) {
			eg := egAllows(tc.origins, o)
			got := outcome(ask(p, req{origin: o, route: tc.route})) == "allowed"
			switch {
			case got && !eg:
				t.Errorf("%s: %s: corswasm allows it; Envoy Gateway does not", tc.route, o)
			case !got && eg && !strings.ContainsAny(o, "A") && !strings.Contains(o, "/.") && !strings.Contains(o, ".."):
				t.Errorf("%s: %s: Envoy Gateway allows it; corswasm does not", tc.route, o)
			}
		}
	}
	// The checkout policy replaces the Gateway's: www.example.com is the
	// Gateway's alone.
	check(t, p, "the route's policy", req{origin: "https://www.example.com", route: checkout}, "disallowed", nil)
	check(t, p, "no route", req{origin: "https://www.example.com"}, "none", nil)
	check(t, p, "a route whose policy has no cors", req{origin: "https://www.example.com", route: admin, acrm: "PUT"}, "none", nil)
	check(t, p, "credentials", req{origin: "https://shop.example.com", route: checkout}, "allowed", map[string]string{"access-control-allow-credentials": "true"})
	check(t, p, "max age", req{origin: "https://a.example.com", route: orders, acrm: "PUT"}, "allowed", map[string]string{"access-control-max-age": "600"})
	check(t, p, "a method the Gateway's policy does not allow", req{origin: "https://a.example.com", route: orders, acrm: "DELETE"}, "refused", nil)
}

// What Envoy Gateway's API or semantics do not let corswasm keep is
// refused with the reason; what matches no browser's origin is left out.
func TestSecurityPolicyRefusals(t *testing.T) {
	gw := gatewayTarget("edge")
	for _, tc := range []struct{ desc, doc, reason string }{
		{"every host of a scheme", securityPolicy("g/p", gw, `{allowOrigins: ["https://*"]}`), `origin "https://*" allows every host of its scheme, on every port`},
		{"every host on a port", securityPolicy("g/p", gw, `{allowOrigins: ["https://*:8443"]}`), `allows every host of its scheme`},
		{"a wildcard inside the host", securityPolicy("g/p", gw, `{allowOrigins: ["https://a.*.example.com"]}`), `is not one Envoy Gateway's API accepts`},
		{"a public suffix", securityPolicy("g/p", gw, `{allowOrigins: ["https://*.com"]}`), `the converted configuration`},
		{"every origin with credentials", securityPolicy("g/p", gw, `{allowOrigins: ["*"], allowCredentials: true}`), `the converted configuration`},
		{"a field the conversion does not know", securityPolicy("g/p", gw, `{allowOrigins: ["https://a.example.com"], allowPrivateNetwork: true}`), `spec.cors: json: unknown field "allowPrivateNetwork"`},
		{"maxAge not a duration", securityPolicy("g/p", gw, `{allowOrigins: ["https://a.example.com"], maxAge: "600"}`), `maxAge "600" is not a duration`},
		{"a listener", securityPolicy("g/p", "{group: gateway.networking.k8s.io, kind: Gateway, name: edge, sectionName: https}", `{allowOrigins: ["https://a.example.com"]}`), `section "https"`},
		{"another kind", securityPolicy("g/p", "{group: gateway.networking.k8s.io, kind: TCPRoute, name: t}", `{allowOrigins: ["https://a.example.com"]}`), `target kind "TCPRoute"`},
		{"two Gateways", securityPolicy("g/p", gw, `{allowOrigins: ["https://a.example.com"]}`) + "---\n" + securityPolicy("g/q", gatewayTarget("other"), `{allowOrigins: ["https://b.example.com"]}`),
			`both target a Gateway (g/edge, g/other)`},
		{"one route twice", securityPolicy("s/p", routeTarget("r"), `{allowOrigins: ["https://a.example.com"]}`) + "---\n" + securityPolicy("s/q", routeTarget("r"), `{allowOrigins: ["https://b.example.com"]}`),
			`both target httproute/s/r`},
		{"mergeType", strings.Replace(securityPolicy("s/p", routeTarget("r"), `{allowOrigins: ["https://a.example.com"]}`), "  cors:", "  mergeType: StrategicMerge\n  cors:", 1), `mergeType "StrategicMerge"`},
		{"targetSelectors", strings.Replace(securityPolicy("s/p", routeTarget("r"), `{allowOrigins: ["https://a.example.com"]}`), "  cors:", "  targetSelectors: [{kind: HTTPRoute, matchLabels: {a: b}}]\n  cors:", 1), `targetSelectors`},
		{"beside an HTTPRoute's CORS filter", securityPolicy("shop/p", routeTarget("api"), `{allowOrigins: ["https://a.example.com"]}`) + "---\n" +
			httpRoute("  - filters: [{type: CORS, cors: {allowOrigins: [\"https://b.example.com\"]}}]\n    backendRefs: [{name: api, port: 8080}]\n"), `an HTTPRoute's own CORS filter takes precedence`},
	} {
		if r := convertRaw(t, tc.doc); !hasLine(r.Refusals, tc.reason) {
			t.Errorf("%s: refusals\n%s\nwant one with %q", tc.desc, strings.Join(r.Refusals, "\n"), tc.reason)
		}
	}
	p, r := convertAll(t, securityPolicy("g/p", gw, `{allowOrigins: ["https://a.example.com", "https://B.example.com", "https://a.example.com:443", "https://*.Example.com", "https://*.c.example.com:443"]}`))
	for _, o := range []string{"https://B.example.com", "https://a.example.com:443", "https://*.Example.com", "https://*.c.example.com:443"} {
		if !hasLine(r.Notes, o, "never matches") {
			t.Errorf("%s: want a note that it never matches:\n%s", o, strings.Join(r.Notes, "\n"))
		}
	}
	check(t, p, "the origin kept", req{origin: "https://a.example.com", route: "httproute/x/y/rule/0/match/0/h"}, "allowed", nil)
	check(t, p, "an origin left out", req{origin: "https://x.c.example.com", route: "httproute/x/y/rule/0/match/0/h"}, "disallowed", nil)
}

// --parent NAMESPACE/NAME converts the policy of that Gateway, with the
// routes' policies, and leaves the other Gateway's out with a note.
func TestSecurityPolicyForGateway(t *testing.T) {
	doc := securityPolicy("g/p", gatewayTarget("edge"), `{allowOrigins: ["https://a.example.com"]}`) + "---\n" +
		securityPolicy("g/q", gatewayTarget("other"), `{allowOrigins: ["https://b.example.com"]}`) + "---\n" +
		securityPolicy("s/r", routeTarget("api"), `{allowOrigins: ["https://c.example.com"]}`)
	r, err := ConvertFor(Selection{Parent: "g/other"}, Input{Name: "in", Data: []byte(doc)})
	if err != nil || len(r.Refusals) > 0 {
		t.Fatalf("%v %v", err, r.Refusals)
	}
	if !hasLine(r.Notes, "SecurityPolicy g/p: it targets Gateway g/edge, not g/other: left out") {
		t.Errorf("notes:\n%s", strings.Join(r.Notes, "\n"))
	}
	js := string(r.JSON)
	if strings.Contains(js, "https://a.example.com") || !strings.Contains(js, "https://b.example.com") || !strings.Contains(js, "https://c.example.com") {
		t.Errorf("want g/q's and s/r's origins alone:\n%s", js)
	}
	if _, err := ConvertFor(Selection{Gateway: "g/edge"}, Input{Name: "in", Data: []byte(doc)}); err == nil {
		t.Error("--gateway (an Istio gateway) with SecurityPolicies: no error")
	}
}
