package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/corswasm/corswasm/internal/configsource"
	"github.com/corswasm/corswasm/internal/engine"
)

// checkReport is the --json output of check: one entry per input file,
// and the problems of the command line itself.
type checkReport struct {
	OK bool `json:"ok"`
	// Errors are about the run rather than one file: a --plugin that names
	// no plugin.
	Errors []problemReport `json:"errors,omitempty"`
	Files  []fileReport    `json:"files"`
}

type fileReport struct {
	File string `json:"file"`
	// Error says why the file could not be read; the rest is then empty.
	Error          string         `json:"error,omitempty"`
	Configurations []configReport `json:"configurations,omitempty"`
	// Skipped are the Wasm plugins that are not corswasm's, left unchecked.
	Skipped []skippedReport `json:"skipped,omitempty"`
	// Notes are about the file: that it holds no corswasm configuration
	// while other files do.
	Notes []problemReport `json:"notes,omitempty"`
}

type configReport struct {
	Kind     string          `json:"kind,omitempty"`
	Where    string          `json:"where,omitempty"`
	Name     string          `json:"name,omitempty"`
	Module   string          `json:"module,omitempty"`
	Line     int             `json:"line,omitempty"`
	OK       bool            `json:"ok"`
	Errors   []problemReport `json:"errors"`
	Warnings []problemReport `json:"warnings"`
	// Notes say why a plugin whose module is not recognisably corswasm's
	// was checked.
	Notes []problemReport `json:"notes,omitempty"`
}

// skippedReport is a Wasm plugin check left alone, and why.
type skippedReport struct {
	Kind   string        `json:"kind"`
	Where  string        `json:"where,omitempty"`
	Name   string        `json:"name,omitempty"`
	Module string        `json:"module,omitempty"`
	Line   int           `json:"line,omitempty"`
	Note   problemReport `json:"note"`
}

