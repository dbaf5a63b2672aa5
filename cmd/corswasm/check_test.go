package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The repository's examples are valid, in each kind of document.
func TestCheckExamples(t *testing.T) {
	r := corswasm(t, "", "check", "envoy/cors.json", "envoy/envoy.yaml", "envoy/wasmplugin.yaml", "tools/e2e/envoy.yaml")
	if r.code != exitOK {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"envoy/cors.json: ok\n",
		"envoy/envoy.yaml:60 (static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration): ok\n",
		"envoy/wasmplugin.yaml:46 (WasmPlugin istio-system/corswasm): ok\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, "tools/e2e/envoy.yaml:"); n != 7 {
		t.Errorf("tools/e2e/envoy.yaml: %d configurations checked; want its 7 listeners'", n)
	}
}

// Every mistake of a configuration is listed, with its path, value, reason
// and code, and the exit status is 1.
func TestCheckListsEveryProblem(t *testing.T) {
	r := corswasm(t, "", "check", testdata("bad.json"))
	if r.code != exitProblems {
		t.Errorf("exit %d; want %d", r.code, exitProblems)
	}
	f := testdata("bad.json")
	want := []string{
		f + `: error: unknown field "allow_origin"; did you mean "allow_origins"? [unknown_field]`,
		f + `: error: mode: "watch": must be "enforce" or "audit" [invalid_value]`,
		f + `: error: allow_origins[0]: "https://app.example.com/": an origin has no path; remove "/" [origin_not_bare]`,
		f + `: error: allow_origins[1]: "https://*.com": a wildcard over a public suffix matches every site under it [wildcard_public_suffix]`,
		f + `: error: allow_origins[2]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead [credentials_any]`,
		f + `: error: allow_methods[0]: "put": browsers always send this method as "PUT", and methods compare case-sensitively; write "PUT" [method_case]`,
		f + `: error: max_age: 90000: must be between 0 and 86400 seconds [out_of_range]`,
		f + `: warning: allow_origins[4]: "https://app.example.com": duplicate of allow_origins[3]; remove it [duplicate]`,
		f + `: 7 errors, 1 warning`,
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", r.stdout, strings.Join(want, "\n"))
	}
}

// --json gives each problem's parts and code, per configuration.
func TestCheckJSON(t *testing.T) {
	r := corswasm(t, "", "check", "--json", testdata("bad.json"), "envoy/cors.json")
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, r.stdout)
	}
	if r.code != exitProblems || rep.OK || len(rep.Files) != 2 {
		t.Fatalf("exit %d, report %+v", r.code, rep)
	}
	bad := rep.Files[0].Configurations[0]
	if bad.OK || len(bad.Errors) != 7 || len(bad.Warnings) != 1 {
		t.Errorf("bad.json: %+v", bad)
	}
	want := problemReport{Path: "allow_origins[1]", Value: `"https://*.com"`, Reason: "a wildcard over a public suffix matches every site under it",
		Code: "wildcard_public_suffix", Message: `allow_origins[1]: "https://*.com": a wildcard over a public suffix matches every site under it`}
	if len(bad.Errors) > 3 && bad.Errors[3] != want {
		t.Errorf("errors[3] = %+v; want %+v", bad.Errors[3], want)
	}
	if good := rep.Files[1].Configurations[0]; !good.OK || len(good.Errors) != 0 || good.Kind != "json" {
		t.Errorf("envoy/cors.json: %+v", good)
	}
}

// A JSON syntax error is placed by line and column; it is a problem (1),
// while an unreadable file is an input error (2) that does not stop the
// other files from being checked.
func TestCheckSyntaxAndUnreadable(t *testing.T) {
	r := corswasm(t, "", "check", testdata("syntax.json"), testdata("no-such-file.json"), "envoy/cors.json")
	if r.code != exitUsage {
		t.Errorf("exit %d; want %d", r.code, exitUsage)
	}
	want := testdata("syntax.json") + `: error: configuration is not valid JSON: invalid character ']' looking for beginning of value (at line 2, column 47; byte 49) [config_syntax]`
	if !strings.Contains(r.stdout, want+"\n"+testdata("syntax.json")+": 1 error, 0 warnings\n") {
		t.Errorf("output lacks %q (and no warning after it):\n%s", want, r.stdout)
	}
	if !strings.Contains(r.stderr, "no-such-file.json: no such file or directory") || !strings.Contains(r.stdout, "envoy/cors.json: ok") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if r := corswasm(t, "", "check", testdata("syntax.json")); r.code != exitProblems {
		t.Errorf("a syntax error alone: exit %d; want %d", r.code, exitProblems)
	}
}

// Configurations inside Istio and Envoy documents, and on standard input.
func TestCheckEmbedded(t *testing.T) {
	r := corswasm(t, "", "check", testdata("wasmplugin-bad.yaml"), testdata("envoy-struct.yaml"), testdata("virtualservice.yaml"))
	for _, want := range []string{
		testdata("wasmplugin-bad.yaml") + `:8 (WasmPlugin istio-system/corswasm): error: max_age: "600": must be an integer number of seconds [wrong_type]`,
		testdata("wasmplugin-bad.yaml") + `:8 (WasmPlugin istio-system/corswasm): error: allow_origins[0]: "http://partner.example": an http origin can be impersonated`,
		testdata("envoy-struct.yaml") + `:9 (http_filters[0].typed_config.config.configuration): error: configuration is a "type.googleapis.com/google.protobuf.Struct"; want type.googleapis.com/google.protobuf.StringValue holding the JSON policy [wrong_type]`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// A file without a corswasm configuration, beside files with one, is
	// noted, not an error (checkplugins_test.go has the rest).
	if want := testdata("virtualservice.yaml") + `: note: found no corswasm configuration`; !strings.Contains(r.stderr, want) || strings.Contains(r.stdout, "virtualservice") {
		t.Errorf("stderr lacks %q (or stdout names the file):\n%s\n%s", want, r.stderr, r.stdout)
	}
	if r.code != exitProblems {
		t.Errorf("exit %d; want %d", r.code, exitProblems)
	}
	if r := corswasm(t, `{"allow_origins": ["https://a.example"]}`, "check", "-"); r.code != exitOK || r.stdout != "-: ok\n" {
		t.Errorf("standard input: exit %d: %q", r.code, r.stdout)
	}
	// --plugin picks one plugin by name.
	if r := corswasm(t, "", "check", "--plugin", "other", "envoy/envoy.yaml"); r.code != exitProblems || !strings.Contains(r.stdout, `--plugin: "other": names no Wasm plugin of the files checked [plugin_not_found]`) {
		t.Errorf("--plugin other: exit %d:\n%s", r.code, r.stdout)
	}
	if r := corswasm(t, "", "check", "envoy/envoy.yaml", "--plugin", "corswasm"); r.code != exitOK {
		t.Errorf("--plugin corswasm after the file: exit %d:\n%s", r.code, r.stdout)
	}
}
