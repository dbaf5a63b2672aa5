package learn

import (
	"slices"

	"github.com/corswasm/corswasm/internal/engine"
)

// fields are the policy fields a proposal sets, in the order it writes
// them. A nil pointer leaves a field unset (a rule then inherits it); an
// empty list is written as [] so that a rule overrides the top level's.
type fields struct {
	AllowOrigins        *[]string `json:"allow_origins,omitempty"`
	AllowCredentials    *bool     `json:"allow_credentials,omitempty"`
	AllowMethods        *[]string `json:"allow_methods,omitempty"`
	AllowHeaders        *[]string `json:"allow_headers,omitempty"`
	ExposeHeaders       *[]string `json:"expose_headers,omitempty"`
	MaxAge              *int      `json:"max_age,omitempty"`
	AllowPrivateNetwork *bool     `json:"allow_private_network,omitempty"`
	PreflightStatus     *int      `json:"preflight_status,omitempty"`
}

// proposedRule is one rule of the proposal.
type proposedRule struct {
	Name  string       `json:"name"`
	Match engine.Match `json:"match"`
	fields
	behaviour string // the behaviour's key
	services  []*service
}

// proposedConfig is the proposal: the top-level policy and the rules.
type proposedConfig struct {
	fields
	Rules []proposedRule `json:"rules,omitempty"`
}

// browserDefaultMaxAge is the seconds a browser caches a preflight answer
// without Access-Control-Max-Age (Fetch §4.8: max-age defaults to 5).
const browserDefaultMaxAge = 5

// ruleFields are a rule's fields for a behaviour under the top level: every
// field of a kind of request observed, written out, so that the rule does
// not inherit what the service does not do; the others left to the top
// level.
func ruleFields(b *behaviour, top fields) fields {
	f := fields{AllowOrigins: ptr(slices.Clone(b.Origins)), AllowCredentials: ptr(b.Credentials)}
	if f.AllowOrigins == nil || *f.AllowOrigins == nil {
		f.AllowOrigins = ptr([]string{})
	}
	if b.PreflightSeen {
		f.AllowMethods = ptr(append([]string{}, b.Methods...))
		f.AllowHeaders = ptr(append([]string{}, b.Headers...))
		f.AllowPrivateNetwork = ptr(b.PrivateNetwork)
		f.MaxAge = b.MaxAge
		if f.MaxAge == nil && top.MaxAge != nil {
			f.MaxAge = ptr(browserDefaultMaxAge)
		}
		f.PreflightStatus = b.PreflightStatus
	}
	if b.ActualSeen {
		f.ExposeHeaders = ptr(append([]string{}, b.Expose...))
	} else if b.Credentials && top.ExposeHeaders != nil && slices.Contains(*top.ExposeHeaders, "*") {
		// Inherited, "*" would be read as a header named "*" with
		// credentials, which corswasm refuses: the rule lists none.
		f.ExposeHeaders = ptr([]string{})
	}
	return f
}

// fits reports whether a service's behaviour is the top level's wherever
// it was observed: the service needs no rule.
func fits(b *behaviour, top fields) bool {
	list := func(p *[]string) []string {
		if p == nil {
			return nil
		}
		return *p
	}
	if !slices.Equal(b.Origins, list(top.AllowOrigins)) || b.Credentials != deref(top.AllowCredentials) {
		return false
	}
	if b.PreflightSeen {
		if !slices.Equal(b.Methods, list(top.AllowMethods)) || !slices.Equal(b.Headers, list(top.AllowHeaders)) ||
			b.PrivateNetwork != deref(top.AllowPrivateNetwork) || !sameInt(b.MaxAge, top.MaxAge) ||
			b.PreflightStatus != nil && !sameInt(b.PreflightStatus, top.PreflightStatus) && !(*b.PreflightStatus == 204 && top.PreflightStatus == nil) {
			return false
		}
	}
	return !b.ActualSeen || slices.Equal(b.Expose, list(top.ExposeHeaders))
}

func sameInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func ptr[T any](v T) *T { return &v }

func deref(p *bool) bool { return p != nil && *p }
