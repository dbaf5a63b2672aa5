//go:build !wasip1

package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
	"github.com/corswasm/corswasm/tools/envoyhost"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// scale is the configuration of issue 3's scale requirement: 10,000 exact
// origins, 1,000 subdomain wildcards and 100 rules.
var scale = testconfig.Scale{Origins: 10000, Wildcards: 1000, Rules: 100}

func startHost(tb testing.TB, config []byte, upstream string) *wasmhost.Host {
	tb.Helper()
	return startModule(tb, testmodule.Module(tb), config, upstream)
}

// startModule is startHost with another build of the module.
func startModule(tb testing.TB, module, config []byte, upstream string) *wasmhost.Host {
	tb.Helper()
	u, _ := url.Parse(upstream)
	h, err := wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: config, Upstream: u, VMs: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// The scale configuration starts in the module, and requests are decided
// by the right rule.
func TestScaleInModule(t *testing.T) {
	switch backend {
	case envoyBackend:
		t.Skip("starts its own host")
	case envoyhostBackend:
		scaleInEnvoyHost(t)
		return
	}
	upstream := httptest.NewServer(echoHandler)
	defer upstream.Close()
	h := startHost(t, scale.JSON(), upstream.URL)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, k := range []int{0, 1, 99} {
		req := newRequest(t, "GET", srv.URL+scale.PathPrefix(k)+"x", "Origin", scale.Origin(9999))
		req.Host = scale.Host(k)
		r := do(t, req)
		want := []string{scale.Origin(9999)}
		if k%2 == 1 {
			want = nil // odd rules allow their own origins only
		}
		if got := r.header.Values("Access-Control-Allow-Origin"); len(got) != len(want) || len(got) == 1 && got[0] != want[0] {
			t.Errorf("rule svc-%d: allow-origin %q; want %q", k, got, want)
		}
	}
}

// scaleInEnvoyHost is the test in Envoy's host library.
func scaleInEnvoyHost(t *testing.T) {
	ks := []int{0, 1, 99}
	var requests []envoyhost.Request
	for _, k := range ks {
		requests = append(requests, envoyhost.Request{Name: scale.Host(k), Headers: []envoyhost.Header{
			{":method", "GET"}, {":path", scale.PathPrefix(k) + "x"}, {":authority", scale.Host(k)}, {":scheme", envoyHostScheme},
			{"origin", scale.Origin(9999)},
		}})
	}
	run := runInEnvoyHost(t, writeModule(t, testmodule.Module(t)), scale.JSON(), requests)
	for i, k := range ks {
		want := []string{scale.Origin(9999)}
		if k%2 == 1 {
			want = nil // odd rules allow their own origins only
		}
		if got := harnessOutcome(run.Streams[i]).header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, want) {
			t.Errorf("rule svc-%d: allow-origin %q; want %q", k, got, want)
		}
	}
}

// BenchmarkPluginStart measures starting one VM of the module (instance,
// _initialize, proxy_on_configure) with {}, the scale configuration and
// the costliest allow_origin_regexes; the difference from {} is the
// configuration's compile time inside the module.
func BenchmarkPluginStart(b *testing.B) {
	for _, bc := range []struct {
		name   string
		config []byte
	}{
		{"empty", []byte(`{}`)},
		{"scale", scale.JSON()},
		// The most costly allow_origin_regexes a configuration may have.
		{"regexes", testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes, Credentials: true}.JSON()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			testmodule.Module(b) // built before the clock starts
			b.ReportAllocs()
			for b.Loop() {
				h := startHost(b, bc.config, "http://127.0.0.1:1")
				h.Close(context.Background())
			}
		})
	}
}
