package engine

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// AuditObservations configures what audit mode records of the answers an
// upstream gives (JSON `audit_observations`, top level only): one log line
// per distinct observation, which `corswasm learn` reads to propose a
// policy. Absent, recording is on with the defaults whenever some policy is
// in audit mode.
type AuditObservations struct {
	// MaxEntries is how many distinct observations a VM logs, 0–65536
	// (JSON `max_entries`, default 4096; 0 turns recording off). Later new
	// ones are counted as dropped.
	MaxEntries *int `json:"max_entries,omitempty"`
	// PathSegments is how many leading path segments an observation's path
	// keeps, 0–8 (JSON `path_segments`, default 1).
	PathSegments *int `json:"path_segments,omitempty"`
	// LogLevel is the level of the lines: "info" (default) or "warn" (JSON
	// `log_level`).
	LogLevel string `json:"log_level,omitempty"`
}

// Defaults and limits of audit_observations.
const (
	DefaultObservationEntries  = 4096
	MaxObservationEntries      = 65536
	DefaultObservationSegments = 1
	MaxObservationSegments     = 8
	// LogLevelInfo and LogLevelWarn are the values of log_level.
	LogLevelInfo = "info"
	LogLevelWarn = "warn"
)

// Observations is what a filter needs to record observations: the zero
// value (MaxEntries 0) when it records none.
type Observations struct {
	// MaxEntries bounds the distinct observations logged; 0: none.
	MaxEntries int
	// PathSegments is how many leading path segments a path bucket keeps.
	PathSegments int
	// Warn logs the lines at warning level instead of info.
	Warn bool
}

// Observations returns how the filter records observations: the zero value
// when no enabled policy is in audit mode or max_entries is 0.
func (p *Policy) Observations() Observations {
	if len(p.Audited()) == 0 {
		return Observations{}
	}
	return p.observations
}

// observationFields are the fields of `audit_observations`.
var observationFields = []field{
	intField("max_entries", "an integer", `How many distinct observations each VM logs, 0–65536; later new ones are counted as dropped. 0 turns recording off. Default 4096.`,
		valueSchema{minimum: 0, maximum: MaxObservationEntries, bounded: true},
		func(c *Config) **int { return &c.observations().MaxEntries }),
	intField("path_segments", "an integer", `How many leading path segments an observation's path keeps, 0–8. Default 1.`,
		valueSchema{minimum: 0, maximum: MaxObservationSegments, bounded: true},
		func(c *Config) **int { return &c.observations().PathSegments }),
	enumField("log_level", `The proxy-wasm log level of the observation lines: "info" (default) or "warn".`,
		func(c *Config) *string { return &c.observations().LogLevel }, LogLevelInfo, LogLevelWarn),
}

// observations returns c's audit_observations, creating it empty when
// absent (the parser fills it).
func (c *Config) observations() *AuditObservations {
	if c.AuditObservations == nil {
		c.AuditObservations = &AuditObservations{}
	}
	return c.AuditObservations
}

// auditObservationsField is the top-level `audit_observations` object.
var auditObservationsField = field{
	name:   "audit_observations",
	schema: valueSchema{typ: typeObject, fields: observationFields, doc: `Top level only. What audit mode records of the upstream's answers: one log line per distinct observation (host, rule, path bucket, origin, method, request headers, status, the upstream's CORS headers), for corswasm learn.`},
	read: func(r *reader, v gjson.Result) {
		if !v.IsObject() {
			r.wrongType("audit_observations", v, "must be an object")
			return
		}
		r.c.observations()
		r.sub("audit_observations").object(v, observationFields)
	},
}

// compileObservations checks audit_observations and sets pol's recording
// settings.
func compileObservations(c *Config, p *problems, pol *Policy) {
	o := Observations{MaxEntries: DefaultObservationEntries, PathSegments: DefaultObservationSegments}
	a := c.AuditObservations
	if a == nil {
		pol.observations = o
		return
	}
	bad := func(name string, n int, reason string) {
		p.error(&FieldError{Path: "audit_observations." + name, Value: strconv.Itoa(n), Reason: reason, Code: CodeOutOfRange})
	}
	if a.MaxEntries != nil {
		if n := *a.MaxEntries; n < 0 || n > MaxObservationEntries {
			bad("max_entries", n, "must be between 0 and 65536")
		} else {
			o.MaxEntries = n
		}
	}
	if a.PathSegments != nil {
		if n := *a.PathSegments; n < 0 || n > MaxObservationSegments {
			bad("path_segments", n, "must be between 0 and 8")
		} else {
			o.PathSegments = n
		}
	}
	o.Warn = a.LogLevel == LogLevelWarn
	if o.MaxEntries == 0 {
		o = Observations{}
	}
	pol.observations = o
}

// warnObservationsUnused warns of an audit_observations that no policy in
// audit mode uses.
func warnObservationsUnused(c *Config, p *problems, pol *Policy) {
	if c.AuditObservations != nil && len(pol.Audited()) == 0 {
		p.warn(&FieldError{Path: "audit_observations", Reason: "has no effect: no enabled policy is in audit mode", Code: CodeNoEffect})
	}
}
