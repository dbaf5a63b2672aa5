//go:build !wasip1

package e2e

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// mixHostCalls returns the host calls of one round of allocMix under a
// configuration, after a round that warms it up, by function.
func mixHostCalls(t *testing.T, module []byte, config string) map[string]uint64 {
	t.Helper()
	u, _ := url.Parse("http://upstream.invalid")
	h, err := wasmhost.New(context.Background(), wasmhost.Config{
		Module: module, PluginConfig: []byte(config), Upstream: u, Transport: allocUpstream{}, VMs: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	for _, rq := range allocMix {
		rq.send(t, h)
	}
	before := h.HostCalls()
	for _, rq := range allocMix {
		rq.send(t, h)
	}
	calls := h.HostCalls()
	for k, v := range before {
		if calls[k] -= v; calls[k] == 0 {
			delete(calls, k)
		}
	}
	return calls
}

// enforce_percent and verdict_filter_state cost nothing when a
// configuration does not use them (not set, or set to 100 and false: the
// same host calls), and the verdict costs exactly one proxy_set_property
// per CORS request, two for an audited one (the comparison is published
// after the response), and no other call.
func TestRolloutAndVerdictHostCalls(t *testing.T) {
	requireLocalHost(t, "counts host calls in the local host")
	module := testmodule.Module(t)
	unused := strings.NewReplacer(`, "enforce_percent": 50`, ``, `,
	"verdict_filter_state": true`, ``).Replace(allocConfig)
	if unused == allocConfig {
		t.Fatal("allocConfig no longer sets enforce_percent and verdict_filter_state")
	}
	neutral := strings.NewReplacer(`"enforce_percent": 50`, `"enforce_percent": 100`,
		`"verdict_filter_state": true`, `"verdict_filter_state": false`).Replace(allocConfig)
	withVerdict := strings.Replace(neutral, `"verdict_filter_state": false`, `"verdict_filter_state": true`, 1)

	base := mixHostCalls(t, module, unused)
	if got := mixHostCalls(t, module, neutral); !maps.Equal(got, base) {
		t.Errorf("enforce_percent 100 and verdict_filter_state false: host calls %v; without them %v", got, base)
	}
	cors, audited := 0, 0
	for _, rq := range allocMix {
		hasOrigin := slices.ContainsFunc(rq.headers, func(l string) bool { return strings.HasPrefix(l, "Origin: ") })
		switch {
		case !hasOrigin || strings.HasPrefix(rq.target, "/healthz"):
		case strings.HasPrefix(rq.target, "/legacy/"):
			cors, audited = cors+1, audited+1
		default:
			cors++
		}
	}
	got := mixHostCalls(t, module, withVerdict)
	want := maps.Clone(base)
	want["env.proxy_set_property"] = uint64(cors + audited)
	if !maps.Equal(got, want) {
		t.Errorf("verdict_filter_state: host calls %v; want %v (one proxy_set_property per CORS request, two when audited)", got, want)
	}
	total := func(m map[string]uint64) (n uint64) {
		for _, v := range m {
			n += v
		}
		return n
	}
	t.Logf("%d requests (%d CORS, %d audited): %d host calls without the verdict, %d with it (+%.1f%%)",
		len(allocMix), cors, audited, total(base), total(got), 100*float64(total(got)-total(base))/float64(total(base)))
}
