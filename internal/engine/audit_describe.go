package engine

import "strconv"

// Describe renders, for one kind of disagreement, what the policy would
// have done and what the upstream did, as phrases for a log line: "policy
// would " + policy + "; upstream " + upstream.
func Describe(k Disagreement, d *Decision, u *UpstreamAnswer) (policy, upstream string) {
	return string(appendPolicyPhrase(nil, k, d)), string(appendUpstreamPhrase(nil, k, d, u))
}

// AppendDescription appends to b what Describe says, as the audit log
// line has it: "policy would " + policy + "; upstream " + upstream. It
// allocates nothing when b has room: the filter logs disagreements from a
// reused buffer.
func AppendDescription(b []byte, k Disagreement, d *Decision, u *UpstreamAnswer) []byte {
	b = append(b, "policy would "...)
	b = appendPolicyPhrase(b, k, d)
	b = append(b, "; upstream "...)
	return appendUpstreamPhrase(b, k, d, u)
}

// describedHeader is the header a kind of disagreement is about ("" for a
// verdict).
func describedHeader(k Disagreement) string {
	switch k {
	case PreflightOrigin, ActualOrigin:
		return HeaderAllowOrigin
	case PreflightMethods:
		return HeaderAllowMethods
	case PreflightHeaders:
		return HeaderAllowHeaders
	case ActualCredentials:
		return HeaderAllowCredentials
	}
	return ""
}

func appendPolicyPhrase(b []byte, k Disagreement, d *Decision) []byte {
	if k == PreflightVerdict {
		if d.Kind() == PreflightAllowed {
			return append(b, "allow the preflight"...)
		}
		b = append(b, "refuse the preflight ("...)
		b = append(b, d.Reason().String()...)
		return append(b, ')')
	}
	name := describedHeader(k)
	if name == "" {
		return b
	}
	var buf [maxDecisionHeaders]string
	b = append(append(append(b, "send "...), name...), ": "...)
	return appendQuotedLines(b, d.lines(name, buf[:0]))
}

func appendUpstreamPhrase(b []byte, k Disagreement, d *Decision, u *UpstreamAnswer) []byte {
	if k == PreflightVerdict {
		if d.Kind() != PreflightAllowed {
			return append(b, "sent an answer the browser would accept"...)
		}
		b = append(b, "sent an answer the browser would refuse (status "...)
		b = strconv.AppendInt(b, int64(u.Status), 10)
		b = append(b, ", access-control-allow-origin: "...)
		return append(appendQuotedLines(b, u.AllowOrigin), ')')
	}
	name := describedHeader(k)
	if name == "" {
		return b
	}
	b = append(append(append(b, "sent "...), name...), ": "...)
	return appendQuotedLines(b, upstreamLines(k, u))
}

// upstreamLines are the upstream's lines of the header a disagreement is
// about.
func upstreamLines(k Disagreement, u *UpstreamAnswer) []string {
	switch k {
	case PreflightOrigin, ActualOrigin:
		return u.AllowOrigin
	case PreflightMethods:
		return u.AllowMethods
	case PreflightHeaders:
		return u.AllowHeaders
	case ActualCredentials:
		return u.AllowCredentials
	}
	return nil
}

// maxDescribed bounds how much of a header value a description shows.
const maxDescribed = 128

// appendQuotedLines appends the lines joined with ", " (a header as a
// browser reads it) as a quoted Go string, its first maxDescribed bytes
// followed by "…" when longer, or "(none)" when empty; without building
// the joined value.
func appendQuotedLines(b []byte, lines []string) []byte {
	n := joinedLen(lines)
	if n == 0 {
		return append(b, "(none)"...)
	}
	b = append(b, '"')
	budget := maxDescribed
	for i, l := range lines {
		if i > 0 {
			b, budget = appendEscaped(b, ", ", budget)
		}
		b, budget = appendEscaped(b, l, budget)
	}
	b = append(b, '"')
	if n > maxDescribed {
		b = append(b, "…"...)
	}
	return b
}

// appendEscaped appends at most budget bytes of s, escaped as inside a Go
// string literal, and returns the budget left.
func appendEscaped(b []byte, s string, budget int) ([]byte, int) {
	if len(s) > budget {
		s = s[:budget]
	}
	start := len(b)
	b = strconv.AppendQuote(b, s)
	// Drop the quotes AppendQuote put around it.
	copy(b[start:], b[start+1:len(b)-1])
	return b[:len(b)-2], budget - len(s)
}
