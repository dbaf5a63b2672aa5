//go:build !wasip1

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The proxies' log files of the learned migration: the local host's lines
// (LogOutput: "[time][vmN][info][wasm] wasm log: MESSAGE"), written again
// the way real proxies write them, so that `corswasm learn` reads the
// formats it meets in a fleet: Envoy's log with its source prefix, `kubectl
// logs --prefix --timestamps` of an Istio proxy, and Istio's JSON log
// records. Lines of the host itself (no "wasm log: ") stay out, as a
// proxy's log holds other lines anyway.

// proxyLogFormats are the formats, one after the other by proxy: Envoy's
// for most.
var proxyLogFormats = []func(proxy int, at time.Time, vm, message string) string{
	envoyLogLine, envoyLogLine, envoyLogLine, kubectlLogLine, istioJSONLogLine,
}

// envoyLogLine is a line of Envoy's log with its default format.
func envoyLogLine(proxy int, at time.Time, vm, message string) string {
	return fmt.Sprintf("[%s][%d][info][wasm] [source/extensions/common/wasm/context.cc:1195] wasm log cors_filter %s: %s",
		at.Format("2006-01-02 15:04:05.000"), 20+proxy, vm, message)
}

// kubectlLogLine is a line of `kubectl logs --prefix --timestamps` of an
// Istio proxy (Istio's text format after kubectl's prefix and timestamp).
func kubectlLogLine(proxy int, at time.Time, vm, message string) string {
	ts := at.UTC().Format("2006-01-02T15:04:05.000000000Z")
	return fmt.Sprintf("[pod/api-%d-7d9f/istio-proxy] %s %s\tinfo\twasm\twasm log cors %s: %s", proxy, ts, ts, vm, message)
}

// istioJSONLogLine is a record of Istio's JSON log format.
func istioJSONLogLine(proxy int, at time.Time, vm, message string) string {
	rec, err := json.Marshal(struct {
		Level string `json:"level"`
		Time  string `json:"time"`
		Scope string `json:"scope"`
		Msg   string `json:"msg"`
	}{"info", at.UTC().Format("2006-01-02T15:04:05.000000Z"), "envoy wasm", "wasm log cors " + vm + ": " + message})
	if err != nil {
		panic(err) // strings always marshal
	}
	return string(rec)
}

// writeProxyLog writes the module's lines of the local host's log to file
// in proxy's format.
func writeProxyLog(t *testing.T, file string, proxy int, hostLines []string) {
	t.Helper()
	format := proxyLogFormats[proxy%len(proxyLogFormats)]
	var b strings.Builder
	for _, l := range hostLines {
		// [2006-01-02 15:04:05.000][vmN][info][wasm] wasm log: MESSAGE
		head, message, ok := strings.Cut(l, "] wasm log: ")
		if !ok {
			continue
		}
		fields := strings.Split(strings.TrimPrefix(head, "["), "][")
		if len(fields) != 4 {
			t.Fatalf("a line of the local host's log not in its format: %q", l)
		}
		at, err := time.Parse("2006-01-02 15:04:05.000", fields[0])
		if err != nil {
			t.Fatalf("a line of the local host's log: %v", err)
		}
		b.WriteString(format(proxy, at, fields[1], message) + "\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
