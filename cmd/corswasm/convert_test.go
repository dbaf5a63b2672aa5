package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine"
)

// convertAndCheck converts file, requires success, and checks the output
// with `corswasm check -`, which must accept it.
func convertAndCheck(t *testing.T, file string) (*engine.Config, string) {
	t.Helper()
	r := corswasm(t, "", "convert", testdata(file))
	if r.code != exitOK {
		t.Fatalf("convert %s: exit %d\n%s", file, r.code, r.stderr)
	}
	if c := corswasm(t, r.stdout, "check", "-"); c.code != exitOK {
		t.Errorf("check refuses the converted configuration: exit %d\n%s", c.code, c.stdout)
	}
	var cfg engine.Config
	if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
		t.Fatalf("output is not a configuration: %v\n%s", err, r.stdout)
	}
	return &cfg, r.stderr
}

// An Istio VirtualService: one rule per route, in Istio's order, the route
// without corsPolicy left alone, maxAge "24h" read, and the notes on
// standard error.
func TestConvertVirtualService(t *testing.T) {
	cfg, notes := convertAndCheck(t, "virtualservice.yaml")
	if cfg.Enabled == nil || *cfg.Enabled || len(cfg.Rules) != 3 {
		t.Fatalf("want a disabled top level and 3 rules: %+v", cfg)
	}
	health, partner, public := cfg.Rules[0], cfg.Rules[1], cfg.Rules[2]
	if health.Name != "health" || *health.Enabled || health.Match.PathPrefixes[0] != "/healthz" {
		t.Errorf("rules[0] = %+v", health)
	}
	if partner.Name != "partner" || !*partner.Enabled || partner.Match.Hosts[0] != "api.example.com" ||
		partner.Match.PathPrefixes[0] != "/partner/" || *partner.MaxAge != 86400 || !*partner.AllowCredentials ||
		strings.Join(partner.AllowOrigins, ",") != "https://portal.partner.example" || strings.Join(partner.AllowMethods, ",") != "PUT" {
		t.Errorf("rules[1] = %+v", partner)
	}
	if public.Name != "public" || public.Match.PathPrefixes != nil || *public.MaxAge != 600 ||
		strings.Join(public.AllowOrigins, ",") != "https://www.example.com" ||
		len(public.AllowOriginRegexes) != 2 || public.AllowOriginRegexes[0] != "http://localhost:[0-9]+" ||
		strings.Join(public.ExposeHeaders, ",") != "x-request-id" {
		t.Errorf("rules[2] = %+v", public)
	}
	for _, want := range []string{
		// The lines docs/migrating.md shows.
		"converting Istio VirtualService shop/api\n",
		"note: VirtualService shop/api is bound to gateways istio-system/public: run the plugin on those (a WasmPlugin selecting them)\n",
		"note: GET, HEAD and POST are always allowed (CORS-safelisted); they are left out of allow_methods\n",
		`note: VirtualService shop/api http[1] "partner": unmatchedPreflights IGNORE`,
		"note: Envoy answers an allowed preflight with 200; corswasm with 204",
		`note: corswasm warns about the converted configuration: rules[1] "partner": max_age: 86400`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("stderr lacks %q:\n%s", want, notes)
		}
	}
}

// What would allow more than the source meant is refused, every reason at
// once, and nothing is written.
func TestConvertRefusesUnsafe(t *testing.T) {
	for file, reasons := range map[string][]string{
		"virtualservice-unsafe.yaml": {
			`refused: VirtualService legacy http[0]: origin prefix "https://app.example.com" also matches origins that merely start with it, such as "https://app.example.com.attacker.example"`,
			`allow_origins[0]: "*": cannot be used with allow_credentials`,
		},
		"envoy-suffix-unsafe.yaml": {
			`refused: virtual host "api": origin suffix "example.com" is not on a label boundary: it also matches "https://attackerexample.com"`,
			`refused: virtual host "api": origin matcher contains "example"`,
			`refused: virtual host "api" routes[0]: corswasm rules cannot select requests by a regex path (safe_regex), and the CORS handling of requests to every host depends on them`,
		},
	} {
		r := corswasm(t, "", "convert", testdata(file))
		if r.code != exitProblems || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q; want %d and nothing", file, r.code, r.stdout, exitProblems)
		}
		for _, want := range reasons {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", file, want, r.stderr)
			}
		}
		if want := "conversion refused (" + plural(len(reasons), "reason") + ")"; !strings.Contains(r.stderr, want) {
			t.Errorf("%s: stderr lacks %q:\n%s", file, want, r.stderr)
		}
	}
}

