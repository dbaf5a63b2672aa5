package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"strconv"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/internal/engine"
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

// found is one configuration of an input file, and what
// configsource.Select made of it.
type found struct {
	file string
	configsource.Choice
}

// label names the configuration in messages.
func (f *found) label() string { return f.Label(f.file) }

// inputFile is what an input file holds: its configurations, corswasm's
// and other plugins', or why it could not be read as a document.
type inputFile struct {
	file    string
	configs []found
	// docProblem is set when the file is none of the kinds of document
	// configsource reads, or holds no Wasm plugin (configs is then empty).
	docProblem *engine.FieldError
}

// readConfigs finds the configurations in a file's content and selects
// corswasm's with patterns (--plugin).
func readConfigs(file string, data []byte, patterns []string) inputFile {
	in := inputFile{file: file}
	cs, err := configsource.Find(data)
	var se *configsource.SyntaxError
	var le *configsource.ListError
	switch {
	case errors.As(err, &se):
		in.docProblem = &engine.FieldError{Reason: se.Msg, Code: engine.CodeConfigSyntax}
	case errors.As(err, &le):
		in.docProblem = &engine.FieldError{Reason: le.Error(), Code: configsource.CodeListInvalid}
	case err != nil:
		in.docProblem = &engine.FieldError{Reason: err.Error(), Code: configsource.CodeNoConfiguration}
	}
	for _, ch := range configsource.Select(cs, patterns) {
		in.configs = append(in.configs, found{file: file, Choice: ch})
	}
	return in
}

// taken returns the configurations to check: corswasm's, and those taken
// for corswasm's.
func (in *inputFile) taken() []found {
	var out []found
	for _, f := range in.configs {
		if f.Taken() {
			out = append(out, f)
		}
	}
	return out
}

// pluginNotFound is the problem of a --plugin pattern p that names no Wasm
// plugin of the inputs (nil when one matches): a misspelt name would
// otherwise check nothing.
func pluginNotFound(p string, inputs []inputFile) *engine.FieldError {
	for i := range inputs {
		for _, f := range inputs[i].configs {
			if f.Matches(p) {
				return nil
			}
		}
	}
	return &engine.FieldError{Path: "--plugin", Value: strconv.Quote(p), Reason: "names no Wasm plugin of the files checked", Code: configsource.CodePluginNotFound}
}

// noConfiguration is the problem of a file without a corswasm
// configuration: what it holds instead.
func (in *inputFile) noConfiguration() *engine.FieldError {
	if in.docProblem != nil {
		return in.docProblem
	}
	reason := "found no corswasm configuration: every Wasm plugin in it is skipped"
	return &engine.FieldError{Reason: reason, Code: configsource.CodeNoConfiguration}
}

// problems checks a configuration: the way it is embedded, or
// engine.Check's errors and warnings.
func (f *found) problems() (errs, warnings []*engine.FieldError) {
	if f.Problem != "" {
		return []*engine.FieldError{{Path: f.ProblemPath, Reason: f.Problem, Code: engine.CodeWrongType}}, nil
	}
	return engine.Check(f.Data)
}

// note is the note of a guessed or skipped plugin, as a problem.
func (f *found) note() *engine.FieldError {
	return &engine.FieldError{Reason: f.Note, Code: f.Code}
}
