package learn

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteText writes the report for a reader: counts, then each service,
// then the risks and notes. Values from the logs are quoted when they hold
// anything but printable ASCII, so that a hostile value cannot forge a
// line or drive a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	c := r.Counts
	fmt.Fprintf(&b, "read %s, %s: %s, %s, %s\n", plural(c.Files, "file"), plural(c.Lines, "line"),
		plural(c.Observations, "observation"), plural(c.Malformed, "malformed observation"), plural(c.Services, "service"))
	for _, m := range r.Malformed {
		fmt.Fprintf(&b, "malformed: %s:%d: %s\n", show(m.File), m.Line, show(m.Reason))
	}
	if c.Malformed > len(r.Malformed) {
		fmt.Fprintf(&b, "malformed: %d more not shown\n", c.Malformed-len(r.Malformed))
	}
	for _, s := range r.Services {
		b.WriteString("\n")
		fmt.Fprintf(&b, "service %s%s, audited by %s; proposed: %s\n", show(s.Host), show(s.Path), ruleList(s.AuditRules), s.Policy)
		e, d := s.Evidence, s.Does
		fmt.Fprintf(&b, "  observations: %d (preflights: %d, %d accepted; actual requests: %d, %d accepted)\n",
			e.Observations, e.Preflights, e.AcceptedPreflights, e.Actual, e.AcceptedActual)
		fmt.Fprintf(&b, "  origins: %s (%s)\n", list(d.Origins), plural(e.Origins, "observation"))
		fmt.Fprintf(&b, "  credentials: %t (%s)\n", d.Credentials, plural(e.Credentials, "observation"))
		if d.Methods != nil {
			fmt.Fprintf(&b, "  methods: %s (%s with Access-Control-Allow-Methods)\n", list(*d.Methods), plural(e.Methods, "preflight"))
			fmt.Fprintf(&b, "  request headers: %s (%s with Access-Control-Allow-Headers)\n", list(*d.Headers), plural(e.Headers, "preflight"))
			fmt.Fprintf(&b, "  max age: %s (%s)\n", intOr(d.MaxAge, "none"), plural(e.MaxAge, "preflight"))
			fmt.Fprintf(&b, "  private network: %t (%s)\n", *d.PrivateNetwork, plural(e.PrivateNetwork, "preflight"))
			fmt.Fprintf(&b, "  preflight status: %s (%s)\n", intOr(d.PreflightStatus, "not 200 or 204"), plural(e.AcceptedPreflights, "accepted preflight"))
		}
		if d.Expose != nil {
			fmt.Fprintf(&b, "  exposed headers: %s (%s)\n", list(*d.Expose), plural(e.Expose, "answer"))
		}
		for _, n := range s.NeverObserved {
			fmt.Fprintf(&b, "  not observed: %s\n", n)
		}
		for _, x := range s.Dropped {
			fmt.Fprintf(&b, "  left out of %s: %s: %s\n", x.Field, show(x.Value), show(x.Reason))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "  note: %s\n", show(n))
		}
		for _, k := range s.Risks {
			fmt.Fprintf(&b, "  risk: %s\n", k)
		}
	}
	if len(r.Risks) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", plural(len(r.Risks), "risk"))
	}
	for _, k := range r.Risks {
		fmt.Fprintf(&b, "risk %s: %s%s: %s (%s)\n", k.Risk, show(k.Service.Host), show(k.Service.Path), show(k.Message), plural(k.Count, "observation"))
		for _, o := range k.Evidence {
			fmt.Fprintf(&b, "  %s %s from %s\n", o.Kind, show(o.Method), show(o.Origin))
		}
	}
	b.WriteString("\n")
	for _, s := range r.Suggestions {
		fmt.Fprintf(&b, "suggestion: %s\n", show(s))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", show(n))
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "corswasm warns about the proposal: %s\n", show(w))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// show is s as it is when it is printable ASCII, quoted otherwise.
func show(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return strconv.Quote(s)
		}
	}
	return s
}

func list(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = show(x)
	}
	return strings.Join(out, ", ")
}

// ruleList names the audit configuration's policies: its rules by name,
// "the top level" for "".
func ruleList(rules []string) string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = "rule " + strconv.Quote(r)
		if r == "" {
			out[i] = "the top level"
		}
	}
	return strings.Join(out, ", ")
}

func intOr(p *int, none string) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(*p)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
