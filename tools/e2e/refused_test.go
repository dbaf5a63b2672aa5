//go:build !wasip1

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// A configuration the filter refuses stops the host from starting, with
// every problem reported, however many there are.
func TestRefusedConfiguration(t *testing.T) {
	cfg := string(readConfig(t, "main"))
	bad := strings.Replace(cfg, `"max_age": 600`, `"max_age": -1, "allow_origin": ["*"]`, 1)
	want := []string{`unknown field "allow_origin"; did you mean "allow_origins"?`, `max_age: -1: must be between 0 and 86400 seconds`}
	var origins []string
	for i := range 20 {
		origins = append(origins, fmt.Sprintf(`"https://o%d.example/"`, i))
		want = append(want, fmt.Sprintf(`allow_origins[%d]: "https://o%d.example/": an origin has no path; remove "/"`, i, i))
	}
	bad = strings.Replace(bad, `"allow_origins": [`, `"allow_origins": [`+strings.Join(origins, ", ")+", ", 1)
	if bad == cfg {
		t.Fatal("the test's edit of main.json did not apply")
	}
	want = append(want, "refusing to start: 22 problem(s)")

	var report []string
	switch backend {
	case envoyBackend:
		t.Skip("needs an Envoy that starts with a bad configuration; the harness loads only good ones")
	case localBackend:
		report = refusedByLocalHost(t, []byte(bad))
	case envoyhostBackend:
		report = refusedByEnvoyHost(t, []byte(bad))
	}
	for _, w := range want {
		if !slices.ContainsFunc(report, func(line string) bool { return strings.Contains(line, w) }) {
			t.Errorf("the refusal does not say %q:\n%s", w, strings.Join(report, "\n"))
		}
	}
}

// refusedByLocalHost returns the local host's start-up error, which quotes
// what the plugin logged.
func refusedByLocalHost(t *testing.T, config []byte) []string {
	t.Helper()
	upstream, _ := url.Parse("http://127.0.0.1:1")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{Module: testmodule.Module(t), PluginConfig: config, Upstream: upstream})
	if err == nil {
		h.Close(context.Background())
		t.Fatal("the host started with a bad configuration")
	}
	return []string{err.Error()}
}

// refusedByEnvoyHost returns the plugin's critical log lines from a start-up
// Envoy's host library refused, as Envoy refuses the configuration: the
// configuration canary fails, so the base VM is never created.
func refusedByEnvoyHost(t *testing.T, config []byte) []string {
	t.Helper()
	_, err := envoyhost.Run(context.Background(), envoyHostOptions(t, writeModule(t, testmodule.Module(t)), config), nil)
	var se *envoyhost.StartupError
	if !errors.As(err, &se) {
		t.Fatalf("Envoy's host library started with a bad configuration, or failed otherwise: %v", err)
	}
	if se.Startup.BaseWasmCreated || !slices.Contains(se.Startup.HostErrors, "wasm: Failed to configure base Wasm plugin") {
		t.Errorf("base VM created %v, host errors %q; want Envoy's configure failure", se.Startup.BaseWasmCreated, se.Startup.HostErrors)
	}
	var critical []string
	for _, l := range se.Startup.Logs {
		if l.Level == "critical" {
			critical = append(critical, l.Msg)
		}
	}
	return critical
}
