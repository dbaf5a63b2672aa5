package engine

import "strings"

// forbiddenMethods are the methods Fetch §2.2.1 forbids scripts to use; a
// browser never preflights them, so allowing them only misleads.
var forbiddenMethods = []string{"CONNECT", "TRACE", "TRACK"}

// normalizedMethods are the methods browsers upper-case before sending
// (Fetch "normalize a method"): "put" in a script becomes "PUT" on the wire.
var normalizedMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}

// MaxMethodLength bounds a method: a longer Access-Control-Request-Method
// fails the preflight (MethodTooLong) before any of its bytes is read, and
// allow_methods refuses longer entries. The longest registered HTTP method
// (IANA's registry: UPDATEREDIRECTREF, BASELINE-CONTROL) has 17 bytes; 64 is
// also the most of a refused token x-cors-reason shows, so a refused method
// always appears whole.
const MaxMethodLength = 64

// isSafelistedMethod reports whether m is a CORS-safelisted method (Fetch
// §2.2.1), which a preflight never has to allow.
func isSafelistedMethod(m string) bool {
	return m == "GET" || m == "HEAD" || m == "POST"
}

// forbiddenRequestHeaders are the forbidden request-header names of Fetch
// §2.2.2, besides those starting with "proxy-" or "sec-": browsers never let
// a script set them, so they never appear in a preflight.
var forbiddenRequestHeaders = []string{
	"accept-charset", "accept-encoding", "access-control-request-headers",
	"access-control-request-method", "connection", "content-length",
	"cookie", "cookie2", "date", "dnt", "expect", "host",
	"keep-alive", "origin", "referer", "set-cookie", "te",
	"trailer", "transfer-encoding", "upgrade", "via",
}

func isForbiddenRequestHeader(lower string) bool {
	return contains(forbiddenRequestHeaders, lower) || strings.HasPrefix(lower, "proxy-") || strings.HasPrefix(lower, "sec-")
}

// safelistedResponseHeaders are the CORS-safelisted response-header names
// (Fetch §3.2.3): scripts can always read them.
var safelistedResponseHeaders = []string{
	"cache-control", "content-language", "content-length",
	"content-type", "expires", "last-modified", "pragma",
}

// forbiddenResponseHeaders are never exposed to scripts (Fetch §2.2.2
// "forbidden response-header name").
var forbiddenResponseHeaders = []string{"set-cookie", "set-cookie2"}
