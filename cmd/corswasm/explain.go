package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/internal/engine"
)

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// explainRequest is the request explain evaluates, as flags describe it.
type explainRequest struct {
	Method         string   `json:"method"`
	Scheme         string   `json:"scheme"`
	Host           string   `json:"host,omitempty"`
	Path           string   `json:"path"`
	Origin         string   `json:"origin,omitempty"`
	RequestMethod  string   `json:"request_method,omitempty"`
	RequestHeaders []string `json:"request_headers,omitempty"`
	PrivateNetwork bool     `json:"private_network,omitempty"`
	Route          string   `json:"route,omitempty"`
	VirtualHost    string   `json:"virtual_host,omitempty"`
}

// explanation is explain's --json output.
type explanation struct {
	Request        explainRequest `json:"request"`
	Classification string         `json:"classification"`
	RuleIndex      int            `json:"rule_index"`
	Rule           string         `json:"rule,omitempty"`
	Verdict        string         `json:"verdict"`
	Reason         string         `json:"reason,omitempty"`
	// Rollout says, when the deciding policy enforces a share of its
	// requests (enforce_percent), whether this origin and host fall in it.
	Rollout string `json:"rollout,omitempty"`
	outcomeReport
	// Response is what the browser receives: the local reply's headers, or
	// the upstream's (Upstream) after the filter's edits.
	Response []headerReport `json:"response"`
	Upstream []headerReport `json:"upstream,omitempty"`
	// Enforcing is, in audit mode, what the filter would do if the policy
	// enforced.
	Enforcing *outcomeReport `json:"enforcing,omitempty"`
}

// outcomeReport is a engine.Outcome for tools.
type outcomeReport struct {
	Action       string         `json:"action"`
	Status       int            `json:"status,omitempty"`
	Headers      []headerReport `json:"headers"`
	Removed      []string       `json:"removed,omitempty"`
	KeptUpstream bool           `json:"kept_upstream,omitempty"`
}

type headerReport struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func reportHeaders(hs []engine.Header) []headerReport {
	out := make([]headerReport, len(hs))
	for i, h := range hs {
		out[i] = headerReport{h.Name, h.Value}
	}
	return out
}

func reportOutcome(o engine.Outcome) outcomeReport {
	return outcomeReport{Action: o.Action.String(), Status: o.Status, Headers: reportHeaders(o.Headers),
		Removed: o.Removed, KeptUpstream: o.KeptUpstream}
}

// explain says what the filter does with one request.
func (e *env) explain(args []string) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "write the explanation as JSON")
	plugin := fs.String("plugin", "", "explain the Wasm plugin this `pattern` names (as check's --plugin)")
	var r explainRequest
	var acrh, upstream stringList
	fs.StringVar(&r.Origin, "origin", "", "the request's Origin (none: not a CORS request)")
	fs.StringVar(&r.Method, "method", "", "the request method (default OPTIONS with --request-method, else GET)")
	fs.StringVar(&r.RequestMethod, "request-method", "", "Access-Control-Request-Method: makes an OPTIONS request a preflight")
	fs.Var(&acrh, "request-headers", "an Access-Control-Request-Headers line, e.g. 'content-type, authorization' (repeatable)")
	fs.BoolVar(&r.PrivateNetwork, "private-network", false, "send Access-Control-Request-Private-Network: true")
	fs.StringVar(&r.Host, "host", "", "the request's :authority, which chooses rules")
	fs.StringVar(&r.Path, "path", "/", "the request's :path, which chooses rules")
	fs.StringVar(&r.Scheme, "scheme", "https", "the request's :scheme")
	fs.StringVar(&r.Route, "route", "", "the name of the route Envoy chose (xds.route_name), which chooses rules")
	fs.StringVar(&r.VirtualHost, "virtual-host", "", "the name of the virtual host Envoy chose (xds.virtual_host_name), which chooses rules")
	fs.Var(&upstream, "response-header", "a header of the upstream's response, 'name: value' (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm explain [--json] [--plugin PATTERN] FILE --origin ORIGIN [flags]")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) != 1 {
		fs.Usage()
		return exitUsage
	}
	r.RequestHeaders = acrh
	if r.Method == "" {
		r.Method = "GET"
		if r.RequestMethod != "" {
			r.Method = "OPTIONS"
		}
	}
	var up []engine.Header
	for _, h := range upstream {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			fmt.Fprintf(e.stderr, "corswasm explain: --response-header %q: want 'name: value'\n", h)
			return exitUsage
		}
		up = append(up, engine.Header{Name: strings.ToLower(strings.TrimSpace(name)), Value: strings.TrimSpace(value)})
	}

	pol, status := e.loadOne(files[0], *plugin)
	if pol == nil {
		return status
	}
	x := explainWith(pol, r, up)
	if *asJSON {
		out, _ := json.MarshalIndent(x, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", out)
		return exitOK
	}
	printExplanation(e, x)
	return exitOK
}

