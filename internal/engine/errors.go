package engine

import (
	"strconv"
	"strings"
)

// FieldError is one problem with one configuration value: where it is (a JSON
// path such as `allow_origins[2]`), what was written there, why it is wrong,
// and a stable Code naming the kind of problem. Warnings use the same type.
type FieldError struct {
	// Path is the JSON path of the value, e.g. `allow_origins[2]` or
	// `rules[1] "partner-api": allow_origins[0]`. It is empty for a problem
	// with the configuration as a whole.
	Path string
	// Value is the offending value as JSON text (a string value is quoted), or
	// empty when the problem is not about one value.
	Value string
	// Reason says what is wrong and, where possible, what to write instead.
	Reason string
	// Code classifies the problem (see Codes).
	Code Code

	// field is the policy field the problem is about ("allow_origins" for
	// `allow_origins[2]`), so that a rule's inherited problems can be told
	// from its own; "" when none.
	field string
}

// Error renders the problem as `path: value: reason`, leaving out empty parts.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Value != "" {
		b.WriteString(e.Value)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// ConfigError lists every problem found in a configuration, so that one
// attempt shows the operator everything to fix.
type ConfigError struct {
	Problems []*FieldError
}

// Error renders one problem per line.
func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (e *ConfigError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects errors and warnings while a configuration is parsed and
// compiled.
type problems struct {
	errs     []*FieldError
	warnings []*FieldError
	// paths holds the paths of errs.
	paths map[string]bool
}

func (p *problems) error(e *FieldError) {
	p.errs = append(p.errs, e)
	if p.paths == nil {
		p.paths = make(map[string]bool)
	}
	p.paths[e.Path] = true
}

func (p *problems) warn(e *FieldError) { p.warnings = append(p.warnings, e) }

// reported reports whether an error was already recorded at path: Parse
// records a value of the wrong JSON type, and Compile then skips it.
func (p *problems) reported(path string) bool { return p.paths[path] }

// reportedUnder reports whether an error was recorded at path or inside it.
func (p *problems) reportedUnder(path string) bool {
	for _, e := range p.errs {
		if e.Path == path || strings.HasPrefix(e.Path, path+".") || strings.HasPrefix(e.Path, path+"[") {
			return true
		}
	}
	return false
}

// err returns the collected errors as a *ConfigError, or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &ConfigError{Problems: p.errs}
}

// quote renders a string value the way it appears in JSON, so messages show
// exactly what the operator wrote.
func quote(s string) string {
	return strconv.Quote(s)
}

// indexPath appends an array index to a path.
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
