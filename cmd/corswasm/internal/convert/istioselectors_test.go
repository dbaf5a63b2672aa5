package convert

import (
	"strings"
	"testing"
)

// Gateways with the same selector apply to the same pods, where Istio
// merges the plain HTTP servers of a port, whatever their Gateway, into
// one route configuration (MergeGateways in pilot/pkg/model/gateway.go):
// the reviewer's twosel.yaml, whose Gateways team-a (a.example.com, a
// VirtualService without CORS) and team-b ("*", a credentialed one) are
// converted as one; a.example.com gets team-a's routes, no CORS, even
// when the conversion is asked for team-b.
func TestIstioGatewaysSharingASelector(t *testing.T) {
	gateway := func(name, selector, hosts string) string {
		return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ` + name + `, namespace: istio-system}
spec:
  selector: ` + selector + `
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [` + hosts + `]
`
	}
	vs := func(name, hosts, gateway, cors string) string {
		return istioVirtualService(istioMeta(name, "istio-system", ""), hosts, gateway, "  - route: [{destination: {host: "+name+"}}]\n"+cors)
	}
	credentialed := `    corsPolicy: {allowOrigins: [{exact: "https://partner.example"}], allowCredentials: true}
`
	va := vs("va", "a.example.com, a.example.com.", "team-a", "")
	vb := vs("vb", `"*"`, "team-b", credentialed)
	ingress := "{istio: ingressgateway}"
	partner := func(host string) req { return req{host: host, origin: "https://partner.example"} }
	twosel := strings.Join([]string{gateway("team-a", ingress, "a.example.com, a.example.com."), gateway("team-b", ingress, `"*"`), va, vb}, "---\n")
	for _, sel := range []Selection{{}, {Gateway: "istio-system/team-b"}, {Gateway: "istio-system/team-a"}} {
		res := loadFor(t, sel, twosel)
		p := load(t, res)
		check(t, p, "twosel.yaml", partner("a.example.com"), "none", nil)
		check(t, p, "twosel.yaml", partner("b.example.com"), "allowed", nil)
		if !hasLine(res.Notes, "Gateways istio-system/team-a and istio-system/team-b have the same selector (istio=ingressgateway): Istio merges their servers on the pods it selects, so they are converted as one") {
			t.Errorf("%+v: notes %q", sel, res.Notes)
		}
	}
	// As the reviewer wrote it (without the trailing dot's host),
	// a.example.com. goes to vb's "*": refused
	// (see ports.go), and no flag converts one Gateway alone.
	r := convertRaw(t, strings.ReplaceAll(twosel, "a.example.com, a.example.com.", "a.example.com"))
	if len(r.Refusals) != 1 || !strings.Contains(r.Refusals[0], "VirtualService istio-system/va, domain a.example.com: Envoy takes its requests with a trailing dot (a.example.com.) without a port to VirtualService istio-system/vb") {
		t.Errorf("twosel.yaml as written: refusals %q", r.Refusals)
	}

	// Selectors that may both match one pod, and are not the same.
	convertOrRefused(t, "a narrower selector", strings.Join([]string{gateway("team-a", "{istio: ingressgateway, team: a}", "a.example.com"), gateway("team-b", ingress, `"*"`), va, vb}, "---\n"),
		"Gateways istio-system/team-a (selector istio=ingressgateway, team=a) and istio-system/team-b (selector istio=ingressgateway) may apply to the same pods (a pod with the labels of both), where Istio merges their servers and routes, or to different ones: the files do not show which; give them the same selector, or selectors that differ in a label both name")
	convertOrRefused(t, "no selector", strings.Join([]string{gateway("team-a", "{}", "a.example.com"), gateway("team-b", ingress, `"*"`), va, vb}, "---\n"),
		"Gateways istio-system/team-a (selector none: every gateway pod) and istio-system/team-b (selector istio=ingressgateway) may apply to the same pods")
	// Selectors no pod matches both of: two attachments, converted one at
	// a time.
	apart := strings.Join([]string{gateway("team-a", "{istio: internal}", "a.example.com"), gateway("team-b", ingress, `"*"`), va, vb}, "---\n")
	r = convertRaw(t, apart)
	if !hasLine(r.Refusals, `the configurations for gateway "istio-system/team-a" and for gateway "istio-system/team-b" differ, and a corswasm configuration applies alike on every listener its plugin runs on: convert for one of them at a time (--gateway istio-system/team-a, --gateway istio-system/team-b)`) {
		t.Errorf("apart: refusals %q", r.Refusals)
	}
	p := load(t, loadFor(t, Selection{Gateway: "istio-system/team-b"}, apart))
	check(t, p, "apart, team-b alone", partner("a.example.com"), "allowed", nil)
}