// loadOne loads the one corswasm configuration of a file (or the one
// plugin pattern names), printing its problems when it has any, and the
// plugins it skipped.
func (e *env) loadOne(file, pattern string) (*engine.Policy, int) {
	data, err := e.readInput(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
		return nil, exitUsage
	}
	var patterns []string
	if pattern != "" {
		patterns = []string{pattern}
	}
	in := readConfigs(file, data, patterns)
	for _, f := range in.configs {
		if f.Verdict != configsource.Corswasm {
			fmt.Fprintf(e.stderr, "%s: note: %s [%s]\n", f.label(), f.note(), f.Code)
		}
	}
	taken := in.taken()
	switch {
	case len(taken) == 0:
		prob := in.noConfiguration()
		if pattern != "" {
			// As check says it: the --plugin names nothing, rather than
			// the file holds nothing.
			if nf := pluginNotFound(pattern, []inputFile{in}); nf != nil {
				prob = nf
			}
		}
		printProblems(e.stderr, file, []*engine.FieldError{prob}, nil)
		return nil, exitProblems
	case len(taken) > 1:
		fmt.Fprintf(e.stderr, "corswasm: %s holds %d corswasm configurations; choose one with --plugin:\n", file, len(taken))
		for _, f := range taken {
			fmt.Fprintf(e.stderr, "  %s: name %q\n", f.label(), f.Name)
		}
		return nil, exitUsage
	}
	f := taken[0]
	errs, warnings := f.problems()
	if len(errs) > 0 {
		printProblems(e.stderr, f.label(), errs, warnings)
		return nil, exitProblems
	}
	pol, err := engine.Load(f.Data)
	if err != nil {
		fmt.Fprintf(e.stderr, "corswasm: %s: %v\n", f.label(), err)
		return nil, exitProblems
	}
	return pol, exitOK
}

// explainWith evaluates the request as the filter reads it, and what the
// filter then does with it and with the upstream's response up.
func explainWith(pol *engine.Policy, r explainRequest, up []engine.Header) explanation {
	req := &engine.Request{Method: r.Method, Scheme: r.Scheme, Authority: r.Host, Path: r.Path,
		RequestMethod: r.RequestMethod, RequestHeaders: r.RequestHeaders, Route: r.Route, VirtualHost: r.VirtualHost}
	if r.Origin != "" {
		req.Origins = []string{r.Origin}
	}
	if r.PrivateNetwork {
		req.RequestPrivateNetwork = "true"
	}
	var d engine.Decision
	pol.Evaluate(req, &d)
	x := explanation{Request: r, RuleIndex: d.RuleIndex(), Rule: d.Rule(), Upstream: reportHeaders(up)}
	switch {
	case len(req.Origins) == 0:
		x.Classification = "not CORS"
	case req.Method == "OPTIONS" && req.RequestMethod != "":
		x.Classification = "preflight"
	default:
		x.Classification = "actual"
	}
	x.Verdict = d.Kind().String()
	if d.Disabled() {
		x.Verdict = "none: the policy is disabled"
	}
	if d.Reason() != engine.NoReason {
		x.Reason = d.Reason().String()
		if d.Detail() != "" {
			x.Reason += ": " + d.Detail()
		}
	}
	switch d.Rollout() {
	case engine.RolloutEnforced:
		x.Rollout = fmt.Sprintf("enforced: this origin and host are in the %d%% enforce_percent enforces", d.EnforcePercent())
	case engine.RolloutAudited:
		x.Rollout = fmt.Sprintf("audited: this origin and host are outside the %d%% enforce_percent enforces", d.EnforcePercent())
	}
	o := d.Outcome(up)
	x.outcomeReport = reportOutcome(o)
	x.Response = reportHeaders(o.Apply(up))
	if d.Audit() {
		eo := reportOutcome(d.EnforcedOutcome(up))
		x.Enforcing = &eo
	}
	return x
}