// problemReport is a engine.FieldError for tools: its parts, its stable
// code, and the message as the text output and the module's log show it.
type problemReport struct {
	Path    string `json:"path"`
	Value   string `json:"value"`
	Reason  string `json:"reason"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func reportProblem(p *engine.FieldError) problemReport {
	return problemReport{Path: p.Path, Value: p.Value, Reason: p.Reason, Code: string(p.Code), Message: p.Error()}
}

func reportProblems(ps []*engine.FieldError) []problemReport {
	out := make([]problemReport, len(ps))
	for i, p := range ps {
		out[i] = reportProblem(p)
	}
	return out
}

// check validates each corswasm configuration of each file.
func (e *env) check(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "write a JSON report on standard output")
	var patterns stringList
	fs.Var(&patterns, "plugin", "check only the Wasm plugins this `pattern` names: their name, NAMESPACE/NAME, module, vm_id or root ID, \"*\" matching any characters (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm check [--json] [--plugin PATTERN]... FILE...")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	c := checker{json: *asJSON, stdout: e.stdout, stderr: e.stderr, status: exitOK, report: checkReport{OK: true}}
	var inputs []inputFile
	for _, file := range files {
		data, err := e.readInput(file)
		if err != nil {
			c.status = exitUsage
			c.report.OK = false
			c.report.Files = append(c.report.Files, fileReport{File: file, Error: err.Error()})
			if !c.json {
				fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
			}
			continue
		}
		inputs = append(inputs, readConfigs(file, data, patterns))
	}
	// A file without corswasm's configuration is only noted when another
	// file has one: a run that checks nothing at all fails.
	anyTaken := false
	for i := range inputs {
		anyTaken = anyTaken || len(inputs[i].taken()) > 0
	}
	for i := range inputs {
		c.file(&inputs[i], anyTaken)
	}
	for _, p := range patterns {
		c.patternFound(p, inputs)
	}
	if c.json {
		out, _ := json.MarshalIndent(c.report, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", out)
	}
	return c.status
}

// checker is one run of check: where it writes, its report and its exit
// status so far.
type checker struct {
	json           bool
	stdout, stderr io.Writer
	status         int
	report         checkReport
}

// failed records an error in the exit status and the report.
func (c *checker) failed() {
	c.report.OK = false
	if c.status == exitOK {
		c.status = exitProblems
	}
}

// file checks the configurations of one file and reports the plugins it
// skipped.
func (c *checker) file(in *inputFile, anyTaken bool) {
	fr := fileReport{File: in.file}
	for _, f := range in.configs {
		if !f.Taken() {
			fr.Skipped = append(fr.Skipped, skippedReport{Kind: string(f.Kind), Where: f.Where, Name: f.Name, Module: f.Module, Line: f.Line, Note: reportProblem(f.note())})
			c.note(f.label(), f.note())
			continue
		}
		errs, warnings := f.problems()
		cr := configReport{Kind: string(f.Kind), Where: f.Where, Name: f.Name, Module: f.Module, Line: f.Line, OK: len(errs) == 0,
			Errors: reportProblems(errs), Warnings: reportProblems(warnings)}
		if f.Verdict == configsource.Guessed {
			cr.Notes = []problemReport{reportProblem(f.note())}
			c.note(f.label(), f.note())
		}
		fr.Configurations = append(fr.Configurations, cr)
		if len(errs) > 0 {
			c.failed()
		}
		if !c.json {
			printProblems(c.stdout, f.label(), errs, warnings)
		}
	}
	if len(in.taken()) == 0 {
		c.noConfiguration(in, &fr, anyTaken)
	}
	c.report.Files = append(c.report.Files, fr)
}

// noConfiguration reports a file without corswasm's configuration: a note
// when another file of the run has one, an error when none has (or when
// the file is not a document check reads).
func (c *checker) noConfiguration(in *inputFile, fr *fileReport, anyTaken bool) {
	p := in.noConfiguration()
	if p.Code == configsource.CodeNoConfiguration && anyTaken {
		fr.Notes = append(fr.Notes, reportProblem(p))
		c.note(in.file, p)
		return
	}
	c.failed()
	fr.Configurations = append(fr.Configurations, configReport{Errors: reportProblems([]*engine.FieldError{p}), Warnings: []problemReport{}})
	if !c.json {
		printProblems(c.stdout, in.file, []*engine.FieldError{p}, nil)
	}
}

// patternFound fails the run when the --plugin pattern p names no Wasm
// plugin of any file.
func (c *checker) patternFound(p string, inputs []inputFile) {
	prob := pluginNotFound(p, inputs)
	if prob == nil {
		return
	}
	c.failed()
	c.report.Errors = append(c.report.Errors, reportProblem(prob))
	if !c.json {
		fmt.Fprintf(c.stdout, "corswasm check: error: %s [%s]\n", prob, prob.Code)
	}
}

// note writes a note on standard error (not with --json: the report
// carries it).
func (c *checker) note(label string, p *engine.FieldError) {
	if !c.json {
		fmt.Fprintf(c.stderr, "%s: note: %s [%s]\n", label, p, p.Code)
	}
}

// printProblems writes one line per problem, then a summary line:
//
//	bad.json: error: allow_origins[1]: "https://*.com": a wildcard … [wildcard_public_suffix]
//	bad.json: 1 error, 0 warnings
func printProblems(w io.Writer, label string, errs, warnings []*engine.FieldError) {
	for _, p := range errs {
		fmt.Fprintf(w, "%s: error: %s [%s]\n", label, p, p.Code)
	}
	for _, p := range warnings {
		fmt.Fprintf(w, "%s: warning: %s [%s]\n", label, p, p.Code)
	}
	switch {
	case len(errs) > 0:
		fmt.Fprintf(w, "%s: %s, %s\n", label, plural(len(errs), "error"), plural(len(warnings), "warning"))
	case len(warnings) > 0:
		fmt.Fprintf(w, "%s: ok, %s\n", label, plural(len(warnings), "warning"))
	default:
		fmt.Fprintf(w, "%s: ok\n", label)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
