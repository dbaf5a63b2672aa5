//go:build !wasip1

package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// The browser corpus: every fetch a page could make of the framework apps'
// routes with the contract's vocabulary, and the HTTP requests a browser
// sends for each (a preflight when one is needed, then the request), as
// data.

// The origins of the vocabulary: those the teams mean to allow, then the
// others (a legitimate site not allowed, hostile ones, and look-alikes).
var (
	teamOrigins  = []string{"https://app.example.com", "https://admin.example.com", "http://localhost:3000"}
	otherOrigins = []string{
		"https://other.example.net", "https://evil.example", "null",
		"https://app.example.com.evil.example", "http://app.example.com",
	}
)

// teamHeaders are the request headers the teams' scripts send; x-secret is
// a header no team uses.
var teamHeaders = []string{"content-type", "x-request-id", "authorization"}

// corpusRoutes are the apps' routes, each with the methods it serves.
var corpusRoutes = []struct {
	path    string
	methods []string
}{
	{"/api/items", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"/api/items/1", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"/public/info", []string{"GET"}},
	{"/admin/stats", []string{"GET", "POST"}},
}

// corpusHeaderSets are the header sets a script sets on a fetch: none, or
// one of the vocabulary's.
var corpusHeaderSets = [][]string{nil, {"content-type"}, {"x-request-id"}, {"authorization"}, {"x-secret"}}

// corpusHeaderValues are the values a script gives those headers:
// content-type is application/json, which is not CORS-safelisted.
var corpusHeaderValues = map[string]string{
	"content-type":  "application/json",
	"x-request-id":  "7",
	"authorization": "Bearer token",
	"x-secret":      "s",
}

// corpusCookie is the cookie a browser sends with credentials.
const corpusCookie = "session=s1"

// browserFetch is one fetch(): a page of origin calls fetch(path, {method,
// headers, credentials}).
type browserFetch struct {
	path, method, origin string
	headers              []string // names the script sets, lower case
	// credentials: credentials "include" (the browser sends its cookie);
	// otherwise none go cross-origin.
	credentials bool
}

func (f browserFetch) String() string {
	s := fmt.Sprintf("%s %s from %s", f.method, f.path, f.origin)
	if len(f.headers) > 0 {
		s += " with " + strings.Join(f.headers, ",")
	}
	if f.credentials {
		s += " with credentials"
	}
	return s
}

// browserCorpus is every fetch of the vocabulary.
func browserCorpus() []browserFetch {
	var out []browserFetch
	for _, route := range corpusRoutes {
		for _, method := range route.methods {
			for _, origin := range slices.Concat(teamOrigins, otherOrigins) {
				for _, headers := range corpusHeaderSets {
					for _, credentials := range []bool{false, true} {
						out = append(out, browserFetch{route.path, method, origin, headers, credentials})
					}
				}
			}
		}
	}
	return out
}

// httpRequest is a request a browser sends: header name, value pairs.
type httpRequest struct {
	method, path string
	headers      [][2]string
}

// key identifies the request: equal requests have equal keys.
func (r httpRequest) key() string {
	var b strings.Builder
	b.WriteString(r.method + " " + r.path)
	for _, h := range r.headers {
		b.WriteString("\n" + h[0] + ": " + h[1])
	}
	return b.String()
}

// corsUnsafeHeaders are the fetch's CORS-unsafe request-header names
// (Fetch, "CORS-unsafe request-header names"): sorted, lower case. Every
// header of the vocabulary is unsafe: content-type because
// application/json is not a CORS-safelisted value.
func (f browserFetch) corsUnsafeHeaders() []string {
	names := slices.Clone(f.headers)
	slices.Sort(names)
	return names
}

// needsPreflight: Fetch, main fetch ("request's use-CORS-preflight
// flag is set, or request's method is not a CORS-safelisted method or
// CORS-unsafe request-header names with request's header list is not
// empty"): a CORS-preflight fetch comes first.
func (f browserFetch) needsPreflight() bool {
	return !corsSafelistedMethod(f.method) || len(f.corsUnsafeHeaders()) > 0
}

// corsSafelistedMethod: Fetch, "CORS-safelisted method".
func corsSafelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

// preflight is the CORS-preflight request (Fetch, "CORS-preflight fetch"
// steps 1–5): OPTIONS, Accept: */*, Access-Control-Request-Method, and
// Access-Control-Request-Headers with the CORS-unsafe names joined by ","
// when there are any; the Origin header (HTTP-network-or-cache fetch,
// "append a request Origin header"); never credentials (the preflight's
// credentials mode is "omit").
func (f browserFetch) preflight() httpRequest {
	h := [][2]string{{"Origin", f.origin}, {"Accept", "*/*"}, {"Access-Control-Request-Method", f.method}}
	if names := f.corsUnsafeHeaders(); len(names) > 0 {
		h = append(h, [2]string{"Access-Control-Request-Headers", strings.Join(names, ",")})
	}
	return httpRequest{"OPTIONS", f.path, h}
}

// actual is the request itself: its Origin, the script's headers, and the
// cookie when credentials are included.
func (f browserFetch) actual() httpRequest {
	h := [][2]string{{"Origin", f.origin}}
	for _, name := range f.headers {
		h = append(h, [2]string{name, corpusHeaderValues[name]})
	}
	if f.credentials {
		h = append(h, [2]string{"Cookie", corpusCookie})
	}
	return httpRequest{f.method, f.path, h}
}