// An Envoy RouteConfiguration: a route's own CORS policy overrides its
// virtual host's field by field (the route sets origins and credentials,
// and keeps the virtual host's methods, headers and max age, as
// CorsFilter::allowMethods and the other getters of Envoy's
// cors_filter.cc read the most specific policy that sets each); the host
// port is dropped; the catch-all virtual host without CORS adds nothing;
// a label-boundary suffix becomes a wildcard.
func TestConvertEnvoyRouteConfiguration(t *testing.T) {
	cfg, notes := convertAndCheck(t, "envoy-routes.yaml")
	if len(cfg.Rules) != 2 {
		t.Fatalf("want 2 rules: %+v", cfg.Rules)
	}
	admin, rest := cfg.Rules[0], cfg.Rules[1]
	if admin.Name != "admin" || strings.Join(admin.Match.Hosts, ",") != "api.example.com" || admin.Match.PathPrefixes[0] != "/admin/" ||
		strings.Join(admin.AllowOrigins, ",") != "https://admin.example.com" || !*admin.AllowCredentials ||
		strings.Join(admin.AllowMethods, ",") != "PUT,DELETE" || strings.Join(admin.AllowHeaders, ",") != "content-type,x-request-id" || *admin.MaxAge != 600 {
		t.Errorf("rules[0] = %+v", admin)
	}
	if rest.Name != "api-1" || rest.Match.PathPrefixes != nil || *rest.MaxAge != 600 ||
		strings.Join(rest.AllowOrigins, ",") != "https://www.example.com,https://*.tenants.example.com" ||
		strings.Join(rest.AllowMethods, ",") != "PUT,DELETE" || strings.Join(rest.AllowHeaders, ",") != "content-type,x-request-id" {
		t.Errorf("rules[1] = %+v", rest)
	}
	if !strings.Contains(notes, `origin suffix ".tenants.example.com" matched every scheme; it became "https://*.tenants.example.com"`) {
		t.Errorf("stderr lacks the suffix note:\n%s", notes)
	}
}

// A Gateway API HTTPRoute: the exact path stays exact and takes
// precedence over the prefix, the PathPrefix matches whole segments, and
// the default maxAge is written out.
func TestConvertHTTPRoute(t *testing.T) {
	cfg, notes := convertAndCheck(t, "httproute.yaml")
	if len(cfg.Rules) != 2 || strings.Join(cfg.Rules[0].Match.Paths, ",") != "/api/health" || *cfg.Rules[0].Enabled {
		t.Fatalf("rules: %+v", cfg.Rules)
	}
	api := cfg.Rules[1]
	if strings.Join(api.AllowOrigins, ",") != "https://www.example.com,https://*.preview.example.com" || *api.MaxAge != 5 ||
		!*api.AllowCredentials || strings.Join(api.Match.Hosts, ",") != "store.example.com" ||
		strings.Join(api.Match.PathSeparatedPrefixes, ",") != "/api" || api.Match.PathPrefixes != nil {
		t.Errorf("rules[1] = %+v", api)
	}
	if !strings.Contains(notes, `no maxAge: the Gateway API's default of 5 s is written out`) {
		t.Errorf("stderr lacks the maxAge note:\n%s", notes)
	}
}

