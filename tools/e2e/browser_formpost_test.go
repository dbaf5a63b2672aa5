//go:build !wasip1

package e2e

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// TestBrowserFormPost runs the recipe of docs/behaviour.md for an identity provider's
// callback ("What on_disallowed_origin: "reject" refuses"), as written, in
// Chromium: a page on the provider's origin submits a form to the service,
// as SAML's HTTP-POST binding and OpenID Connect's form_post do, a
// top-level navigation that carries the provider's Origin. To a callback
// path the POST reaches the upstream; to any other path "reject" answers
// 403, and the upstream never sees it. The provider's origin is not one
// the recipe allows, and it gets no Access-Control-Allow-Origin.
func TestBrowserFormPost(t *testing.T) {
	skipInEnvoyHost(t)
	requireLocalHost(t, "the browser tests start their own local hosts")
	exe := findChromium(t)
	recipe, err := testmodule.DocJSON("docs/behaviour.md", "<!-- idp-callback-recipe -->")
	if err != nil {
		t.Fatal(err)
	}
	idp := httptest.NewServer(http.HandlerFunc(serveFormPost))
	t.Cleanup(idp.Close)
	up := &upstreamLog{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	api := startBrowserAPI(t, upstream.URL, json.RawMessage(recipe))
	chrome := startChromium(t, exe)

	for _, tc := range []struct {
		path      string
		forwarded bool
	}{
		{"/saml/acs", true},
		{"/oauth2/callback?code=c&state=s", true},
		{"/account/email", false},
		{"/saml/acs/x", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			tab := openTab(t, chrome, "")
			rejected := api.counter(t, "corswasm.actual.rejected")
			target := api.url + tc.path
			tab.navigate(t, idp.URL+"/form-post?"+url.Values{"action": {target}}.Encode())
			doc := tab.waitDocument(t, target)
			if got := doc.headers["Access-Control-Allow-Origin"]; got != nil {
				t.Errorf("the response carries access-control-allow-origin %v; want none", got)
			}
			path, _, _ := strings.Cut(tc.path, "?")
			seen := up.requests(path)
			moved := api.counter(t, "corswasm.actual.rejected") - rejected
			if !tc.forwarded {
				if doc.status != 403 || len(seen) != 0 || moved != 1 {
					t.Errorf("status %d, the upstream saw %d requests, corswasm.actual.rejected moved by %d; want 403, 0, 1",
						doc.status, len(seen), moved)
				}
				return
			}
			if doc.status != 200 || moved != 0 {
				t.Errorf("status %d, corswasm.actual.rejected moved by %d; want 200 from the upstream, 0", doc.status, moved)
			}
			// What went through is the form's cross-origin POST, a
			// navigation with the provider's Origin.
			want := seenRequest{method: "POST", path: path, origin: idp.URL, fetchMode: "navigate"}
			if len(seen) != 1 || seen[0] != want {
				t.Errorf("the upstream saw %+v; want [%+v]", seen, want)
			}
		})
	}
}

// serveFormPost serves, at /form-post?action=URL, an identity provider's
// page that posts a form to URL once loaded, as a SAML HTTP-POST binding
// page does.
func serveFormPost(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/form-post" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(`<!doctype html><title>identity provider</title>
<form method="post" action="` + html.EscapeString(r.URL.Query().Get("action")) + `">
<input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4=">
<input type="hidden" name="RelayState" value="/account">
</form>
<script>addEventListener("load", () => setTimeout(() => document.forms[0].submit()))</script>
`))
}
