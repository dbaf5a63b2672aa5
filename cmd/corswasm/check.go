package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/corswasm/corswasm/policy"
)

// checkReport is the --json output of check: one entry per input file.
type checkReport struct {
	OK    bool         `json:"ok"`
	Files []fileReport `json:"files"`
}

type fileReport struct {
	File string `json:"file"`
	// Error says why the file could not be read; Configurations is then
	// empty.
	Error          string         `json:"error,omitempty"`
	Configurations []configReport `json:"configurations,omitempty"`
}

type configReport struct {
	Kind     string          `json:"kind,omitempty"`
	Where    string          `json:"where,omitempty"`
	Name     string          `json:"name,omitempty"`
	Line     int             `json:"line,omitempty"`
	OK       bool            `json:"ok"`
	Errors   []problemReport `json:"errors"`
	Warnings []problemReport `json:"warnings"`
}

// problemReport is a policy.FieldError for tools: its parts, its stable
// code, and the message as the text output and the module's log show it.
type problemReport struct {
	Path    string `json:"path"`
	Value   string `json:"value"`
	Reason  string `json:"reason"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func reportProblems(ps []*policy.FieldError) []problemReport {
	out := make([]problemReport, len(ps))
	for i, p := range ps {
		out[i] = problemReport{Path: p.Path, Value: p.Value, Reason: p.Reason, Code: string(p.Code), Message: p.Error()}
	}
	return out
}

// check validates each configuration of each file.
func (e *env) check(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "write a JSON report on standard output")
	plugin := fs.String("plugin", "", "in Envoy and Istio documents, check only the plugin with this name (config.name, metadata.name)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm check [--json] [--plugin NAME] FILE...")
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
	status := exitOK
	report := checkReport{OK: true}
	for _, file := range files {
		fr := fileReport{File: file}
		data, err := e.readInput(file)
		if err != nil {
			fr.Error = err.Error()
			status = exitUsage
			report.OK = false
			report.Files = append(report.Files, fr)
			if !*asJSON {
				fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
			}
			continue
		}
		for _, f := range findConfigs(file, data, *plugin) {
			errs, warnings := f.problems()
			cr := configReport{Kind: string(f.Kind), Where: f.Where, Name: f.Name, Line: f.Line, OK: len(errs) == 0,
				Errors: reportProblems(errs), Warnings: reportProblems(warnings)}
			fr.Configurations = append(fr.Configurations, cr)
			if len(errs) > 0 {
				report.OK = false
				if status == exitOK {
					status = exitProblems
				}
			}
			if !*asJSON {
				printProblems(e.stdout, f.label(), errs, warnings)
			}
		}
		report.Files = append(report.Files, fr)
	}
	if *asJSON {
		out, _ := json.MarshalIndent(report, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", out)
	}
	return status
}

// printProblems writes one line per problem, then a summary line:
//
//	bad.json: error: allow_origins[1]: "https://*.com": a wildcard … [wildcard_public_suffix]
//	bad.json: 1 error, 0 warnings
func printProblems(w io.Writer, label string, errs, warnings []*policy.FieldError) {
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
