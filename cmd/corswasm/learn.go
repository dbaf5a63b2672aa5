package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/corswasm/corswasm/cmd/corswasm/internal/learn"
)

// learn reads the observations corswasm logs in audit mode and proposes a
// configuration doing what the upstreams do: the configuration on standard
// output, the report on standard error (or --report FILE).
func (e *env) learn(args []string) int {
	fs := flag.NewFlagSet("learn", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	segments := fs.Int("segments", -1, "re-bucket paths to this many leading `segments` (fewer than recorded; default: as recorded)")
	reportFile := fs.String("report", "", "write the report to this `file` instead of standard error")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: corswasm learn [--segments N] [--report FILE] [--json] FILE...   (the proxies' application logs holding \"corswasm: observation\" lines: Envoy's or Istio's, kubectl logs output, JSON log records; access logs never count; \"-\" reads standard input)")
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
	if *segments < -1 {
		fmt.Fprintf(e.stderr, "corswasm: --segments %d: give 0 or more\n", *segments)
		return exitUsage
	}
	inputs := make([]learn.Input, len(files))
	for i, f := range files {
		if f == "-" {
			inputs[i] = learn.Input{Name: "<stdin>", R: e.stdin}
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
			return exitUsage
		}
		defer fh.Close()
		inputs[i] = learn.Input{Name: f, R: fh}
	}
	var opt learn.Options
	if *segments >= 0 {
		opt.Segments = segments
	}
	res, err := learn.Learn(inputs, opt)
	if res == nil {
		fmt.Fprintf(e.stderr, "corswasm: %v\n", err)
		return exitUsage
	}
	if werr := e.writeLearnReport(res.Report, *reportFile, *asJSON); werr != nil {
		fmt.Fprintf(e.stderr, "corswasm: %v\n", werr)
		return exitUsage
	}
	switch {
	case errors.Is(err, learn.ErrNoObservations):
		c := res.Report.Counts
		fmt.Fprintf(e.stderr, "corswasm: %s: no corswasm observation in %s (%s malformed); nothing proposed\n",
			strings.Join(files, ", "), plural(c.Lines, "line"), plural(c.Malformed, "line"))
		return exitProblems
	case err != nil:
		fmt.Fprintf(e.stderr, "corswasm: %v; nothing proposed\n", err)
		return exitProblems
	}
	e.stdout.Write(res.Config)
	return exitOK
}

// writeLearnReport writes the report as text or JSON, to standard error or
// a file.
func (e *env) writeLearnReport(r *learn.Report, file string, asJSON bool) error {
	var b bytes.Buffer
	if asJSON {
		js, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		b.Write(append(js, '\n'))
	} else if err := r.WriteText(&b); err != nil {
		return err
	}
	var w io.Writer = e.stderr
	if file != "" {
		return os.WriteFile(file, b.Bytes(), 0o644)
	}
	_, err := w.Write(b.Bytes())
	return err
}
