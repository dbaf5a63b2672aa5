//go:build !wasip1

package e2e

import (
	"encoding/json"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/tools/echo"
)

// exchangeOverHTTP sends each case to its configuration's target (the
// local host, or a listener of the Envoy at E2E_TARGET), one after the
// other: the counters, read before and after each, are shared by every
// listener in Envoy.
func exchangeOverHTTP(t *testing.T, cases []exchange) []outcome {
	t.Helper()
	out := make([]outcome, len(cases))
	for i, x := range cases {
		tg := targets[x.config]
		if tg == nil {
			t.Fatalf("%s: no target for configuration %q", x.desc, x.config)
		}
		req := newRequest(t, x.method, tg.url+x.path+upstreamQuery(x.path, x.upstream), x.headers...)
		if x.authority != "" {
			req.Host = x.authority
		}
		if x.sameOrigin {
			req.Header.Add("Origin", tg.url)
		}
		before := stats(t, x.config)
		doubles, start := 0, time.Now()
		if tg.host != nil {
			doubles = tg.host.DoubleLocalReplies()
		}
		r := do(t, req)
		o := outcome{reply: r, codec: true, secondReplies: -1, fromUpstream: echoed(r, x.method)}
		o.counters = map[string]int64{}
		for name, v := range stats(t, x.config) {
			o.counters[name] = int64(v) - int64(before[name])
		}
		if tg.host != nil {
			o.secondReplies = tg.host.DoubleLocalReplies() - doubles
			o.logs = []string{}
			for _, l := range tg.host.Logs() {
				if !l.Time.Before(start) {
					o.logs = append(o.logs, l.Message)
				}
			}
			// One exchange at a time: the streams that set filter state
			// since it started are its own.
			o.filterState = map[string]string{}
			for _, f := range tg.host.FilterStates() {
				if !f.Time.Before(start) {
					maps.Copy(o.filterState, f.State)
				}
			}
		}
		out[i] = o
	}
	return out
}

// upstreamQuery asks the echo upstream (tools/echo) for the response
// headers given as name, value pairs.
func upstreamQuery(path string, headers []string) string {
	if len(headers) == 0 {
		return ""
	}
	q := url.Values{}
	for i := 0; i+1 < len(headers); i += 2 {
		q.Add("h", headers[i]+":"+headers[i+1])
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return sep + q.Encode()
}

// echoed says whether r is the echo upstream's answer to a request with
// this method: its body describes the request it received.
func echoed(r reply, method string) bool {
	var e echo.Reply
	return json.Unmarshal([]byte(r.body), &e) == nil && e.Method == method
}
