package policy

import (
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/httpfield"
)

// UpstreamAnswer is what an upstream answered to a CORS request, as audit
// mode compares it with the policy: the status and every line of the
// Access-Control-* headers a browser reads.
type UpstreamAnswer struct {
	Status              int
	AllowOrigin         []string
	AllowCredentials    []string
	AllowMethods        []string
	AllowHeaders        []string
	AllowPrivateNetwork []string
}

// Disagreement is a set of ways an upstream's answer differs from what the
// policy would have sent.
type Disagreement uint8

// The kinds of disagreement.
const (
	// PreflightVerdict: the browser would accept one preflight answer and
	// refuse the other.
	PreflightVerdict Disagreement = 1 << iota
	// PreflightOrigin: both accepted, with different
	// Access-Control-Allow-Origin values.
	PreflightOrigin
	// PreflightMethods: both accepted, allowing different methods.
	PreflightMethods
	// PreflightHeaders: both accepted, allowing different headers.
	PreflightHeaders
	// ActualOrigin: different Access-Control-Allow-Origin on an actual
	// request's response.
	ActualOrigin
	// ActualCredentials: different Access-Control-Allow-Credentials.
	ActualCredentials

	numDisagreements = iota
)

var disagreementNames = [numDisagreements]string{
	"preflight_verdict", "preflight_origin", "preflight_methods", "preflight_headers",
	"actual_origin", "actual_credentials",
}

// Kinds lists the kinds of disagreement, in order; their names (String)
// are the suffixes of the audit counters.
func (k Disagreement) Kinds() []Disagreement {
	var out []Disagreement
	for i := range numDisagreements {
		if k&(1<<i) != 0 {
			out = append(out, 1<<i)
		}
	}
	return out
}

// AllDisagreements is the set of every kind.
const AllDisagreements Disagreement = 1<<numDisagreements - 1

// String names a kind, e.g. "preflight_methods"; a set of several kinds
// is named by its kinds joined with "|".
func (k Disagreement) String() string {
	for i := range numDisagreements {
		if k == 1<<i {
			return disagreementNames[i]
		}
	}
	var names []string
	for _, kind := range k.Kinds() {
		names = append(names, kind.String())
	}
	return strings.Join(names, "|")
}

// CompareUpstream compares the upstream's answer to a CORS request with the
// decision the policy made for it (which audit mode did not enforce). For a
// preflight it asks whether the browser would accept each answer for this
// request (Fetch §4.8 and the CORS check of §4.9) and, when both would,
// whether they allow the same origin, methods and headers; for an actual
// request it compares Access-Control-Allow-Origin and -Credentials. The
// browser's credentials mode is assumed to be the policy's
// allow_credentials.
func CompareUpstream(r *Request, d *Decision, u *UpstreamAnswer) Disagreement {
	// Where enforcing would pass the upstream's answer through unchanged (a
	// failing preflight forwarded, CORS headers the upstream set kept), that
	// answer is the policy's own outcome.
	if d.Kind == PreflightRefused && !d.Reply || d.Upstream == KeepUpstream && len(u.AllowOrigin) > 0 {
		return 0
	}
	var k Disagreement
	switch d.Kind {
	case PreflightAllowed, PreflightRefused:
		policyOK := d.Kind == PreflightAllowed
		upstreamOK := acceptsPreflight(r, d.credentials, u)
		switch {
		case policyOK != upstreamOK:
			k |= PreflightVerdict
		case policyOK:
			if d.value(HeaderAllowOrigin) != join(u.AllowOrigin) {
				k |= PreflightOrigin
			}
			if !sameList(d.value(HeaderAllowMethods), join(u.AllowMethods), false) {
				k |= PreflightMethods
			}
			if !sameList(d.value(HeaderAllowHeaders), join(u.AllowHeaders), true) {
				k |= PreflightHeaders
			}
		}
	case ActualAllowed, ActualDisallowed:
		if d.value(HeaderAllowOrigin) != join(u.AllowOrigin) {
			k |= ActualOrigin
		}
		if (d.value(HeaderAllowCredentials) == "true") != (join(u.AllowCredentials) == "true") {
			k |= ActualCredentials
		}
	}
	return k
}

