package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/policy"
)

// parseInterspersed parses flags that may come before, between or after
// the positional arguments (`corswasm explain FILE --origin O`), which the
// flag package alone stops at, and returns the positional arguments. A
// lone "-" is a positional argument (standard input).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// readInput reads a file, or standard input for "-".
func (e *env) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

// found is one configuration of an input file, ready to check or explain.
type found struct {
	file string
	configsource.Config
	// docProblem is set when the document itself could not be read as one
	// of the kinds check knows (the configuration is then not checked).
	docProblem *policy.FieldError
}

// label names a configuration in messages: the file, and, inside an Envoy
// or Kubernetes document, the line and place of the configuration.
func (f *found) label() string {
	l := f.file
	if f.Line > 0 {
		l += ":" + strconv.Itoa(f.Line)
	}
	if f.Where != "" {
		l += " (" + f.Where + ")"
	}
	return l
}

// findConfigs returns the configurations in a file's content, keeping those
// named plugin when plugin is not empty. A document that is none of the
// kinds configsource knows yields one entry with docProblem set.
func findConfigs(file string, data []byte, plugin string) []found {
	cs, err := configsource.Find(data)
	var se *configsource.SyntaxError
	switch {
	case errors.As(err, &se):
		return []found{{file: file, docProblem: &policy.FieldError{Reason: se.Msg, Code: policy.CodeConfigSyntax}}}
	case err != nil:
		return []found{{file: file, docProblem: &policy.FieldError{Reason: err.Error(), Code: policy.CodeConfigMissing}}}
	}
	var out []found
	for _, c := range cs {
		if plugin == "" || c.Name == plugin {
			out = append(out, found{file: file, Config: c})
		}
	}
	if len(out) == 0 {
		return []found{{file: file, docProblem: &policy.FieldError{
			Reason: fmt.Sprintf("found no configuration of a plugin named %q (--plugin)", plugin), Code: policy.CodeConfigMissing}}}
	}
	return out
}

// problems checks a found configuration: the document's own problem, the
// way the configuration is embedded, or policy.Check's errors and warnings.
func (f *found) problems() (errs, warnings []*policy.FieldError) {
	switch {
	case f.docProblem != nil:
		return []*policy.FieldError{f.docProblem}, nil
	case f.Problem != "":
		return []*policy.FieldError{{Path: f.ProblemPath, Reason: f.Problem, Code: policy.CodeWrongType}}, nil
	}
	return policy.Check(f.Data)
}
