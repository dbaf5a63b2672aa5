package learn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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
		if _, at := messageAt(text); at {
			rd.bad(file, n, fmt.Sprintf("a line longer than %d bytes", maxLine))
		}
		return
	}
	o, at, err := findObservation(text)
	if !at {
		return
	}
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
