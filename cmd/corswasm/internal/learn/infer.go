package learn

import (
	"fmt"
	"strconv"
	"strings"
)

// infer works out what the service does from its observations, as a
// browser reads the answers, and the values the proposal gives it.
func (s *service) infer(v *validator, risks riskFlags) {
	b, ev := &s.b, &s.ev
	ev.Observations = len(s.obs)
	// A value the filter cut is not the one sent: it is never proposed.
	echoed, starred, withCredentials := set{}, set{}, set{}
	methods, headers, expose := set{}, set{}, set{}
	maxAges, statuses := map[int]int{}, map[int]int{}
	starExpose := false
	for _, o := range s.obs {
		bv := view(o)
		if o.Kind == KindPreflight {
			b.PreflightSeen = true
			ev.Preflights++
		} else {
			b.ActualSeen = true
			ev.Actual++
		}
		if !bv.accepted {
			continue
		}
		ev.Origins++
		switch {
		case o.cut("origin"):
		case bv.wildcard:
			starred[o.Origin] = true
		default:
			echoed[o.Origin] = true
		}
		if bv.credentials {
			ev.Credentials++
			b.Credentials = true
			if !o.cut("origin") {
				withCredentials[o.Origin] = true
			}
		}
		if o.Kind == KindActual {
			ev.AcceptedActual++
			if aceh, ok := o.header(hACEH); ok && !o.cut(hACEH) {
				ev.Expose++
				for _, h := range listed(aceh, true) {
					if h == "*" {
						starExpose = true
					}
					expose[h] = true
				}
			}
			continue
		}
		ev.AcceptedPreflights++
		statuses[o.Status]++
		if _, ok := o.Answer[hACAM]; ok {
			ev.Methods++
		}
		for _, m := range bv.methods {
			if m != "*" && !safelistedMethod(m) {
				methods[m] = true
			}
		}
		if !safelistedMethod(o.Method) && !o.cut("method") {
			methods[o.Method] = true // allowed: step 7.7 passed
		}
		if _, ok := o.Answer[hACAH]; ok {
			ev.Headers++
		}
		for _, h := range bv.headers {
			if h != "*" {
				headers[h] = true
			}
		}
		if !o.cut("request_headers") {
			for _, h := range requestedHeaders(o) {
				headers[h] = true // allowed: step 7.8 passed
			}
		}
		if acma, ok := o.header(hACMA); ok {
			ev.MaxAge++
			if n, err := strconv.Atoi(acma); err == nil && n >= 0 && allDigits(acma) {
				maxAges[n]++
			} else {
				s.note("Access-Control-Max-Age %q is not a number of seconds; browsers use 5 seconds", shorten(acma))
			}
		}
		if o.RequestPrivateNetwork {
			ev.PrivateNetwork++
			b.PrivateNetwork = true
		}
	}
	if ev.Credentials > 0 && ev.Credentials < ev.Origins {
		s.note("%d of %d accepted answers allowed credentials; the proposal allows them, and lists only the origins seen allowed with them", ev.Credentials, ev.Origins)
	}
	s.inferOrigins(v, echoed, starred, withCredentials, risks)
	if b.PreflightSeen {
		b.Methods = s.keep(v, "allow_methods", methods.sorted(), v.method)
		b.Headers = s.keep(v, "allow_headers", headers.sorted(), v.header)
		if n, ok := mostCommon(maxAges); ok {
			if len(maxAges) > 1 {
				s.note("Access-Control-Max-Age differed between answers; proposing the most common, %d", n)
			}
			if n > 86400 {
				s.note("Access-Control-Max-Age %d is above corswasm's limit; proposing 86400", n)
				n = 86400
			}
			b.MaxAge = &n
		}
		if st, ok := mostCommon(statuses); ok {
			if st == 200 || st == 204 {
				b.PreflightStatus = &st
			} else {
				s.note("accepted preflights were answered %d; corswasm answers 200 or 204 (default 204)", st)
			}
		}
	}
	if b.ActualSeen {
		if starExpose && b.Credentials {
			delete(expose, "*")
			s.drop("expose_headers", "*", "with credentials browsers read \"*\" as a header named \"*\"")
		}
		b.Expose = s.keep(v, "expose_headers", expose.sorted(), func(h string) string { return v.expose(h, b.Credentials) })
	}
}

