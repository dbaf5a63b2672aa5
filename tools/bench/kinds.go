//go:build !wasip1

package main

import "github.com/corswasm/corswasm/tools/envoyhost"

// kind is one kind of request: the same headers in both hosts, and an
// upstream answer with a content type only.
type kind struct {
	name, label string
	method      string
	headers     []envoyhost.Header // without pseudo-headers
}

// kinds are the rows of the table.
var kinds = []kind{
	{"notcors", "not CORS (response gets Vary)", "GET", nil},
	{"actual", "actual, allowed (3 headers and Vary added)", "GET", []envoyhost.Header{{"origin", "https://app.example.com"}}},
	{"preflight", "preflight, allowed (cors.wasm answers; pass-through forwards)", "OPTIONS", []envoyhost.Header{
		{"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"},
		{"access-control-request-headers", "content-type,x-request-id"}}},
}

// common headers every request carries, as a browser's would.
var common = []envoyhost.Header{{"user-agent", "curl"}, {"accept", "*/*"}}

// upstreamHeaders are the upstream's response headers, in both hosts.
var upstreamHeaders = []envoyhost.Header{{"content-type", "text/plain"}}

// The request's target.
const (
	authority = "api.example.com"
	path      = "/x"
)
