package policy

import (
	"strconv"
	"strings"
)

// FieldError is one problem with one configuration value: where it is (a JSON
// path such as `allow_origins[2]`), what was written there, and why it is
// wrong. Warnings use the same type.
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
}

func (p *problems) errorf(path, value, reason string) {
	p.errs = append(p.errs, &FieldError{Path: path, Value: value, Reason: reason})
}

func (p *problems) warnf(path, value, reason string) {
	p.warnings = append(p.warnings, &FieldError{Path: path, Value: value, Reason: reason})
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
