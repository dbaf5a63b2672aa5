//go:build !wasip1

package e2e

import (
	"net/http"
	"testing"
)

// TestFrameworkBrowserModel checks the browser model on the Fetch
// standard's own cases, so that the migration tests' oracle is tested too.
func TestFrameworkBrowserModel(t *testing.T) {
	const app = "https://app.example.com"
	hdr := func(nv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(nv); i += 2 {
			h.Add(nv[i], nv[i+1])
		}
		return h
	}
	okPreflight := func(extra ...string) response {
		return response{204, hdr(append([]string{"Access-Control-Allow-Origin", app}, extra...)...)}
	}
	actual := response{200, hdr("Access-Control-Allow-Origin", app, "X-Request-Id", "42", "X-Total-Count", "1",
		"Access-Control-Expose-Headers", "x-request-id")}
	cases := []struct {
		desc      string
		fetch     browserFetch
		preflight response
		actual    response
		want      browserAnswer
	}{
		{"a simple GET needs no preflight; only exposed headers are readable",
			browserFetch{"/api/items", "GET", app, nil, false}, response{}, actual,
			browserAnswer{Sent: true, Status: 200, Exposed: "X-Request-Id"}},
		{"ACAO * without credentials passes, and expose * shows every header",
			browserFetch{"/api/items", "GET", app, nil, false}, response{},
			response{200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers", "*", "X-Request-Id", "1", "X-Total-Count", "1")},
			browserAnswer{Sent: true, Status: 200, Exposed: "X-Request-Id,X-Total-Count"}},
		{"ACAO * with credentials fails the CORS check",
			browserFetch{"/api/items", "GET", app, nil, true}, response{},
			response{200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true")},
			browserAnswer{Sent: true, Blocked: true}},
		{"credentials need Access-Control-Allow-Credentials: true",
			browserFetch{"/api/items", "GET", app, nil, true}, response{}, actual,
			browserAnswer{Sent: true, Blocked: true}},
		{"two Access-Control-Allow-Origin lines fail",
			browserFetch{"/api/items", "GET", app, nil, false}, response{},
			response{200, hdr("Access-Control-Allow-Origin", app, "Access-Control-Allow-Origin", app)},
			browserAnswer{Sent: true, Blocked: true}},
		{"a preflight needs an ok status",
			browserFetch{"/api/items", "PUT", app, nil, false},
			response{403, hdr("Access-Control-Allow-Origin", app, "Access-Control-Allow-Methods", "PUT")}, actual,
			browserAnswer{Preflight: "failed", PreflightStatus: 403}},
		{"methods compare case-sensitively",
			browserFetch{"/api/items", "PUT", app, nil, false}, okPreflight("Access-Control-Allow-Methods", "put"), actual,
			browserAnswer{Preflight: "failed", PreflightStatus: 204}},
		{"methods * allows any method without credentials; max-age as sent",
			browserFetch{"/api/items", "DELETE", app, nil, false},
			okPreflight("Access-Control-Allow-Methods", "*", "Access-Control-Max-Age", "600"), actual,
			browserAnswer{Preflight: "ok", PreflightStatus: 204, MaxAge: "600", Sent: true, Status: 200, Exposed: "X-Request-Id"}},
		{"methods * is a method name with credentials",
			browserFetch{"/api/items", "DELETE", app, nil, true},
			okPreflight("Access-Control-Allow-Methods", "*", "Access-Control-Allow-Credentials", "true"), actual,
			browserAnswer{Preflight: "failed", PreflightStatus: 204}},
		{"a safelisted method needs no Access-Control-Allow-Methods",
			browserFetch{"/api/items", "POST", app, []string{"x-request-id"}, false},
			okPreflight("Access-Control-Allow-Headers", "X-Request-Id"), actual,
			browserAnswer{Preflight: "ok", PreflightStatus: 204, Sent: true, Status: 200, Exposed: "X-Request-Id"}},
		{"headers * does not cover authorization",
			browserFetch{"/api/items", "GET", app, []string{"authorization"}, false},
			okPreflight("Access-Control-Allow-Headers", "*"), actual,
			browserAnswer{Preflight: "failed", PreflightStatus: 204}},
		{"headers * covers other headers without credentials",
			browserFetch{"/api/items", "GET", app, []string{"x-secret"}, false},
			okPreflight("Access-Control-Allow-Headers", "*"), actual,
			browserAnswer{Preflight: "ok", PreflightStatus: 204, Sent: true, Status: 200, Exposed: "X-Request-Id"}},
		{"an unparsable Access-Control-Allow-Headers fails the preflight",
			browserFetch{"/api/items", "GET", app, []string{"content-type"}, false},
			okPreflight("Access-Control-Allow-Headers", "content-type, x y"), actual,
			browserAnswer{Preflight: "failed", PreflightStatus: 204}},
		{"Vary: origin (any case) or * keeps answers per origin",
			browserFetch{"/api/items", "GET", app, nil, false}, response{},
			response{200, hdr("Access-Control-Allow-Origin", app, "Vary", "Accept-Encoding, origin")},
			browserAnswer{Sent: true, Status: 200, VaryOrigin: true}},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			var sent []string
			got := browse(c.fetch, func(r httpRequest) response {
				sent = append(sent, r.method)
				if r.method == "OPTIONS" {
					return c.preflight
				}
				return c.actual
			})
			if !got.alike(c.want) {
				t.Errorf("got %s (%s); want %s", got, got.why, c.want)
			}
			if c.fetch.needsPreflight() != (len(sent) > 0 && sent[0] == "OPTIONS") {
				t.Errorf("sent %q; a preflight first: %t", sent, c.fetch.needsPreflight())
			}
		})
	}
}