// A single unscoped corsPolicy becomes the top-level policy; a document
// with nothing to convert is an input error.
func TestConvertUnscopedAndUnknown(t *testing.T) {
	vs := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: ["*"]
  http:
  - corsPolicy:
      allowOrigins: [{exact: "https://app.example.com"}]
      allowMethods: [PUT]
      unmatchedPreflights: FORWARD
    route: [{destination: {host: web}}]
`
	r := corswasm(t, vs, "convert", "-")
	want := "{\n  \"allow_origins\": [\n    \"https://app.example.com\"\n  ],\n  \"allow_methods\": [\n    \"PUT\"\n  ],\n  \"on_unmatched_preflight\": \"forward_disallowed_origin\"\n}\n"
	if r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d:\n%s\nwant:\n%s%s", r.code, r.stdout, want, r.stderr)
	}
	if r := corswasm(t, "", "convert", "envoy/cors.json"); r.code != exitUsage || !strings.Contains(r.stderr, "corswasm: envoy/cors.json: found nothing to convert") {
		t.Errorf("a corswasm configuration: exit %d:\n%s", r.code, r.stderr)
	}
}

// A route configuration's own CORS policy applies to the virtual hosts
// that set none.
func TestConvertRouteConfigurationPolicy(t *testing.T) {
	cfg, _ := convertAndCheck(t, "envoy-routeconfig-policy.yaml")
	if len(cfg.Rules) != 1 {
		t.Fatalf("rules: %+v", cfg.Rules)
	}
	r := cfg.Rules[0]
	if r.Name != "web-0" || strings.Join(r.Match.Hosts, ",") != "www.example.com" || !*r.Enabled ||
		strings.Join(r.AllowOrigins, ",") != "https://www.example.com" || r.OnUnmatchedPreflight != engine.ForwardDisallowedOrigin {
		t.Errorf("rules[0] = %+v", r)
	}
}

// Several files are one configuration, read in the order given; a
// refusal names them all, an unreadable document its file.
func TestConvertSeveralFiles(t *testing.T) {
	r := corswasm(t, "", "convert", testdata("httproute.yaml"), testdata("httproutes-precedence.yaml"))
	if r.code != exitOK || !strings.Contains(r.stderr, "converting Gateway API HTTPRoute shop/store\nconverting Gateway API HTTPRoute shop/site\n") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	var cfg engine.Config
	if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil || len(cfg.Rules) < 3 {
		t.Errorf("want the rules of both files: %v\n%s", err, r.stdout)
	}
	r = corswasm(t, "", "convert", testdata("httproute.yaml"), testdata("virtualservice-unsafe.yaml"))
	if want := "corswasm: " + testdata("httproute.yaml") + ", " + testdata("virtualservice-unsafe.yaml") + ": conversion refused (3 reasons)"; r.code != exitProblems || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d; want %q:\n%s", r.code, want, r.stderr)
	}
	r = corswasm(t, "a: [", "convert", testdata("httproute.yaml"), "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "corswasm: -: not valid YAML: ") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}

// Routes attached to different parents (here an Istio gateway and a
// Gateway API Gateway) convert to different configurations: refused with
// the flags that convert for each; a flag converts for one, leaving the
// others out.
func TestConvertForOneParent(t *testing.T) {
	files := []string{testdata("virtualservice.yaml"), testdata("httproute.yaml")}
	r := corswasm(t, "", append([]string{"convert"}, files...)...)
	if r.code != exitProblems || !strings.Contains(r.stderr, `convert for one of them at a time (--gateway istio-system/public, --parent shop/public)`) {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	r = corswasm(t, "", append([]string{"convert", "--parent", "shop/public"}, files...)...)
	var cfg engine.Config
	if err := json.Unmarshal([]byte(r.stdout), &cfg); r.code != exitOK || err != nil || len(cfg.Rules) != 2 || cfg.Rules[1].Match.Hosts[0] != "store.example.com" {
		t.Errorf("--parent: exit %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "note: VirtualService shop/api is not attached to parent shop/public: left out\n") {
		t.Errorf("--parent: stderr lacks the note:\n%s", r.stderr)
	}
	r = corswasm(t, "", append([]string{"convert", "--gateway", "istio-system/nope"}, files...)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, `corswasm: no gateway istio-system/nope in the input, which has gateway "istio-system/public", parent "shop/public"`) {
		t.Errorf("--gateway nope: exit %d:\n%s", r.code, r.stderr)
	}
}

// The migration guide's conversion example is what convert and check
// print, in full: the notes of `corswasm convert virtualservice.yaml >
// cors.json`, then check's verdict on the result.
func TestConvertDocsExample(t *testing.T) {
	t.Chdir(repoRoot(t))
	readme, err := os.ReadFile(filepath.Join("docs", "migrating.md"))
	if err != nil {
		t.Fatal(err)
	}
	const convertCmd, checkCmd = "$ corswasm convert virtualservice.yaml > cors.json\n", "$ corswasm check cors.json\n"
	_, block, ok := strings.Cut(string(readme), convertCmd)
	if !ok {
		t.Fatalf("docs/migrating.md lacks %q", convertCmd)
	}
	block, _, _ = strings.Cut(block, "```")
	wantConvert, wantCheck, ok := strings.Cut(block, checkCmd)
	if !ok {
		t.Fatalf("docs/migrating.md lacks %q after the conversion", checkCmd)
	}
	var cfg, notes bytes.Buffer
	if code := run([]string{"convert", testdata("virtualservice.yaml")}, strings.NewReader(""), &cfg, &notes); code != exitOK {
		t.Fatalf("convert: exit %d\n%s", code, notes.String())
	}
	if got := notes.String(); got != wantConvert {
		t.Errorf("convert prints:\n%s\ndocs/migrating.md shows:\n%s", got, wantConvert)
	}
	file := filepath.Join(t.TempDir(), "cors.json")
	if err := os.WriteFile(file, cfg.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"check", file}, strings.NewReader(""), &out, &out); code != exitOK {
		t.Errorf("check: exit %d", code)
	}
	if got := strings.ReplaceAll(out.String(), file, "cors.json"); got != wantCheck {
		t.Errorf("check prints:\n%s\ndocs/migrating.md shows:\n%s", got, wantCheck)
	}
}
