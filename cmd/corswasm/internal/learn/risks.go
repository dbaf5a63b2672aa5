package learn

import (
	"fmt"
	"sort"
	"strings"
)

// Risk codes (the observation spec's "Risk codes").
const (
	RiskReflectsAnyOrigin        = "reflects_any_origin"
	RiskAllowsNullOrigin         = "allows_null_origin"
	RiskAllowsInvalidOrigin      = "allows_invalid_origin"
	RiskCredentialsWithAnyOrigin = "credentials_with_any_origin"
	RiskMissingVaryOrigin        = "missing_vary_origin"
	RiskAllowsAnyRequestHeader   = "allows_any_request_header"
	RiskAllowsAnyMethod          = "allows_any_method"
	maxEvidence                  = 10
	reflectionSites              = 3
	credentialSites              = 2
)

// RiskService names the service a risk is about; Rule is the audit
// configuration's rule that decided its requests ("" for the top level).
type RiskService struct {
	Host string `json:"host"`
	Rule string `json:"rule"`
	Path string `json:"path"`
}

// Risk is one risk of what a service does, with the observations that
// show it (at most 10; Count says how many there were).
type Risk struct {
	Service  RiskService    `json:"service"`
	Risk     string         `json:"risk"`
	Evidence []*Observation `json:"evidence"`
	Count    int            `json:"evidence_count"`
	Message  string         `json:"message"`
}

// riskFlags are the findings inference needs.
type riskFlags struct {
	reflects, starWithCredentials bool
}

// findRisks finds the service's risks from its observations.
func (s *service) findRisks() riskFlags {
	var f riskFlags
	var echoed, nullAllowed, invalid, probes, starCreds, noVary, anyHeader, anyMethod []*Observation
	sites, accepted, refused := set{}, set{}, set{}
	bySite := map[string]set{}
	for _, o := range s.obs {
		bv := view(o)
		acao, _ := o.header(hACAO)
		// Only a refused origin a reflecting service would have echoed
		// shows an allowlist: a valid, plausible one. A client can send
		// `null` or junk that a service echoing every well-formed origin
		// refuses.
		if !o.cut("origin") && o.Origin != "null" {
			if bv.originOK {
				accepted[o.Origin] = true
			} else if so, valid := parseOrigin(o.Origin); valid && so.plausible() {
				refused[o.Origin] = true
			}
		}
		if acac, _ := o.header(hACAC); acao == "*" && acac == "true" {
			starCreds = append(starCreds, o)
		}
		if !bv.originOK || bv.wildcard || o.cut("origin") {
			continue
		}
		switch so, valid := parseOrigin(o.Origin); {
		case o.Origin == "null":
			nullAllowed = append(nullAllowed, o)
		case !valid:
			invalid = append(invalid, o)
		default:
			echoed = append(echoed, o)
			sites[so.site()] = true
			if bySite[so.site()] == nil {
				bySite[so.site()] = set{}
			}
			bySite[so.site()][o.Origin] = true
			if !so.plausible() {
				probes = append(probes, o)
			}
		}
	}
	credentials := false
	for _, o := range echoed {
		credentials = credentials || view(o).credentials
	}
	everyOrigin := len(refused) == 0 || allIn(refused, accepted)
	// With credentials, two sites allowed and no origin ever refused, an
	// allowlist cannot be told from reflection: both answer what they
	// were sent.
	unrefused := credentials && len(sites) >= credentialSites && len(refused) == 0
	every := everyOrigin && len(sites) >= reflectionSites
	if every || len(probes) > 0 || unrefused {
		f.reflects = true
		msg := fmt.Sprintf("allowed every origin it was sent, from %d unrelated sites", len(sites))
		switch {
		case len(probes) > 0:
			msg = fmt.Sprintf("allowed an origin it cannot have meant, %q: it reflects the Origin it is sent", shorten(probes[0].Origin))
		case !every:
			msg = fmt.Sprintf("allowed credentials to origins of %d sites and refused no origin: an allowlist cannot be told from reflection without a refused origin (%s)", len(sites), originsBySite(bySite))
		}
		s.risk(RiskReflectsAnyOrigin, echoed, msg+"; the proposal lists the plausible origins seen instead: review them, a reflecting service allows whoever asks")
	}
	if len(nullAllowed) > 0 {
		s.risk(RiskAllowsNullOrigin, nullAllowed, "allowed Origin: null, which sandboxed documents and redirects send: any site can; the proposal leaves it out")
	}
	if len(invalid) > 0 {
		s.risk(RiskAllowsInvalidOrigin, invalid, "echoed an Origin that is not an origin as browsers send it: it reflects what it is sent; the proposal leaves it out")
	}
	if len(starCreds) > 0 || f.reflects && credentials {
		f.starWithCredentials = len(starCreds) > 0
		ev := starCreds
		if len(ev) == 0 {
			ev = echoed
		}
		s.risk(RiskCredentialsWithAnyOrigin, ev, "allows credentials to any origin: any site can read its users' responses; the proposal lists the origins seen instead: review them")
	}
	// The answer depends on the origin when an origin is echoed, or one
	// origin is refused where another is allowed.
	if len(echoed)+len(nullAllowed)+len(invalid) > 0 || len(accepted) > 0 && len(refused) > 0 && !allIn(refused, accepted) {
		for _, o := range s.obs {
			if !varyOrigin(o) {
				noVary = append(noVary, o)
			}
		}
		if len(noVary) > 0 {
			s.risk(RiskMissingVaryOrigin, noVary, "its Access-Control-Allow-Origin depends on the origin but some answers lack Vary: Origin: a cache may serve one origin's answer to another (corswasm adds Vary: Origin)")
		}
	}
	anyHeader, anyMethod = echoes(s.obs)
	if len(anyHeader) > 0 {
		s.risk(RiskAllowsAnyRequestHeader, anyHeader, "allowed whatever request headers a preflight asked for; the proposal lists the headers seen allowed")
	}
	if len(anyMethod) > 0 {
		s.risk(RiskAllowsAnyMethod, anyMethod, "allowed whatever method a preflight asked for; the proposal lists the methods seen allowed")
	}
	return f
}