// Describe renders, for one kind of disagreement, what the policy would
// have done and what the upstream did, as phrases for a log line: "policy
// would " + policy + "; upstream " + upstream.
func Describe(k Disagreement, d *Decision, u *UpstreamAnswer) (policy, upstream string) {
	header := func(name string, lines []string) (string, string) {
		return "send " + name + ": " + quoteOrNone(d.value(name)), "sent " + name + ": " + quoteOrNone(join(lines))
	}
	switch k {
	case PreflightVerdict:
		if d.Kind == PreflightAllowed {
			return "allow the preflight", "sent an answer the browser would refuse (status " + strconv.Itoa(u.Status) +
				", access-control-allow-origin: " + quoteOrNone(join(u.AllowOrigin)) + ")"
		}
		return "refuse the preflight (" + d.Reason.String() + ")", "sent an answer the browser would accept"
	case PreflightOrigin, ActualOrigin:
		return header(HeaderAllowOrigin, u.AllowOrigin)
	case PreflightMethods:
		return header(HeaderAllowMethods, u.AllowMethods)
	case PreflightHeaders:
		return header(HeaderAllowHeaders, u.AllowHeaders)
	case ActualCredentials:
		return header(HeaderAllowCredentials, u.AllowCredentials)
	}
	return "", ""
}

// acceptsPreflight reports whether a browser would accept the upstream's
// answer as the preflight of r.
func acceptsPreflight(r *Request, credentials bool, u *UpstreamAnswer) bool {
	// Fetch §4.8: a preflight's response must have an ok status and pass
	// the CORS check (§4.9).
	if u.Status < 200 || u.Status > 299 || len(u.AllowOrigin) != 1 {
		return false
	}
	acao := u.AllowOrigin[0]
	if acao != r.Origin && (acao != "*" || credentials) {
		return false
	}
	if credentials && join(u.AllowCredentials) != "true" {
		return false
	}
	// The method must be safelisted or listed; "*" counts only without
	// credentials.
	methods, ok := listItems(join(u.AllowMethods))
	if !ok {
		return false
	}
	m := r.RequestMethod
	if !isSafelistedMethod(m) && !contains(methods, m) && (credentials || !contains(methods, "*")) {
		return false
	}
	// Every requested header must be listed; "*" counts only without
	// credentials and never for Authorization.
	allowed, ok := listItems(join(u.AllowHeaders))
	if !ok {
		return false
	}
	for _, line := range r.RequestHeaders {
		sc := httpfield.NewScanner(line)
		for {
			name, more := sc.Next()
			if sc.Invalid() {
				return false
			}
			if !more {
				break
			}
			if !containsFold(allowed, name) &&
				(credentials || !contains(allowed, "*") || strings.EqualFold(name, "authorization")) {
				return false
			}
		}
	}
	// Private Network Access: the answer must grant it when asked.
	if r.RequestPrivateNetwork == "true" && join(u.AllowPrivateNetwork) != "true" {
		return false
	}
	return true
}

// value returns the value of a header of the decision, "" when absent
// (lines of the same name joined, as a browser reads them).
func (d *Decision) value(name string) string {
	var lines []string
	for _, h := range d.Headers() {
		if h.Name == name {
			lines = append(lines, h.Value)
		}
	}
	return join(lines)
}

// join combines header lines as Fetch's "get" does.
func join(lines []string) string { return strings.Join(lines, ", ") }

// listItems splits a comma-separated list of tokens (Fetch "extracting
// header list values"), ignoring empty elements; ok is false if an element
// is not a token.
func listItems(v string) (items []string, ok bool) {
	sc := httpfield.NewScanner(v)
	for {
		item, more := sc.Next()
		if sc.Invalid() {
			return nil, false
		}
		if !more {
			return items, true
		}
		items = append(items, item)
	}
}

// sameList reports whether two lists allow the same things: as sets,
// case-insensitively for header names, leaving out the safelisted methods
// a preflight never needs.
func sameList(a, b string, fold bool) bool {
	norm := func(v string) map[string]bool {
		items, _ := listItems(v)
		set := make(map[string]bool)
		for _, it := range items {
			if fold {
				it = strings.ToLower(it)
			} else if isSafelistedMethod(it) {
				continue
			}
			set[it] = true
		}
		return set
	}
	x, y := norm(a), norm(b)
	if len(x) != len(y) {
		return false
	}
	for it := range x {
		if !y[it] {
			return false
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// maxDescribed bounds the length of a header value Describe shows.
const maxDescribed = 128

func quoteOrNone(v string) string {
	switch {
	case v == "":
		return "(none)"
	case len(v) > maxDescribed:
		return quote(v[:maxDescribed]) + "…"
	}
	return quote(v)
}
