//go:build !wasip1

package e2e

import (
	"slices"
	"strings"
	"testing"
)

// The suite runs sequentially: in the Envoy harness every listener shares
// one set of counters, and each exchange compares them before and after.

const (
	app  = "https://app.example.com"
	evil = "https://evil.example.net"
)

// mainAllowed are the Access-Control-* headers of an actual response to an
// allowed origin under testdata/main.json.
var mainAllowed = map[string][]string{
	"access-control-allow-origin":      {app},
	"access-control-allow-credentials": {"true"},
	"access-control-expose-headers":    {"x-trace-id"},
}

// accessControl returns the response's Access-Control-* headers.
func accessControl(r reply) map[string][]string {
	out := map[string][]string{}
	for name, v := range r.header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			out[strings.ToLower(name)] = v
		}
	}
	return out
}

func wantHeaders(t *testing.T, r reply, want map[string][]string) {
	t.Helper()
	got := accessControl(r)
	if len(got) != len(want) {
		t.Errorf("Access-Control-* headers:\n got %q\nwant %q", got, want)
		return
	}
	for name, values := range want {
		if !slices.Equal(got[name], values) {
			t.Errorf("%s = %q; want %q (all Access-Control-* headers: %q)", name, got[name], values, got)
		}
	}
}

func wantVary(t *testing.T, r reply, want ...string) {
	t.Helper()
	var got []string
	for _, line := range r.header.Values("Vary") {
		for _, v := range strings.Split(line, ",") {
			got = append(got, strings.TrimSpace(v))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Vary = %q; want %q", got, want)
	}
}
