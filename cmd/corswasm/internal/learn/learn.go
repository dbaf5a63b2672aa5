package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// ErrNoObservations is returned when the logs hold no observation.
var ErrNoObservations = errors.New("no corswasm observation found")

// Options tune Learn.
type Options struct {
	// Segments, when set, re-buckets paths to this many leading segments
	// (0 or more); nil keeps the buckets as recorded. It cannot add
	// segments the filter did not record.
	Segments *int
}

// Result is a proposal and its report.
type Result struct {
	// Config is the proposed configuration: indented JSON and a newline,
	// which engine.Check accepts without errors. Nil when Learn fails.
	Config []byte
	// Report says what each service does, on what evidence, what was not
	// observed, and the risks.
	Report *Report
}

// Learn reads the logs and proposes a configuration. The error is
// ErrNoObservations when none was found, wraps ErrNoProposal when no
// configuration engine.Check accepts could be written, or is a read
// error; the Result's Report is set whenever the logs were read.
func Learn(inputs []Input, opt Options) (*Result, error) {
	var rd reading
	for _, in := range inputs {
		if err := rd.read(in); err != nil {
			return nil, err
		}
	}
	return learnFrom(&rd, opt)
}

// LearnObservations proposes a configuration from observations already
// read (for tests and tools that make their own).
func LearnObservations(obs []*Observation, opt Options) (*Result, error) {
	rd := reading{obs: obs}
	rd.counts.Observations = len(obs)
	return learnFrom(&rd, opt)
}

func learnFrom(rd *reading, opt Options) (*Result, error) {
	rep := &Report{Counts: rd.counts, Malformed: rd.malformed}
	res := &Result{Report: rep}
	if len(rd.obs) == 0 {
		return res, ErrNoObservations
	}
	segments := -1
	if opt.Segments != nil && *opt.Segments >= 0 {
		segments = *opt.Segments
		if p, ok := shallowerBucket(rd.obs, segments); ok {
			rep.note("--segments %d asks for more path segments than the logs recorded for some paths (such as %q): those are kept as recorded, never split further", segments, shorten(p))
		}
	}
	services := group(rd.obs, segments)
	rep.Counts.Services = len(services)
	rootAll := true
	for _, s := range services {
		rootAll = rootAll && s.key.Path == "/"
	}
	v := newValidator()
	for _, s := range services {
		flags := s.findRisks()
		s.infer(v, flags)
	}
	cfg, err := propose(services, v, rootAll)
	rep.describe(services, cfg)
	if err != nil {
		return res, err
	}
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrNoProposal, err)
	}
	_, warnings := engine.Check(js)
	for _, w := range warnings {
		rep.Warnings = append(rep.Warnings, w.Error())
	}
	res.Config = append(js, '\n')
	return res, nil
}

// shallowerBucket finds a bucket the filter cut (it ends in "/" and is
// not the root) with fewer segments than asked for.
func shallowerBucket(obs []*Observation, segments int) (string, bool) {
	for _, o := range obs {
		if o.Path != "/" && strings.HasSuffix(o.Path, "/") && slashSegments(o.Path) < segments {
			return o.Path, true
		}
	}
	return "", false
}
