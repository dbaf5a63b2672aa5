package convert

import (
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// Envoy's CorsPolicy holds allow_methods, allow_headers and
// expose_headers as strings, and Istio's corsPolicy joins its lists into
// them with "," (TranslateCORSPolicy in pilot/pkg/networking/core/route/
// route.go). Envoy's CORS filter sends each string as written, except
// allow_methods or allow_headers that are "*" whole: then it reflects the
// request's Access-Control-Request-Method or -Headers (CorsFilter::
// decodeHeaders in source/extensions/filters/http/cors/cors_filter.cc).
//
// A browser reads a "*" in a list it receives by the request's
// credentials mode (Fetch standard, CORS-preflight fetch, and HTTP fetch
// for Access-Control-Expose-Headers; web-platform-tests fetch/api/cors/
// cors-preflight-star.any.js): on a request without credentials it is a
// wildcard (every method; every header but Authorization, which must be
// named; every response header), on a credentialed one a plain name that
// no method or header has. corswasm answers one preflight for both kinds
// of request, since a preflight never carries credentials, and sends one
// Access-Control-Expose-Headers: so where the source allows credentials,
// a "*" in a longer list is left out, which gives credentialed requests
// exactly what the source did and the others no more than them.

// listFields names the three fields as the source spells them.
type listFields struct{ methods, headers, expose string }

var (
	envoyFields = listFields{"allow_methods", "allow_headers", "expose_headers"}
	istioFields = listFields{"allowMethods", "allowHeaders", "exposeHeaders"}
)

// envoyLists converts the three strings, as Envoy sends them, given
// whether the policy allows credentials.
func (c *converter) envoyLists(from string, f listFields, methods, headers, expose string, credentials bool, cfg *engine.Config) {
	if methods != "" {
		c.methods(from, c.starList(from, f.methods, starMethod, methods, credentials), cfg)
	}
	if headers == "*" {
		// Reflected, Access-Control-Request-Headers allows what it names,
		// Authorization too, which corswasm's "*" leaves out.
		cfg.AllowHeaders = []string{"*", "authorization"}
		c.policyNote("%s: %s \"*\": Envoy answers with the requested headers, authorization too; corswasm's \"*\" leaves authorization out, so it is listed", from, f.headers)
	} else if headers != "" {
		cfg.AllowHeaders = c.starList(from, f.headers, starHeader, headers, credentials)
	}
	if expose != "" {
		cfg.ExposeHeaders = c.starList(from, f.expose, starExposed, expose, credentials)
	}
}

// starMeaning says what a "*" in a list is to a browser: a plain name,
// or a wildcard; reflected: Envoy reflects the request's when the list
// is "*" whole.
type starMeaning struct {
	name, wildcard string
	reflected      bool
}

var (
	starMethod  = starMeaning{"method", "every method", true}
	starHeader  = starMeaning{"header", "every header but authorization", true}
	starExposed = starMeaning{"response header", "every response header", false}
)

// starList splits one of Envoy's comma lists (what its field sends),
// leaving out a "*" that a browser reads as a name because the source
// allows credentials. A "*" that is the whole of a reflected list is
// kept: Envoy answers with the request's, which allows it whatever the
// credentials, as corswasm's "*" does (it echoes the request's with
// credentials).
func (c *converter) starList(from, field string, m starMeaning, value string, credentials bool) []string {
	names := commaList(value)
	switch {
	case !slices.Contains(names, "*"), value == "*" && m.reflected:
		return names
	case !credentials:
		return starWithNamed(names, m)
	}
	c.policyNote("%s: %s %q: with credentials, browsers read \"*\" there as a %s named \"*\" on credentialed requests, and as %s only on requests without credentials (Fetch); corswasm answers both alike, so \"*\" is left out: credentialed requests get what the source allowed them, the others no more than that", from, field, value, m.name, m.wildcard)
	return slices.DeleteFunc(names, func(n string) bool { return n == "*" })
}

// starWithNamed is a list with "*", without credentials: every name but
// "*" is redundant, except authorization in allow_headers, which "*" does
// not cover (Fetch's CORS non-wildcard request-header name).
func starWithNamed(names []string, m starMeaning) []string {
	out := []string{"*"}
	for _, n := range names {
		if m == starHeader && strings.EqualFold(n, "authorization") {
			return append(out, "authorization")
		}
	}
	return out
}
