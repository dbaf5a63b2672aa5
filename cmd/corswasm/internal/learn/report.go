package learn

import (
	"fmt"
	"sort"
	"strings"
)

// Report is what Learn found: counts, each service's behaviour and
// evidence, the risks, and notes.
type Report struct {
	Counts    Counts      `json:"counts"`
	Notes     []string    `json:"notes,omitempty"`
	Malformed []Malformed `json:"malformed,omitempty"`
	Services  []Service   `json:"services"`
	Risks     []Risk      `json:"risks"`
	// Suggestions are changes an operator may prefer to the exact
	// proposal, such as a subdomain wildcard; the proposal never makes
	// them.
	Suggestions []string `json:"suggestions,omitempty"`
	// Warnings are engine.Check's warnings about the proposal.
	Warnings []string `json:"warnings,omitempty"`
}

// Service is the report of one service.
type Service struct {
	Host string `json:"host"`
	Path string `json:"path"`
	// AuditRules are the audit configuration's rules that decided its
	// requests ("" for the top level).
	AuditRules []string `json:"audit_rules"`
	// Policy is the proposal's policy for it: "top level", "rule NAME", or
	// "top level (...)" when no rule can be written for it.
	Policy string `json:"policy"`
	// Does is what the service does; Evidence how many observations show
	// each field.
	Does          Does      `json:"does"`
	Evidence      evidence  `json:"evidence"`
	NeverObserved []string  `json:"never_observed,omitempty"`
	Dropped       []Dropped `json:"dropped,omitempty"`
	Notes         []string  `json:"notes,omitempty"`
	Risks         []string  `json:"risks,omitempty"`
}

// Does is what a service was seen doing; a field of a kind of request
// never seen is absent.
type Does struct {
	Origins         []string  `json:"allow_origins"`
	Credentials     bool      `json:"allow_credentials"`
	Methods         *[]string `json:"allow_methods,omitempty"`
	Headers         *[]string `json:"allow_headers,omitempty"`
	Expose          *[]string `json:"expose_headers,omitempty"`
	MaxAge          *int      `json:"max_age,omitempty"`
	PrivateNetwork  *bool     `json:"allow_private_network,omitempty"`
	PreflightStatus *int      `json:"preflight_status,omitempty"`
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// describe fills the report from the services and the proposal (nil when
// none could be written).
func (r *Report) describe(services []*service, cfg *proposedConfig) {
	policyOf := map[*service]string{}
	if cfg != nil {
		for _, rule := range cfg.Rules {
			for _, s := range rule.services {
				policyOf[s] = "rule " + rule.Name
				if s.b.PreflightSeen && s.b.MaxAge == nil && rule.MaxAge != nil {
					s.note("no Access-Control-Max-Age seen: the rule sets max_age %d, what browsers use without one, rather than inherit the top level's", *rule.MaxAge)
				}
			}
		}
	}
	r.Risks = []Risk{}
	for _, s := range services {
		sr := Service{Host: s.key.Host, Path: s.key.Path, AuditRules: s.rules, Evidence: s.ev,
			NeverObserved: s.unobserved(), Dropped: s.dropped, Notes: s.notes, Does: does(&s.b)}
		switch {
		case s.unusable != "":
			sr.Policy = "top level (" + s.unusable + ")"
		case policyOf[s] != "":
			sr.Policy = policyOf[s]
		default:
			sr.Policy = "top level"
		}
		for _, k := range s.risks {
			sr.Risks = append(sr.Risks, k.Risk)
			r.Risks = append(r.Risks, k)
		}
		r.Services = append(r.Services, sr)
	}
	if cfg != nil {
		r.note("the top level allows no origin: hosts and paths never observed get no CORS (a host is whatever a client sends, so no observed behaviour is given to them); each service observed gets a rule, shared by services that behave alike")
	}
	if cfg != nil && len(cfg.Rules) > 0 && cfg.Rules[len(cfg.Rules)-1].Match.Paths == nil && cfg.Rules[len(cfg.Rules)-1].Match.PathPrefixes == nil {
		r.note("rules match their hosts on every path (paths were recorded without segments)")
	}
	r.suggest(services)
}

func does(b *behaviour) Does {
	d := Does{Origins: b.Origins, Credentials: b.Credentials}
	if d.Origins == nil {
		d.Origins = []string{}
	}
	if b.PreflightSeen {
		d.Methods, d.Headers = ptr(append([]string{}, b.Methods...)), ptr(append([]string{}, b.Headers...))
		d.MaxAge, d.PrivateNetwork, d.PreflightStatus = b.MaxAge, ptr(b.PrivateNetwork), b.PreflightStatus
	}
	if b.ActualSeen {
		d.Expose = ptr(append([]string{}, b.Expose...))
	}
	return d
}

// suggest names the subdomain wildcards that would cover several origins
// of one site a service allows.
func (r *Report) suggest(services []*service) {
	byMsg := map[string][]string{}
	var order []string
	for _, s := range services {
		bySite := map[string][]string{}
		for _, o := range s.b.Origins {
			so, ok := parseOrigin(o)
			if !ok || so.port != "" {
				continue
			}
			site := so.site()
			if site == so.host || !strings.HasSuffix(so.host, "."+site) {
				continue
			}
			k := so.scheme + "://*." + site
			bySite[k] = append(bySite[k], o)
		}
		keys := make([]string, 0, len(bySite))
		for k := range bySite {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if origins := bySite[k]; len(origins) >= 2 {
				msg := fmt.Sprintf("%q would allow every subdomain of its site, not only the %d seen (%s)", k, len(origins), strings.Join(origins, ", "))
				if byMsg[msg] == nil {
					order = append(order, msg)
				}
				byMsg[msg] = append(byMsg[msg], s.key.Host+s.key.Path)
			}
		}
	}
	for _, msg := range order {
		r.Suggestions = append(r.Suggestions, fmt.Sprintf("%s: %s", strings.Join(byMsg[msg], ", "), msg))
	}
}
