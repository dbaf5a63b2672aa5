package convert

import (
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// The tests compare the converted configuration's answers with what the
// source system does with the same request, as its source code says
// (cited at each expectation): the configuration is loaded as the filter
// loads it, and asked about requests.

// req is a request to ask a converted configuration about: a preflight
// when acrm is set, else an actual GET.
type req struct {
	host, path, origin string
	acrm, acrh, pna    string
	route              string // the name of the route Envoy chose (xds.route_name)
}

// outcome names what the filter does with a request: "none" (no CORS
// handling: "enabled": false), "audit", "allowed" (a preflight answered,
// or an actual request given CORS headers), "refused" (a preflight
// answered 403), "forwarded" (a failed preflight passed to the upstream),
// "disallowed" (an actual request without CORS headers).
func outcome(d *engine.Decision) string {
	switch {
	case d.Disabled():
		return "none"
	case d.Audit():
		return "audit"
	case d.Kind() == engine.PreflightAllowed || d.Kind() == engine.ActualAllowed:
		return "allowed"
	case d.Kind() == engine.PreflightRefused && d.Reply():
		return "refused"
	case d.Kind() == engine.PreflightRefused:
		return "forwarded"
	}
	return "disallowed"
}

// convertAll converts the documents, requires no refusal, and loads the
// result as the filter does.
func convertAll(t *testing.T, docs ...string) (*engine.Policy, *Result) {
	t.Helper()
	r := convertRaw(t, docs...)
	if len(r.Refusals) > 0 {
		t.Fatalf("refused:\n%s", strings.Join(r.Refusals, "\n"))
	}
	p, err := engine.Load(r.JSON)
	if err != nil {
		t.Fatalf("the converted configuration does not load: %v\n%s", err, r.JSON)
	}
	return p, r
}

// convertRaw converts the documents, one input each, and requires no
// error.
func convertRaw(t *testing.T, docs ...string) *Result {
	t.Helper()
	var in []Input
	for i, d := range docs {
		in = append(in, Input{Name: "input" + string(rune('1'+i)), Data: []byte(d)})
	}
	r, err := Convert(in...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ask evaluates a request with p.
func ask(p *engine.Policy, r req) *engine.Decision {
	if r.host == "" {
		r.host = "api.example.com"
	}
	if r.path == "" {
		r.path = "/"
	}
	pr := &engine.Request{Origins: []string{r.origin}, Scheme: "https", Authority: r.host, Path: r.path, Method: "GET", Route: r.route}
	if r.acrm != "" {
		pr.Method, pr.RequestMethod = "OPTIONS", r.acrm
		if r.acrh != "" {
			pr.RequestHeaders = []string{r.acrh}
		}
		pr.RequestPrivateNetwork = r.pna
	}
	var d engine.Decision
	p.Evaluate(pr, &d)
	return &d
}

// header returns the value of a decision's header, "" if absent.
func header(d *engine.Decision, name string) string {
	for _, h := range d.Headers() {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// check asks p about r and compares the outcome and the headers given
// (a value "" wants the header absent).
func check(t *testing.T, p *engine.Policy, what string, r req, want string, headers map[string]string) {
	t.Helper()
	d := ask(p, r)
	if got := outcome(d); got != want {
		t.Errorf("%s: %+v: %s (%s); want %s", what, r, got, d.Reason(), want)
		return
	}
	for name, v := range headers {
		if got := header(d, name); got != v {
			t.Errorf("%s: %+v: %s: %q; want %q", what, r, name, got, v)
		}
	}
}

// hasLine reports whether one of lines contains every part.
func hasLine(lines []string, parts ...string) bool {
	for _, l := range lines {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// virtualService is an Istio VirtualService shop/api for api.example.com
// with the given http routes (a YAML list, indented by two spaces).
func virtualService(http string) string {
	return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api.example.com]
  http:
` + http
}

// httpRoute is a Gateway API HTTPRoute shop/api for api.example.com with
// the given rules (a YAML list, indented by two spaces).
func httpRoute(rules string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  hostnames: [api.example.com]
  rules:
` + rules
}

// convertOrRefused converts doc: with a refusal given, it requires one
// that contains it and returns nil; otherwise it requires the conversion
// and returns the configuration, loaded.
func convertOrRefused(t *testing.T, desc, doc, refusal string) *engine.Policy {
	t.Helper()
	if refusal == "" {
		p, _ := convertAll(t, doc)
		return p
	}
	if r := convertRaw(t, doc); !hasLine(r.Refusals, refusal) {
		t.Errorf("%s: refusals\n%s\nwant one with %q", desc, strings.Join(r.Refusals, "\n"), refusal)
	}
	return nil
}
