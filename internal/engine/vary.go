package engine

// varySet is a set of request headers a response depends on: the names its
// Vary header must list, so that a cache never serves it to a request that
// would have been answered differently (Fetch §3.2.5, "CORS protocol and
// HTTP caches"; RFC 9111 §4.1).
type varySet uint8

const (
	varyOnOrigin varySet = 1 << iota
	varyOnRequestMethod
	varyOnRequestHeaders
	varyOnRequestPrivateNetwork

	numVaryHeaders = iota
)

// varyValues holds the Vary value of every set: bit 0 names Origin, bit 1
// Access-Control-Request-Method, bit 2 -Headers and bit 3
// -Private-Network, listed in that order. They are constants, so that a
// decision names its value without building it (Evaluate does not
// allocate) and nothing is built when the package starts either
// (TestVaryValues checks the table).
var varyValues = [1 << numVaryHeaders]string{
	"",
	"Origin",
	"Access-Control-Request-Method",
	"Origin, Access-Control-Request-Method",
	"Access-Control-Request-Headers",
	"Origin, Access-Control-Request-Headers",
	"Access-Control-Request-Method, Access-Control-Request-Headers",
	"Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
	"Access-Control-Request-Private-Network",
	"Origin, Access-Control-Request-Private-Network",
	"Access-Control-Request-Method, Access-Control-Request-Private-Network",
	"Origin, Access-Control-Request-Method, Access-Control-Request-Private-Network",
	"Access-Control-Request-Headers, Access-Control-Request-Private-Network",
	"Origin, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
	"Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
	"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
}

// VaryValue returns the Vary value the response must carry, "" for none:
// "Origin" when the answer depends on the origin and, on a local reply to a
// preflight, the Access-Control-Request-* headers its answer depends on
// (Fetch §3.2.5: a response whose headers are more than a static origin
// must say what they vary on). A filter sends it as is on its local reply;
// on an upstream response only Origin is ever needed, merged with the
// upstream's own Vary (see Vary).
func (d *Decision) VaryValue() string { return varyValues[d.verdict().vary] }

// preflightVary is what an allowed preflight reply of the scope depends on:
// the origin unless any origin gets "*"; the requested method and headers
// when they are echoed ("*" with credentials); and, when the scope allows
// private network access, Access-Control-Request-Private-Network, whose
// presence alone decides whether the reply grants it. A listed method or
// header needs no Vary: a cached reply lists the same ones for every
// request, and the browser checks its own request against them.
func (s *scope) preflightVary() varySet {
	var set varySet
	if s.varyOrigin {
		set |= varyOnOrigin
	}
	if s.anyMethod && s.acam == "" {
		set |= varyOnRequestMethod
	}
	if s.anyHeader && s.acah == "" {
		set |= varyOnRequestHeaders
	}
	if s.privateNetwork {
		set |= varyOnRequestPrivateNetwork
	}
	return set
}

// refusalVary is what a refused preflight's 403 depends on: every request
// header read up to the check that failed (Origin first, then the method,
// the headers and private network access, in the order preflight checks
// them), so that a cache never serves the refusal to a request that would
// pass. With "*" and no credentials a later check's refusal does not depend
// on the origin; a malformed origin's always does.
func (s *scope) refusalVary(reason Reason) varySet {
	var set varySet
	switch reason {
	case OriginNotAllowed, MalformedOrigin:
		return varyOnOrigin
	case MethodTooLong, MalformedMethod, MethodNotAllowed:
		set = varyOnRequestMethod
	case MalformedHeaders, TooManyHeaders, HeaderNotAllowed:
		set = varyOnRequestMethod | varyOnRequestHeaders
	case PrivateNetworkNotAllowed:
		set = varyOnRequestMethod | varyOnRequestHeaders | varyOnRequestPrivateNetwork
	}
	if s.varyOrigin {
		set |= varyOnOrigin
	}
	return set
}
