package engine

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

// Reset empties u for the next answer, keeping the space of its lists, so
// that a caller reusing one UpstreamAnswer reads answers without
// allocating.
func (u *UpstreamAnswer) Reset() {
	clear(u.AllowOrigin)
	clear(u.AllowCredentials)
	clear(u.AllowMethods)
	clear(u.AllowHeaders)
	clear(u.AllowPrivateNetwork)
	*u = UpstreamAnswer{
		AllowOrigin: u.AllowOrigin[:0], AllowCredentials: u.AllowCredentials[:0],
		AllowMethods: u.AllowMethods[:0], AllowHeaders: u.AllowHeaders[:0],
		AllowPrivateNetwork: u.AllowPrivateNetwork[:0],
	}
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
// is named by its kinds joined with "|", and bits that are no kind by
// "Disagreement(0xNN)" among them.
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
	if unknown := k &^ AllDisagreements; unknown != 0 {
		names = append(names, "Disagreement(0x"+strconv.FormatUint(uint64(unknown), 16)+")")
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
//
// It does not allocate: lists are read in place with httpfield.Scanner and
// compared as sets by mutual inclusion, so its cost is the product of the
// two lists' lengths, the policy's being bounded by its configuration (or
// by MaxRequestHeaderNames when it echoes).
func CompareUpstream(r *Request, d *Decision, u *UpstreamAnswer) Disagreement {
	// Where enforcing would pass the upstream's answer through unchanged (a
	// failing preflight forwarded, CORS headers the upstream set kept), that
	// answer is the policy's own outcome.
	v := d.verdict()
	if v.kind == PreflightRefused && !v.reply || v.upstream == KeepUpstream && len(u.AllowOrigin) > 0 {
		return 0
	}
	var k Disagreement
	switch v.kind {
	case PreflightAllowed, PreflightRefused:
		policyOK := v.kind == PreflightAllowed
		upstreamOK := acceptsPreflight(r, v.credentials, u)
		switch {
		case policyOK != upstreamOK:
			k |= PreflightVerdict
		case policyOK:
			var buf [maxDecisionHeaders]string
			if !equalJoined(d.lines(HeaderAllowOrigin, buf[:0]), u.AllowOrigin) {
				k |= PreflightOrigin
			}
			if !sameList(d.lines(HeaderAllowMethods, buf[:0]), u.AllowMethods, false) {
				k |= PreflightMethods
			}
			if !sameList(d.lines(HeaderAllowHeaders, buf[:0]), u.AllowHeaders, true) {
				k |= PreflightHeaders
			}
		}
	case ActualAllowed, ActualDisallowed:
		var buf [maxDecisionHeaders]string
		if !equalJoined(d.lines(HeaderAllowOrigin, buf[:0]), u.AllowOrigin) {
			k |= ActualOrigin
		}
		if readsTrue(d.lines(HeaderAllowCredentials, buf[:0])) != readsTrue(u.AllowCredentials) {
			k |= ActualCredentials
		}
	}
	return k
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
	if acao != r.Origin() && (acao != "*" || credentials) {
		return false
	}
	if credentials && !readsTrue(u.AllowCredentials) {
		return false
	}
	// The method must be safelisted or listed; "*" counts only without
	// credentials. A list with an element that is not a token is a network
	// error (Fetch §4.8 step 7.3, "extracting header list values").
	methods := u.AllowMethods
	if !validList(methods) {
		return false
	}
	m := r.RequestMethod
	if !isSafelistedMethod(m) && !listHas(methods, m, false) && (credentials || !listHas(methods, "*", false)) {
		return false
	}
	// Every requested header must be listed; "*" counts only without
	// credentials and never for Authorization.
	allowed := u.AllowHeaders
	if !validList(allowed) {
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
			if !listHas(allowed, name, true) &&
				(credentials || !listHas(allowed, "*", false) || strings.EqualFold(name, "authorization")) {
				return false
			}
		}
	}
	// Private Network Access: the answer must grant it when asked.
	if r.RequestPrivateNetwork == "true" && !readsTrue(u.AllowPrivateNetwork) {
		return false
	}
	return true
}

// lines appends the values of the decision's headers called name to buf.
// Only x-cors-reason has a Detail, and no caller asks for it.
func (d *Decision) lines(name string, buf []string) []string {
	for _, h := range d.verdict().list() {
		if h.Name == name {
			buf = append(buf, h.Value)
		}
	}
	return buf
}

// joinedLen is the length of the lines joined with ", ", as Fetch's "get"
// reads a header.
func joinedLen(lines []string) int {
	n := 0
	for i, l := range lines {
		if i > 0 {
			n += len(", ")
		}
		n += len(l)
	}
	return n
}

// equalJoined reports whether a and b read the same joined, without
// joining either.
func equalJoined(a, b []string) bool {
	if joinedLen(a) != joinedLen(b) {
		return false
	}
	var x, y joinedReader
	x.lines, y.lines = a, b
	for {
		c, ok := x.next()
		e, _ := y.next()
		if !ok {
			return true
		}
		if c != e {
			return false
		}
	}
}

// joinedReader reads lines joined with ", ", byte by byte.
type joinedReader struct {
	lines []string
	line  int // the line being read
	at    int // the next byte of it; len(line) and beyond: the separator
}

func (j *joinedReader) next() (byte, bool) {
	for j.line < len(j.lines) {
		l := j.lines[j.line]
		switch {
		case j.at < len(l):
			j.at++
			return l[j.at-1], true
		case j.line == len(j.lines)-1:
			j.line++
		case j.at < len(l)+len(", "):
			j.at++
			return ", "[j.at-1-len(l)], true
		default:
			j.line, j.at = j.line+1, 0
		}
	}
	return 0, false
}

// readsTrue reports whether the lines read as the value "true", as Fetch reads
// Access-Control-Allow-Credentials (joined: more than one line never is).
func readsTrue(lines []string) bool { return len(lines) == 1 && lines[0] == "true" }

// validList reports whether every element of the comma-separated lines is
// a token (Fetch "extracting header list values"; empty elements are
// ignored). Scanning each line is scanning their join: the separator is a
// comma.
func validList(lines []string) bool {
	for _, line := range lines {
		sc := httpfield.NewScanner(line)
		for {
			_, more := sc.Next()
			if sc.Invalid() {
				return false
			}
			if !more {
				break
			}
		}
	}
	return true
}

// listHas reports whether the lines list item, case-insensitively with
// fold.
func listHas(lines []string, item string, fold bool) bool {
	for _, line := range lines {
		sc := httpfield.NewScanner(line)
		for {
			it, more := sc.Next()
			if !more {
				break
			}
			if it == item || fold && strings.EqualFold(it, item) {
				return true
			}
		}
	}
	return false
}

// sameList reports whether two lists allow the same things: as sets,
// case-insensitively for header names (fold), leaving out the safelisted
// methods a preflight never needs. A list that is not valid counts as
// empty.
func sameList(a, b []string, fold bool) bool {
	return subList(a, b, fold) && subList(b, a, fold)
}

// subList reports whether every item of a is in b (see sameList).
func subList(a, b []string, fold bool) bool {
	if !validList(a) {
		return true // an invalid list is empty
	}
	validB := validList(b)
	for _, line := range a {
		sc := httpfield.NewScanner(line)
		for {
			it, more := sc.Next()
			if !more {
				break
			}
			if !fold && isSafelistedMethod(it) {
				continue
			}
			if !validB || !listHas(b, it, fold) {
				return false
			}
		}
	}
	return true
}
