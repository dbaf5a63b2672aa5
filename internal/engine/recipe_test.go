package engine

import (
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// idpCallbackRecipe marks the recipe in docs/behaviour.md.
const idpCallbackRecipe = "<!-- idp-callback-recipe -->"

// The recipe for an identity provider's callback in docs/behaviour.md, as written:
// the provider's cross-site form POST (SAML's HTTP-POST binding, OpenID
// Connect's form_post) reaches the callback paths and no other, and gets
// no read access anywhere; everything else "reject" refuses stays refused.
func TestIdentityProviderCallbackRecipe(t *testing.T) {
	t.Parallel()
	recipe, err := testmodule.DocJSON("docs/behaviour.md", idpCallbackRecipe)
	if err != nil {
		t.Fatal(err)
	}
	p := mustLoad(t, string(recipe))
	const idp = "https://idp.example.net"
	form := func(origin, path string) *Request {
		r := &Request{Method: "POST", Scheme: "https", Authority: "app.example.com", Path: path}
		if origin != "" {
			r.Origins = []string{origin}
		}
		return r
	}
	cases := []struct {
		desc string
		req  *Request
		// want is what the filter does; status is its local reply's.
		want   Action
		status int
	}{
		{"SAML response posted to the assertion consumer", form(idp, "/saml/acs"), ForwardEdited, 0},
		{"OIDC form_post to the callback, with a query", form(idp, "/oauth2/callback?code=c&state=s"), ForwardEdited, 0},
		{"a path under the callback", form(idp, "/saml/acs/x"), LocalReply, 403},
		{"a path extending the callback", form(idp, "/oauth2/callbackx"), LocalReply, 403},
		{"the provider posting anywhere else", form(idp, "/account/email"), LocalReply, 403},
		{"a forged form post", form("https://evil.example", "/account/email"), LocalReply, 403},
		{"a form post from a no-referrer page", form("null", "/account/email"), LocalReply, 403},
		{"a GET navigation carries no Origin", &Request{Method: "GET", Scheme: "https", Authority: "app.example.com", Path: "/account"}, ForwardEdited, 0},
		{"the application's own post", form("https://app.example.com", "/account/email"), ForwardEdited, 0},
	}
	for _, tc := range cases {
		var d Decision
		p.Evaluate(tc.req, &d)
		o := d.Outcome(nil)
		if o.Action != tc.want || o.Status != tc.status {
			t.Errorf("%s: %v, status %d; want %v, status %d", tc.desc, o.Action, o.Status, tc.want, tc.status)
		}
		readable := false
		for _, h := range o.Headers {
			readable = readable || h.Name == HeaderAllowOrigin
		}
		if wantReadable := tc.req.Origin() == "https://app.example.com"; readable != wantReadable {
			t.Errorf("%s: access-control-allow-origin sent %v; want %v", tc.desc, readable, wantReadable)
		}
	}
}
