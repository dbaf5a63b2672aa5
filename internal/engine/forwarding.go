package engine

// preflightForwarding is which failing preflights go to the upstream
// (on_unmatched_preflight); the others are answered 403.
type preflightForwarding uint8

const (
	// forwardNone: every failing preflight is answered 403 ("reject").
	forwardNone preflightForwarding = iota
	// forwardAll: every failing preflight goes to the upstream
	// ("forward").
	forwardAll
	// forwardDisallowedOrigin: a preflight refused for its origin goes to
	// the upstream, any other failing one is answered 403
	// ("forward_disallowed_origin"). It is what Envoy's CORS filter does
	// with forward_not_matching_preflights (CorsFilter::decodeHeaders in
	// source/extensions/filters/http/cors/cors_filter.cc: it continues
	// the request only when the origin is not allowed, and answers a
	// preflight from an allowed origin itself, whatever its method and
	// headers), so that a converted Envoy or Istio policy passes to the
	// upstream no preflight Envoy would have answered.
	forwardDisallowedOrigin
)

// forwardingOf reads on_unmatched_preflight ("" is "reject").
func forwardingOf(value string) preflightForwarding {
	switch value {
	case Forward:
		return forwardAll
	case ForwardDisallowedOrigin:
		return forwardDisallowedOrigin
	}
	return forwardNone
}

// forwards reports whether a preflight refused for reason goes to the
// upstream.
func (s *scope) forwards(reason Reason) bool {
	switch s.forwarding {
	case forwardAll:
		return true
	case forwardDisallowedOrigin:
		return reason == OriginNotAllowed || reason == MalformedOrigin
	}
	return false
}