// inferOrigins sets the allowed origins: "*" when the service answered "*"
// without credentials, the exact origins seen allowed otherwise (with
// credentials: seen allowed with them), less those corswasm would refuse
// or the service could not have meant.
func (s *service) inferOrigins(v *validator, echoed, starred, withCredentials set, risks riskFlags) {
	b := &s.b
	if len(starred) > 0 && !b.Credentials && !risks.starWithCredentials {
		b.Origins = []string{"*"}
		if len(echoed) > 0 {
			s.note("some answers allowed the origin itself, others \"*\"; proposing \"*\"")
		}
		return
	}
	all := set{}
	for o := range echoed {
		all[o] = true
	}
	for o := range starred {
		all[o] = true
	}
	b.Origins = []string{}
	for _, o := range all.sorted() {
		so, valid := parseOrigin(o)
		switch {
		case o == "null":
			s.drop("allow_origins", o, "the opaque origin: sandboxed documents, data: URLs and redirects send it, so anyone can")
		case !valid:
			s.drop("allow_origins", o, "not an origin as browsers send it")
		case risks.reflects && !so.plausible():
			s.drop("allow_origins", o, "not a plausible site: a probe the service reflected")
		case b.Credentials && !withCredentials[o]:
			s.drop("allow_origins", o, "never seen allowed with credentials (it got \"*\" or no Access-Control-Allow-Credentials: true), and the proposal allows them")
		case b.Credentials && so.scheme == "http" && !so.loopback():
			s.drop("allow_origins", o, "an http origin with credentials: anyone on the network path can impersonate it")
		default:
			if p := v.origin(o, b.Credentials); p != "" {
				s.drop("allow_origins", o, p)
			} else {
				b.Origins = append(b.Origins, o)
			}
		}
	}
}

// keep returns the values check accepts, dropping the others with the
// reason.
func (s *service) keep(v *validator, field string, values []string, check func(string) string) []string {
	var out []string
	for _, x := range values {
		if p := check(x); p != "" {
			s.drop(field, x, p)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (s *service) drop(field, value, reason string) {
	s.dropped = append(s.dropped, Dropped{Field: field, Value: value, Reason: reason})
}

func (s *service) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !contains(s.notes, n) {
		s.notes = append(s.notes, n)
	}
}

// unobserved lists what the observations do not show.
func (s *service) unobserved() []string {
	var out []string
	ev, b := &s.ev, &s.b
	add := func(cond bool, what string) {
		if cond {
			out = append(out, what)
		}
	}
	add(ev.Preflights == 0, "no preflight seen: methods, request headers, max age, private network access and preflight status are the top level's")
	add(ev.Preflights > 0 && ev.AcceptedPreflights == 0, "no preflight was accepted: no method or request header is allowed")
	add(ev.Actual == 0, "no actual request seen: exposed headers are the top level's")
	add(ev.Actual > 0 && ev.AcceptedActual == 0, "no actual request was accepted")
	add(ev.Credentials == 0, "no answer allowed credentials")
	add(ev.AcceptedPreflights > 0 && ev.MaxAge == 0, "no Access-Control-Max-Age seen")
	add(ev.AcceptedPreflights > 0 && ev.PrivateNetwork == 0, "no private network access preflight seen")
	add(b.PreflightSeen && !anyRequestedHeaders(s.obs), "no preflight asked for request headers")
	return out
}

func anyRequestedHeaders(obs []*Observation) bool {
	for _, o := range obs {
		if o.Kind == KindPreflight && strings.TrimSpace(o.RequestHeaders) != "" {
			return true
		}
	}
	return false
}
