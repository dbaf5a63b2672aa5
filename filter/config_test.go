package filter

import (
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// A bad configuration makes the plugin refuse to start (Envoy then rejects
// the configuration) with every problem logged on its own line at critical
// level.
func TestRefusedConfiguration(t *testing.T) {
	cases := []struct {
		desc   string
		config string
		want   []string
	}{
		{"missing", ``, []string{`corswasm: invalid configuration: configuration is required: give a JSON object such as {"allow_origins": ["https://app.example.com"]}`}},
		{"invalid JSON", `{"allow_origins": [`, []string{`corswasm: invalid configuration: configuration is not valid JSON: unexpected end of JSON input (at line 1, column 20; byte 19)`}},
		{"several problems", `{"allow_origin": [], "allow_origins": ["https://*.com", "*"], "allow_credentials": true}`, []string{
			`corswasm: invalid configuration: unknown field "allow_origin"; did you mean "allow_origins"?`,
			`corswasm: invalid configuration: allow_origins[0]: "https://*.com": a wildcard over a public suffix matches every site under it`,
			`corswasm: invalid configuration: allow_origins[1]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			vmTest(t, func(t *testing.T, vm types.VMContext) {
				host, ok := tryStart(t, vm, tc.config)
				if ok {
					t.Fatal("plugin started with an invalid configuration")
				}
				logs := host.GetCriticalLogs()
				want := append(tc.want, "corswasm: refusing to start: "+itoa(len(tc.want))+" problem(s) in the plugin configuration")
				if strings.Join(logs, "\n") != strings.Join(want, "\n") {
					t.Errorf("critical logs:\n got %q\nwant %q", logs, want)
				}
			})
		})
	}
}

// `{}` is valid but allows nothing: the plugin starts and warns.
func TestEmptyConfigurationWarns(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := startHost(t, vm, `{}`)
		want := "corswasm: configuration warning: allow_origins: no origin is allowed: every CORS request will be refused"
		if logs := host.GetWarnLogs(); len(logs) != 1 || logs[0] != want {
			t.Errorf("warn logs = %q; want %q", logs, want)
		}
		x := roundTrip(t, host, request("OPTIONS", "/", "origin", app, "access-control-request-method", "GET"), nil)
		if x.local == nil || x.local.StatusCode != 403 {
			t.Errorf("preflight under {} = %+v; want 403", x.local)
		}
	})
}

func itoa(n int) string {
	return string(rune('0' + n))
}
