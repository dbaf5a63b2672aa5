package learn

import (
	"strings"

	"github.com/corswasm/corswasm/internal/httpfield"
)

// browserView is what a browser makes of one observation's answer.
type browserView struct {
	// originOK: the answer passes the CORS check for the origin sent
	// (Fetch §4.9 "CORS check": Access-Control-Allow-Origin is "*" or the
	// serialized request origin, byte for byte).
	originOK bool
	// wildcard: it passed by "*", which a request with credentials fails.
	wildcard bool
	// credentials: Access-Control-Allow-Credentials is "true" (Fetch
	// §4.9, the CORS check's last steps) and the origin echoed: a request with credentials
	// passes too.
	credentials bool
	// accepted: the answer as a whole is accepted: the CORS check, and for
	// a preflight an ok status, the method and the headers asked for
	// (Fetch §4.8 "CORS-preflight fetch", step 7) and, when asked,
	// private network access.
	accepted bool
	// methods and headers are the preflight answer's lists (Fetch §4.8
	// step 7, "extracting header list values"); nil when absent or not
	// a list of tokens.
	methods, headers []string
	listsOK          bool
}

// view reads an observation's answer as a browser does.
func view(o *Observation) browserView {
	var v browserView
	acao, ok := o.header(hACAO)
	// Fetch §4.9: no value, or one that is not the origin (several field
	// lines combine into one value), fails.
	if ok && !o.cut(hACAO) {
		v.wildcard = acao == "*"
		v.originOK = v.wildcard || acao == o.Origin
	}
	acac, _ := o.header(hACAC)
	v.credentials = v.originOK && !v.wildcard && acac == "true"
	if o.Kind == KindActual {
		v.accepted = v.originOK
		return v
	}
	// Fetch §4.8 step 7: a preflight needs a CORS check and an ok status.
	if !v.originOK || o.Status < 200 || o.Status > 299 {
		return v
	}
	var okM, okH bool
	v.methods, okM = tokenList(o, hACAM, false)
	v.headers, okH = tokenList(o, hACAH, true)
	v.listsOK = okM && okH
	if !v.listsOK {
		return v // step 7.3: a list that does not parse is a network error
	}
	// With no Access-Control-Allow-Methods the list is empty: Fetch §4.8
	// makes it the request's method only "if methods is null and
	// request's use-CORS-preflight flag is set", a flag XMLHttpRequest
	// sets for upload listeners, not a preflight for a method that is not
	// CORS-safelisted.
	methods := v.methods
	anyOK := !v.credentials // "*" counts only without credentials
	// Step 7.7: a method neither listed nor CORS-safelisted fails.
	if !safelistedMethod(o.Method) && !contains(methods, o.Method) && !(anyOK && contains(methods, "*")) {
		return v
	}
	// Step 7.8: each header asked for must be listed, or "*" without
	// credentials (never for Authorization).
	for _, h := range requestedHeaders(o) {
		if !contains(v.headers, h) && !(anyOK && h != "authorization" && contains(v.headers, "*")) {
			return v
		}
	}
	// Private Network Access: a preflight that asked must be answered
	// Access-Control-Allow-Private-Network: true.
	if o.RequestPrivateNetwork {
		if pna, _ := o.header(hACPN); pna != "true" {
			return v
		}
	}
	v.accepted = true
	return v
}

// tokenList parses an answer header as a comma-separated list of tokens
// (lower-cased when fold). Absent, it is an empty list; a list with an
// element that is not a token fails.
func tokenList(o *Observation, name string, fold bool) ([]string, bool) {
	value, ok := o.header(name)
	if !ok {
		return nil, true
	}
	if o.cut(name) {
		return nil, false
	}
	var out []string
	for _, it := range strings.Split(value, ",") {
		it = strings.Trim(it, " \t")
		if it == "" {
			continue
		}
		if !httpfield.IsToken(it) {
			return nil, false
		}
		if fold {
			it = strings.ToLower(it)
		}
		out = append(out, it)
	}
	return out, true
}

// requestedHeaders are the header names a preflight asked for, lower-cased.
func requestedHeaders(o *Observation) []string {
	var out []string
	for _, h := range strings.Split(o.RequestHeaders, ",") {
		if h = strings.ToLower(strings.Trim(h, " \t")); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// safelistedMethod reports a CORS-safelisted method (Fetch §2.2.1).
func safelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
