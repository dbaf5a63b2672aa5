package convert

import (
	"strings"
	"testing"
)

// Envoy Gateway applies a Gateway's SecurityPolicy only to the
// routes that no route-level SecurityPolicy targets, whatever that
// policy holds: translateSecurityPolicyForGateway skips every route with
// r.Security != nil, and translateSecurityPolicyForRoute sets r.Security
// to a non-nil SecurityFeatures for any policy targeting the route, with
// or without cors (internal/gatewayapi/securitypolicy.go). A route whose
// own SecurityPolicy has no cors (JWT only, say) therefore gets no CORS
// handling at all from Envoy Gateway: browsers are refused every origin.
// The conversion must not give it the Gateway's origins.
func TestSecurityPolicyWithoutCORSShadowsGateway(t *testing.T) {
	gw := securityPolicy("g/edge-cors", gatewayTarget("edge"), `{allowOrigins: ["https://www.example.com"], allowMethods: [GET, PUT]}`)
	jwtOnly := `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: admin-jwt, namespace: shop}
spec:
  targetRefs: [` + routeTarget("admin") + `]
  jwt:
    providers:
    - name: example
      remoteJWKS: {uri: "https://auth.example.com/jwks.json"}
`
	p, r := convertAll(t, gw+"---\n"+jwtOnly)
	admin := "httproute/shop/admin/rule/0/match/0/api_example_com"
	if got := outcome(ask(p, req{origin: "https://www.example.com", route: admin})); got == "allowed" {
		t.Errorf("route %s, which Envoy Gateway gives no CORS (its own SecurityPolicy shop/admin-jwt has no cors and overrides the Gateway's): converted config allows https://www.example.com\nnotes:\n%s\n%s",
			admin, strings.Join(r.Notes, "\n"), r.JSON)
	}
	if got := outcome(ask(p, req{origin: "https://www.example.com", route: admin, acrm: "PUT"})); got == "allowed" {
		t.Errorf("route %s: the converted config allows a PUT preflight from https://www.example.com; Envoy Gateway answers none", admin)
	}
}

// jwtPolicy is a SecurityPolicy NAMESPACE/NAME without cors (JWT alone)
// with the given targetRefs.
func jwtPolicy(nsName, target string) string {
	ns, name, _ := strings.Cut(nsName, "/")
	return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  targetRefs: [` + target + `]
  jwt:
    providers:
    - name: example
      remoteJWKS: {uri: "https://auth.example.com/jwks.json"}
`
}

// The routes of a policy without cors pass untouched, as in Envoy without
// a CORS policy: no CORS headers, every preflight sent upstream; the
// other routes keep the Gateway's policy, and a note says why.
func TestSecurityPolicyWithoutCORSPassesUntouched(t *testing.T) {
	p, r := convertAll(t, securityPolicy("g/edge-cors", gatewayTarget("edge"), `{allowOrigins: ["https://www.example.com"], allowMethods: [GET, PUT]}`)+
		"---\n"+jwtPolicy("shop/admin-jwt", routeTarget("admin")))
	admin := "httproute/shop/admin/rule/0/match/0/api_example_com"
	orders := "httproute/shop/orders/rule/0/match/0/api_example_com"
	check(t, p, "the JWT policy's route", req{origin: "https://www.example.com", route: admin}, "none", nil)
	check(t, p, "the JWT policy's route, a preflight", req{origin: "https://www.example.com", route: admin, acrm: "PUT"}, "none", nil)
	check(t, p, "another route", req{origin: "https://www.example.com", route: orders}, "allowed", nil)
	if !hasLine(r.Notes, "SecurityPolicy shop/admin-jwt: it has no cors", `"enabled": false`) {
		t.Errorf("want a note on shop/admin-jwt:\n%s", strings.Join(r.Notes, "\n"))
	}
	// A policy without cors alone, or beside a route's CORS filter, is no
	// CORS source.
	if _, err := Convert(Input{Name: "in", Data: []byte(jwtPolicy("shop/admin-jwt", routeTarget("admin")))}); err == nil {
		t.Error("a SecurityPolicy without cors alone: no error")
	}
	if r := convertRaw(t, jwtPolicy("shop/admin-jwt", routeTarget("admin"))+"---\n"+
		httpRoute("  - filters: [{type: CORS, cors: {allowOrigins: [\"https://b.example.com\"]}}]\n    backendRefs: [{name: api, port: 8080}]\n")); len(r.Refusals) > 0 {
		t.Errorf("an HTTPRoute's CORS filter beside a SecurityPolicy without cors: refused:\n%s", strings.Join(r.Refusals, "\n"))
	}
}

// Two policies on one route, or one Gateway, conflict in Envoy Gateway,
// which applies one of them by an order the input does not show, whether
// or not one has cors; what a policy without cors targets must be known.
func TestSecurityPolicyWithoutCORSRefusals(t *testing.T) {
	gwCORS := securityPolicy("g/edge-cors", gatewayTarget("edge"), `{allowOrigins: ["https://www.example.com"]}`)
	routeCORS := securityPolicy("shop/admin-cors", routeTarget("admin"), `{allowOrigins: ["https://a.example.com"]}`)
	for _, tc := range []struct{ desc, doc, reason string }{
		{"a route with cors and without", routeCORS + "---\n" + jwtPolicy("shop/admin-jwt", routeTarget("admin")),
			`SecurityPolicy shop/admin-cors and Envoy Gateway SecurityPolicy shop/admin-jwt both target httproute/shop/admin`},
		{"a route without cors and with", jwtPolicy("shop/admin-jwt", routeTarget("admin")) + "---\n" + routeCORS,
			`SecurityPolicy shop/admin-jwt and Envoy Gateway SecurityPolicy shop/admin-cors both target httproute/shop/admin`},
		{"a Gateway with cors and without", gwCORS + "---\n" + jwtPolicy("g/edge-jwt", gatewayTarget("edge")),
			`(which has no cors) both target Gateway g/edge`},
		{"targetSelectors", gwCORS + "---\n" + strings.Replace(jwtPolicy("shop/admin-jwt", routeTarget("admin")), "  jwt:", "  targetSelectors: [{kind: HTTPRoute, matchLabels: {a: b}}]\n  jwt:", 1),
			`shop/admin-jwt: targetSelectors choose routes by labels the input does not show (it has no cors`},
		{"mergeType", gwCORS + "---\n" + strings.Replace(jwtPolicy("shop/admin-jwt", routeTarget("admin")), "  jwt:", "  mergeType: StrategicMerge\n  jwt:", 1),
			`shop/admin-jwt: mergeType "StrategicMerge"`},
		{"a rule of a route", gwCORS + "---\n" + jwtPolicy("shop/admin-jwt", "{group: gateway.networking.k8s.io, kind: HTTPRoute, name: admin, sectionName: r0}"),
			`section "r0"`},
	} {
		if r := convertRaw(t, tc.doc); !hasLine(r.Refusals, tc.reason) {
			t.Errorf("%s: refusals\n%s\nwant one with %q", tc.desc, strings.Join(r.Refusals, "\n"), tc.reason)
		}
	}
	// A policy without cors on another Gateway is left alone.
	convertAll(t, gwCORS+"---\n"+jwtPolicy("g/other-jwt", gatewayTarget("other")))
}
