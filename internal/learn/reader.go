package learn

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Marker is the text that starts an observation in a log line.
const Marker = "corswasm: observation "

// maxLine bounds the part of a line the reader keeps: an observation's
// values are cut to 256 bytes, so a real one is far shorter; the rest of a
// longer line is read and discarded, and the line counted as malformed if
// it holds the marker.
const maxLine = 1 << 20

// maxMalformedShown bounds the malformed lines a report lists one by one.
const maxMalformedShown = 20

// Input is one log to read: its name (for messages) and its content.
type Input struct {
	Name string
	R    io.Reader
}

// Malformed is a line that holds the marker but no observation.
type Malformed struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Counts are what the reader saw.
type Counts struct {
	Files        int `json:"files"`
	Lines        int `json:"lines"`
	Observations int `json:"observations"`
	Malformed    int `json:"malformed"`
	Services     int `json:"services"`
}

// reading is the state of reading logs: the observations and the counts.
type reading struct {
	obs       []*Observation
	counts    Counts
	malformed []Malformed
}

// read reads one log, line by line, whatever the lines' length.
func (rd *reading) read(in Input) error {
	rd.counts.Files++
	br := bufio.NewReaderSize(in.R, 64<<10)
	var line []byte
	long := false
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= maxLine {
			line = append(line, chunk...)
		} else {
			long = true
			if room := maxLine - len(line); room > 0 {
				line = append(line, chunk[:room]...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 {
			n++
			rd.line(in.Name, n, string(line), long)
		}
		line, long = line[:0], false
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", in.Name, err)
		}
	}
}

// line reads one line: an observation, a malformed one, or nothing.
func (rd *reading) line(file string, n int, text string, long bool) {
	rd.counts.Lines++
	// A JSON-encoded log record holds the marker as it is: its bytes need
	// no escape.
	if !strings.Contains(text, Marker) {
		return
	}
	if long {
		rd.bad(file, n, fmt.Sprintf("a line longer than %d bytes", maxLine))
		return
	}
	o, err := findObservation(text)
	if err != nil {
		rd.bad(file, n, err.Error())
		return
	}
	rd.counts.Observations++
	rd.obs = append(rd.obs, o)
}

func (rd *reading) bad(file string, n int, reason string) {
	rd.counts.Malformed++
	if len(rd.malformed) < maxMalformedShown {
		rd.malformed = append(rd.malformed, Malformed{File: file, Line: n, Reason: reason})
	}
}

// findObservation finds the observation in a line: after the marker, up to
// the end of the line (any prefix before it: Envoy's log format, kubectl's
// --prefix and --timestamps), or in a string of a JSON log record the line
// holds (Envoy's or Istio's JSON log format), decoded first.
func findObservation(text string) (*Observation, error) {
	text = strings.TrimRight(text, "\r\n")
	i := strings.Index(text, Marker)
	direct, err := parseObservation(text[i+len(Marker):])
	if err == nil {
		return direct, nil
	}
	if o, ok := fromRecord(text); ok {
		return o, nil
	}
	return nil, err
}

// fromRecord decodes the JSON log record that starts at the line's first
// "{" and returns the observation one of its strings holds.
func fromRecord(text string) (*Observation, bool) {
	start := strings.IndexByte(text, '{')
	if start < 0 {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(text[start:]))
	dec.UseNumber()
	var rec any
	if dec.Decode(&rec) != nil {
		return nil, false
	}
	return inStrings(rec, 0)
}

// inStrings searches the record's strings for the marker.
func inStrings(v any, depth int) (*Observation, bool) {
	if depth > 8 {
		return nil, false
	}
	switch v := v.(type) {
	case string:
		if i := strings.Index(v, Marker); i >= 0 {
			o, err := parseObservation(strings.TrimRight(v[i+len(Marker):], "\r\n"))
			return o, err == nil
		}
	case map[string]any:
		// In the keys' order, so that a record with two observations
		// always yields the same one.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if o, ok := inStrings(v[k], depth+1); ok {
				return o, true
			}
		}
	case []any:
		for _, x := range v {
			if o, ok := inStrings(x, depth+1); ok {
				return o, true
			}
		}
	}
	return nil, false
}
