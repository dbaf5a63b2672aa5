//go:build !wasip1

package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The browser model: what a browser makes of the responses to a fetch's
// requests, written from the Fetch standard (https://fetch.spec.whatwg.org/)
// alone, independent of corswasm's policy package, so that it can judge
// corswasm and a framework alike.

// browserAnswer is what a page and the caches between it and the service
// can observe of one fetch. Two services answer a fetch alike when their
// answers are equal.
type browserAnswer struct {
	// Preflight: "" when none was needed, "ok", or "failed" (a network
	// error for the page).
	Preflight string
	// PreflightStatus is the preflight response's status (0: none). The
	// page never sees it, but developer tools and logs do.
	PreflightStatus int
	// MaxAge is a passed preflight's Access-Control-Max-Age, as sent: how
	// long the browser caches it.
	MaxAge string
	// Sent: the request itself reached the service.
	Sent bool
	// Blocked: the CORS check failed on the response, a network error for
	// the page.
	Blocked bool
	// Status is the status the page reads (0 when blocked).
	Status int
	// Exposed are the page-readable of the response's X-Request-Id and
	// X-Total-Count, joined by ",".
	Exposed string
	// VaryOrigin: the response's Vary names Origin (or is *), so that a
	// cache keeps one answer per origin.
	VaryOrigin bool

	// why is the check that failed, for the developer console alone: two
	// answers that differ only in why are alike to a page.
	why string
}

// alike says whether a page and caches observe the two answers alike.
func (a browserAnswer) alike(b browserAnswer) bool {
	a.why, b.why = "", ""
	return a == b
}

func (a browserAnswer) String() string {
	var parts []string
	if a.Preflight != "" {
		parts = append(parts, fmt.Sprintf("preflight %d %s", a.PreflightStatus, a.Preflight))
		if a.Preflight == "failed" {
			parts = append(parts, a.why)
		}
		if a.MaxAge != "" {
			parts = append(parts, "max-age "+a.MaxAge)
		}
	}
	switch {
	case !a.Sent:
		parts = append(parts, "not sent")
	case a.Blocked:
		parts = append(parts, "sent, blocked: "+a.why)
	default:
		parts = append(parts, fmt.Sprintf("readable: %d, exposed [%s]", a.Status, a.Exposed))
	}
	if a.Sent {
		parts = append(parts, fmt.Sprintf("vary origin %t", a.VaryOrigin))
	}
	return strings.Join(parts, "; ")
}

// response is what the browser received for one request.
type response struct {
	status int
	header http.Header
}

// browse runs a fetch as a browser does, sending its requests with send,
// and returns what the page and caches observe.
func browse(f browserFetch, send func(httpRequest) response) browserAnswer {
	var a browserAnswer
	if f.needsPreflight() {
		p := send(f.preflight())
		a.PreflightStatus = p.status
		if err := preflightCheck(f, p); err != "" {
			a.Preflight, a.why = "failed", err
			return a // a network error: the request is never sent
		}
		a.Preflight = "ok"
		a.MaxAge = headerGet(p.header, "Access-Control-Max-Age")
	}
	r := send(f.actual())
	a.Sent = true
	a.VaryOrigin = varyNamesOrigin(r.header)
	if err := corsCheck(f, r); err != "" {
		a.Blocked, a.why = true, err
		return a
	}
	a.Status = r.status
	a.Exposed = strings.Join(exposedHeaders(f, r), ",")
	return a
}

// headerGet is Fetch's "get" of a header list: the values of every line of
// the name joined by ", ", or "" when there is none (Fetch's null; the
// callers tell an absent header from an empty one where it matters).
func headerGet(h http.Header, name string) string {
	return strings.Join(h.Values(name), ", ")
}

// corsCheck is Fetch's "CORS check" of a response for the fetch; "" is
// success.
func corsCheck(f browserFetch, r response) string {
	// Step 1: origin is the result of getting Access-Control-Allow-Origin.
	lines := r.header.Values("Access-Control-Allow-Origin")
	origin := strings.Join(lines, ", ")
	// Step 2: if origin is null, return failure.
	if len(lines) == 0 {
		return "no Access-Control-Allow-Origin"
	}
	// Step 3: credentials mode not "include" and origin is `*`: success.
	if !f.credentials && origin == "*" {
		return ""
	}
	// Step 4: the serialization of the request's origin must be origin,
	// byte for byte.
	if origin != f.origin {
		return fmt.Sprintf("Access-Control-Allow-Origin %q is not the origin", origin)
	}
	// Step 5: credentials mode not "include": success.
	if !f.credentials {
		return ""
	}
	// Steps 6–7: Access-Control-Allow-Credentials must be `true`.
	if headerGet(r.header, "Access-Control-Allow-Credentials") != "true" {
		return "credentials without Access-Control-Allow-Credentials: true"
	}
	return ""
}

