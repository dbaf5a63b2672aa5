package main

import (
	"fmt"
	"strings"
)

// printExplanation writes an explanation for a person: the request, how
// the policy classified it, the rule that decided, the verdict, and what
// the filter sends.
func printExplanation(e *env, x explanation) {
	w := e.stdout
	r := x.Request
	host := r.Host
	if host == "" {
		host = "(no host)"
	}
	fmt.Fprintf(w, "request:     %s %s://%s%s\n", r.Method, r.Scheme, host, r.Path)
	if r.Route != "" {
		fmt.Fprintf(w, "             route: %s\n", r.Route)
	}
	if r.VirtualHost != "" {
		fmt.Fprintf(w, "             virtual host: %s\n", r.VirtualHost)
	}
	if r.Origin != "" {
		fmt.Fprintf(w, "             origin: %s\n", r.Origin)
	}
	if r.RequestMethod != "" {
		fmt.Fprintf(w, "             access-control-request-method: %s\n", r.RequestMethod)
	}
	for _, h := range r.RequestHeaders {
		fmt.Fprintf(w, "             access-control-request-headers: %s\n", h)
	}
	if r.PrivateNetwork {
		fmt.Fprintf(w, "             access-control-request-private-network: true\n")
	}
	fmt.Fprintf(w, "kind:        %s\n", x.Classification)
	if x.RuleIndex == 0 {
		fmt.Fprintf(w, "decided by:  the top-level policy\n")
	} else {
		fmt.Fprintf(w, "decided by:  rules[%d] %q\n", x.RuleIndex-1, x.Rule)
	}
	fmt.Fprintf(w, "verdict:     %s\n", x.Verdict)
	if x.Reason != "" {
		fmt.Fprintf(w, "reason:      %s\n", x.Reason)
	}
	if x.Rollout != "" {
		fmt.Fprintf(w, "rollout:     %s\n", x.Rollout)
	}
	printOutcome(e, x.outcomeReport, "")
	if x.Enforcing != nil {
		fmt.Fprintln(w, "enforcing, the filter would instead:")
		printOutcome(e, *x.Enforcing, "  ")
	}
	if len(x.Upstream) == 0 && (x.Action == "forward, edit the response" || x.Enforcing != nil) {
		fmt.Fprintln(w, "(assuming an upstream response without CORS, Vary or isolation headers; give them with --response-header 'name: value')")
	}
}

// printOutcome writes what the filter does, indented by indent.
func printOutcome(e *env, o outcomeReport, indent string) {
	w := e.stdout
	switch o.Action {
	case "pass through":
		fmt.Fprintf(w, "%saction:      the request and its response pass untouched (enabled: false)\n", indent)
	case "audit only":
		fmt.Fprintf(w, "%saction:      the request and its response pass untouched (audit mode); the upstream's answer is compared with the verdict, and a disagreement counted and logged\n", indent)
	case "forward untouched":
		fmt.Fprintf(w, "%saction:      the preflight goes to the upstream untouched (on_unmatched_preflight); its answer passes unchanged\n", indent)
	case "local reply":
		fmt.Fprintf(w, "%saction:      the filter answers locally, without a body; the upstream never sees the request\n", indent)
		fmt.Fprintf(w, "%sreply:       %d\n", indent, o.Status)
		printHeaders(e, o.Headers, indent+"             ")
	default:
		fmt.Fprintf(w, "%saction:      the request goes to the upstream; the filter edits its response\n", indent)
		if len(o.Removed) > 0 {
			fmt.Fprintf(w, "%sremoves:     %s (the upstream's own; upstream_cors_headers: replace)\n", indent, strings.Join(o.Removed, ", "))
		}
		if o.KeptUpstream {
			fmt.Fprintf(w, "%skeeps:       the upstream's own CORS headers (upstream_cors_headers: keep), adding none\n", indent)
		}
		if len(o.Headers) == 0 {
			fmt.Fprintf(w, "%sadds:        nothing\n", indent)
			return
		}
		fmt.Fprintf(w, "%sadds:\n", indent)
		printHeaders(e, o.Headers, indent+"             ")
	}
}

func printHeaders(e *env, hs []headerReport, indent string) {
	for _, h := range hs {
		fmt.Fprintf(e.stdout, "%s%s: %s\n", indent, h.Name, h.Value)
	}
}