// echoes finds the accepted preflights whose Access-Control-Allow-Headers
// (Methods) was "*", or echoed what was asked when what was asked varied,
// unless the service also refused a header (method) an allowed origin
// asked for: one that answers with the part of a fixed list that was
// asked allows some headers, not any.
func echoes(obs []*Observation) (headers, methods []*Observation) {
	var hEcho, mEcho []*Observation
	hAsked, mAsked := set{}, set{}
	hOther, mOther := false, false
	for _, o := range obs {
		if o.Kind != KindPreflight {
			continue
		}
		bv := view(o)
		if !bv.accepted {
			h, m := refusedAsked(o, bv)
			hOther, mOther = hOther || h, mOther || m
			continue
		}
		if contains(bv.headers, "*") {
			headers = append(headers, o)
		}
		if contains(bv.methods, "*") {
			methods = append(methods, o)
		}
		if asked := requestedHeaders(o); len(asked) > 0 {
			if sameSet(asked, bv.headers) {
				hEcho = append(hEcho, o)
				hAsked[strings.Join(sortedCopy(asked), ",")] = true
			} else {
				hOther = true
			}
		}
		if _, ok := o.Answer[hACAM]; ok && !safelistedMethod(o.Method) {
			if len(bv.methods) == 1 && bv.methods[0] == o.Method {
				mEcho = append(mEcho, o)
				mAsked[o.Method] = true
			} else {
				mOther = true
			}
		}
	}
	if len(hAsked) >= 2 && !hOther {
		headers = append(headers, hEcho...)
	}
	if len(mAsked) >= 2 && !mOther {
		methods = append(methods, mEcho...)
	}
	return headers, methods
}

// refusedAsked says whether a preflight that passed the CORS check with an
// ok status (Fetch §4.8 step 7) was refused for a header (method) it asked
// for: one neither listed nor allowed by "*" (step 7.8; step 7.7).
func refusedAsked(o *Observation, bv browserView) (header, method bool) {
	if !bv.originOK || !bv.listsOK {
		return false, false
	}
	anyOK := !bv.credentials
	for _, h := range requestedHeaders(o) {
		if !contains(bv.headers, h) && !(anyOK && h != "authorization" && contains(bv.headers, "*")) {
			header = true
		}
	}
	if !safelistedMethod(o.Method) && !contains(bv.methods, o.Method) && !(anyOK && contains(bv.methods, "*")) {
		method = true
	}
	return header, method
}

// varyOrigin reports whether the answer's Vary lists Origin or "*".
func varyOrigin(o *Observation) bool {
	v, _ := o.header(hVary)
	for _, it := range listed(v, true) {
		if it == "origin" || it == "*" {
			return true
		}
	}
	return false
}

func allIn(a, b set) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func sortedCopy(l []string) []string {
	s := set{}
	for _, x := range l {
		s[x] = true
	}
	return s.sorted()
}

func (s *service) risk(code string, ev []*Observation, message string) {
	r := Risk{Service: RiskService{Host: s.key.Host, Rule: strings.Join(s.rules, ","), Path: s.key.Path}, Risk: code, Count: len(ev), Message: message}
	r.Evidence = ev[:min(len(ev), maxEvidence)]
	s.risks = append(s.risks, r)
}

// originsBySite lists origins by site: "site: a, b; site2: c", sites in
// order, at most maxEvidence origins in all.
func originsBySite(bySite map[string]set) string {
	sites := make([]string, 0, len(bySite))
	for k := range bySite {
		sites = append(sites, k)
	}
	sort.Strings(sites)
	var parts []string
	n := 0
	for _, site := range sites {
		origins := bySite[site].sorted()
		if n+len(origins) > maxEvidence {
			origins = origins[:max(0, maxEvidence-n)]
		}
		n += len(origins)
		if len(origins) == 0 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, site+": "+strings.Join(origins, ", "))
	}
	return strings.Join(parts, "; ")
}
