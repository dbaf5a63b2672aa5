package policy

import "github.com/corswasm/corswasm/internal/engine"

// Config is a CORS configuration as written by an operator: plain data, not
// yet validated, one field per JSON field of docs/configuration.md. Parse
// builds one from JSON; Compile validates it and turns it into a Policy. A
// nil pointer or nil slice means "not set", so that a value can be inherited
// or defaulted.
type Config = engine.Config

// Rule is a per-host/path policy of Config.Rules: a Name, a Match, and the
// fields of Config it sets for the requests it matches.
type Rule = engine.Rule

// Match is the hosts, paths and Envoy route names of the requests a Rule
// decides.
type Match = engine.Match

// Isolation is Config.Isolation: the cross-origin isolation headers to set
// on responses that do not already carry them.
type Isolation = engine.Isolation

// AuditObservations is Config.AuditObservations: what the corswasm filter
// records of the requests a policy in audit mode decides.
type AuditObservations = engine.AuditObservations

// FieldError is one problem with one configuration value: where it is (a
// JSON path such as `allow_origins[2]`), what was written there (Value), why
// it is wrong (Reason), and a stable Code. Warnings use the same type.
type FieldError = engine.FieldError

// ConfigError lists every problem found in a configuration (Problems), so
// that one attempt shows everything to fix. Its Unwrap gives each
// *FieldError to errors.As.
type ConfigError = engine.ConfigError

// Parse reads a JSON configuration strictly: every value must have the
// documented JSON type and every field must be known. It reports every
// problem at once as a *ConfigError; the returned Config holds whatever could
// be read.
func Parse(data []byte) (*Config, error) { return engine.Parse(data) }

// Check parses, validates and compiles a JSON configuration like Load, and
// returns every error and every warning. No errors means Load accepts it.
func Check(data []byte) (errs, warnings []*FieldError) { return engine.Check(data) }

// Load parses, validates and compiles a JSON configuration. A configuration
// with any problem yields a *ConfigError listing every one of them.
func Load(data []byte) (*Policy, error) { return fromEngine(engine.Load(data)) }

// Compile validates a Config and compiles it into a Policy, reporting every
// problem at once as a *ConfigError.
func Compile(c *Config) (*Policy, error) { return fromEngine(engine.Compile(c)) }

// fromEngine is the engine's compiled policy as a Policy: the same memory,
// converted, not copied.
func fromEngine(p *engine.Policy, err error) (*Policy, error) {
	if err != nil {
		return nil, err
	}
	return (*Policy)(p), nil
}
