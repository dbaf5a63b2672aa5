package engine

// Request holds what the policy needs to know of a request: a few header
// values, as the proxy received them. Strings are not copied; evaluating a
// Request does not allocate for the common cases.
type Request struct {
	// Method is the request method (:method).
	Method string
	// Origins holds the request's Origin header lines: none for a request
	// that is not a CORS request (Fetch §3.2.1: a CORS request is one that
	// includes an Origin header), the origin for a CORS request. A second
	// line makes the request's origin disallowed, whatever either says
	// (Fetch §3.1: a request has one origin), so a caller may keep the
	// first two lines and drop the rest.
	Origins []string
	// RequestMethod is Access-Control-Request-Method ("" when absent).
	RequestMethod string
	// RequestHeaders holds every Access-Control-Request-Headers line.
	RequestHeaders []string
	// RequestPrivateNetwork is Access-Control-Request-Private-Network.
	RequestPrivateNetwork string
	// Scheme and Authority are the request's :scheme and :authority, used to
	// recognize a same-origin request and to choose a rule.
	Scheme, Authority string
	// Path is the request's :path, used to choose a rule.
	Path string
	// Route and VirtualHost are the names of the route and virtual host
	// Envoy chose for the request (attributes xds.route_name and
	// xds.virtual_host_name), used to choose a rule; "" when the proxy has
	// none (no route, an unnamed one, or an Envoy without the attribute).
	Route, VirtualHost string
}

// Origin returns the request's first Origin line, "" when it has none.
func (r *Request) Origin() string {
	if len(r.Origins) == 0 {
		return ""
	}
	return r.Origins[0]
}

// Reset empties r for the next request, field by field (why: internal/abi's
// package doc).
// TestRequestReset keeps the list whole.
func (r *Request) Reset() {
	r.Method, r.Origins = "", nil
	r.RequestMethod, r.RequestHeaders, r.RequestPrivateNetwork = "", nil, ""
	r.Scheme, r.Authority, r.Path = "", "", ""
	r.Route, r.VirtualHost = "", ""
}
