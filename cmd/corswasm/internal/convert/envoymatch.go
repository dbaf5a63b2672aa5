package convert

import (
	"fmt"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
)

// envoyMatch converts a route's match: its paths, what else it selects
// requests by, and why it never matches ("" when it may).
func envoyMatch(m *routev3.RouteMatch, rt *routeTable) (paths pathSet, conditions []condition, never string) {
	var value string
	switch ps := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		if value = ps.Prefix; value != "" && value != "/" {
			paths = pathSet{{pathPrefix, value}}
		}
	case *routev3.RouteMatch_Path:
		value = ps.Path
		paths = pathSet{{pathExact, value}}
	case *routev3.RouteMatch_PathSeparatedPrefix:
		value = ps.PathSeparatedPrefix
		paths = pathSet{{pathSegments, value}}
	case *routev3.RouteMatch_SafeRegex:
		// The regex must match the whole path: ".*" takes every path.
		if ps.SafeRegex.GetRegex() != ".*" {
			conditions = append(conditions, preflightToo("a regex path (safe_regex)"))
		}
	case *routev3.RouteMatch_ConnectMatcher_:
		conditions = append(conditions, requestOnly("the CONNECT method (connect_matcher)"))
	default:
		conditions = append(conditions, preflightToo("a path template (path_match_policy)"))
	}
	if rt.ignorePathParameters {
		var ok bool
		if paths, ok = withoutParameters(paths); !ok {
			return nil, nil, fmt.Sprintf("its path %q has a \";\", and ignore_path_parameters_in_path_matching matches paths up to their first \";\"", value)
		}
	}
	// case_sensitive applies to prefix, path and path_separated_prefix
	// alone, and changes nothing for a value without letters.
	if cs := m.GetCaseSensitive(); cs != nil && !cs.Value && hasLetters(value) {
		conditions = append(conditions, preflightToo("case-insensitive paths (case_sensitive: false)"))
	}
	// A preflight has its request's URL and authority, but its own method
	// and headers (see condition): a header match on a pseudo-header of
	// the URL is met by both, any other may not be; gRPC matches the
	// content-type header (GrpcRouteMatchOptions); a TLS context match
	// the client certificate, which a preflight, sent without
	// credentials, does not present.
	for _, other := range []struct {
		set bool
		c   condition
	}{
		{len(m.GetHeaders()) > 0, condition{"headers", urlHeadersOnly(m.GetHeaders())}},
		{len(m.GetQueryParameters()) > 0, preflightToo("query parameters")},
		{len(m.GetCookies()) > 0, requestOnly("cookies")}, {m.GetGrpc() != nil, requestOnly("gRPC")},
		{m.GetTlsContext() != nil, requestOnly("the TLS context")},
		{len(m.GetDynamicMetadata()) > 0, requestOnly("dynamic metadata")}, {len(m.GetFilterState()) > 0, requestOnly("filter state")},
	} {
		if other.set {
			conditions = append(conditions, other.c)
		}
	}
	if f := m.GetRuntimeFraction(); f != nil {
		num, den := uint64(f.GetDefaultValue().GetNumerator()), denominator(f.GetDefaultValue().GetDenominator())
		switch {
		// Envoy draws a random number each time it considers the route
		// (RouteMatch.runtime_fraction): the preflight's apart from its
		// request's.
		case f.RuntimeKey != "":
			conditions = append(conditions, requestOnly(fmt.Sprintf("a runtime fraction (runtime key %q)", f.RuntimeKey)))
		case num == 0:
			never = "runtime_fraction 0%"
		case num < den:
			conditions = append(conditions, requestOnly(fmt.Sprintf("a runtime fraction (%d/%d)", num, den)))
		}
	}
	return paths, conditions, never
}

// withoutParameters rewrites paths for a route configuration with
// ignore_path_parameters_in_path_matching, where Envoy matches a path up
// to its first ";" (RouteEntryImplBase::sanitizePathBeforePathMatching in
// source/common/router/config_impl.cc): an exact path "/a" then also
// takes "/a;x", and a segment-wise prefix "/a" also "/a;x", which the
// byte prefix "/a;" adds; a byte prefix without ";" takes the same paths
// either way. A path with ";" is never matched: ok is false.
func withoutParameters(paths pathSet) (out pathSet, ok bool) {
	for _, p := range paths {
		if strings.Contains(p.value, ";") {
			return nil, false
		}
		out = append(out, p)
		if p.kind != pathPrefix {
			out = append(out, pathMatch{pathPrefix, p.value + ";"})
		}
	}
	return out, true
}

// urlHeadersOnly reports whether every header matcher is on a
// pseudo-header a preflight shares with its actual request: :authority,
// :scheme and :path (the path and query).
func urlHeadersOnly(headers []*routev3.HeaderMatcher) bool {
	for _, h := range headers {
		switch strings.ToLower(h.GetName()) {
		case ":authority", ":scheme", ":path":
		default:
			return false
		}
	}
	return true
}