// preflightCheck is the check of Fetch's "CORS-preflight fetch" on the
// preflight's response (the step after the fetch); "" means the preflight passed. The checks use the
// fetch's own credentials mode, though the preflight carries none.
func preflightCheck(f browserFetch, p response) string {
	// "If a CORS check for request and response returns success and
	// response's status is an ok status": both, or a network error.
	if err := corsCheck(f, p); err != "" {
		return "CORS check: " + err
	}
	if p.status < 200 || p.status > 299 {
		return fmt.Sprintf("status %d is not an ok status", p.status)
	}
	// "Let methods be the result of extracting header list values given
	// `Access-Control-Allow-Methods`", headerNames likewise: failure to
	// parse either is a network error.
	methods, ok := extractHeaderListValues(p.header, "Access-Control-Allow-Methods")
	if !ok {
		return "Access-Control-Allow-Methods does not parse"
	}
	headerNames, ok := extractHeaderListValues(p.header, "Access-Control-Allow-Headers")
	if !ok {
		return "Access-Control-Allow-Headers does not parse"
	}
	// The method must be in methods (compared byte for byte), be
	// a CORS-safelisted method, or methods hold `*` and credentials mode is
	// not "include".
	if !slices.Contains(methods, f.method) && !corsSafelistedMethod(f.method) &&
		(f.credentials || !slices.Contains(methods, "*")) {
		return "method " + f.method + " is not allowed"
	}
	// A CORS non-wildcard request-header name (Authorization)
	// must be listed by name, whatever `*` says.
	for _, name := range f.corsUnsafeHeaders() {
		if name == "authorization" && !containsFold(headerNames, name) {
			return "header authorization is not allowed (by name)"
		}
	}
	// Every CORS-unsafe request-header name must be listed
	// (case-insensitively), or headerNames hold `*` and credentials mode is
	// not "include".
	for _, name := range f.corsUnsafeHeaders() {
		if !containsFold(headerNames, name) && (f.credentials || !slices.Contains(headerNames, "*")) {
			return "header " + name + " is not allowed"
		}
	}
	return ""
}

// extractHeaderListValues is Fetch's "extract header list values": nil
// when the header is absent; the comma-separated values of its lines with
// HTTP whitespace trimmed; !ok when one is not a token (the #method and
// #field-name productions), which fails the fetch.
func extractHeaderListValues(h http.Header, name string) (values []string, ok bool) {
	for _, line := range h.Values(name) {
		for _, v := range strings.Split(line, ",") {
			v = strings.Trim(v, " \t")
			if v == "" {
				continue // an empty list element, which #rule allows
			}
			if !isToken(v) {
				return nil, false
			}
			values = append(values, v)
		}
	}
	return values, true
}

// isToken says whether s is an HTTP token (RFC 9110, section 5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}

// exposedHeaders are the response headers of the contract's routes
// (X-Request-Id, X-Total-Count) that the page can read. Fetch, main fetch:
// with response tainting "cors", headerNames is the extraction of
// Access-Control-Expose-Headers; when credentials mode is not "include"
// and it holds `*`, every header name of the response is exposed,
// otherwise those it lists. A CORS-filtered response shows the
// CORS-safelisted response-header names and the exposed ones alone.
func exposedHeaders(f browserFetch, r response) []string {
	names, ok := extractHeaderListValues(r.header, "Access-Control-Expose-Headers")
	if !ok {
		names = nil
	}
	all := !f.credentials && slices.Contains(names, "*")
	var out []string
	for _, name := range []string{"X-Request-Id", "X-Total-Count"} {
		if len(r.header.Values(name)) > 0 && (all || containsFold(names, name)) {
			out = append(out, name)
		}
	}
	return out
}

// varyNamesOrigin says whether a cache keeps the response per Origin: its
// Vary names Origin or is * (RFC 9111, section 4.1). Fetch, "CORS protocol
// and HTTP caches": a response whose Access-Control-Allow-Origin depends on
// the origin needs Vary: Origin, or a shared cache serves one origin's
// answer to another.
func varyNamesOrigin(h http.Header) bool {
	for _, line := range h.Values("Vary") {
		for _, v := range strings.Split(line, ",") {
			v = strings.Trim(v, " \t")
			if v == "*" || strings.EqualFold(v, "Origin") {
				return true
			}
		}
	}
	return false
}
