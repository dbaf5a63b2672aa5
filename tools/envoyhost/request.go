//go:build !wasip1

package envoyhost

import "encoding/json"

// Request is one input line of the harness: a stream's request headers and
// the response the upstream sends if the filter lets the request through.
type Request struct {
	// Name labels the request in the results.
	Name string `json:"name,omitempty"`
	// Headers are the request headers in order, pseudo-headers (:method,
	// :path, :authority, :scheme) included; the harness lower-cases names.
	// Envoy joins the lines of an inline header (JoinInline); the harness
	// passes every entry as given.
	Headers []Header `json:"headers"`
	// Upstream is the upstream's response; nil: 200 with no headers.
	Upstream *Response `json:"upstream,omitempty"`
	// Unreached: the filter never sees the stream's headers (an earlier
	// filter answered with Upstream); Envoy creates the filter's context at
	// the log phase. DeferredLog: HTTP/3 deferred logging, where the
	// filter's context is deleted before the log phase creates another.
	// Envoy deletes neither context it creates at the log phase.
	Unreached   bool `json:"-"`
	DeferredLog bool `json:"deferred_log,omitempty"`
	// Properties are the stream's attributes, by dotted path
	// ("xds.route_name"): string values, which proxy_get_property returns
	// as their bytes. They play Envoy's routing.
	Properties map[string]string `json:"properties,omitempty"`
}

// MarshalJSON writes the harness's request line ("reached": false for an
// unreached stream).
func (r Request) MarshalJSON() ([]byte, error) {
	type line Request
	out := struct {
		line
		Reached *bool `json:"reached,omitempty"`
	}{line: line(r)}
	if r.Unreached {
		out.Reached = new(bool)
	}
	return json.Marshal(out)
}

// Response is the upstream's response to a forwarded request.
type Response struct {
	// Status is the :status; 0 means 200.
	Status int `json:"status,omitempty"`
	// Headers are the response headers, without :status.
	Headers []Header `json:"headers"`
}
