// Package learn reads the observations a corswasm filter in audit mode logs
// ("corswasm: observation {...}" lines), infers how each upstream service
// answers CORS requests, the way a browser reads the answers, and proposes a
// corswasm configuration that does the same, with a report of what was seen,
// what was not, and the risks of what the upstreams do.
package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kinds of observation.
const (
	KindPreflight = "preflight"
	KindActual    = "actual"
)

// Answer header names an observation may hold.
const (
	hACAO = "access-control-allow-origin"
	hACAC = "access-control-allow-credentials"
	hACAM = "access-control-allow-methods"
	hACAH = "access-control-allow-headers"
	hACEH = "access-control-expose-headers"
	hACMA = "access-control-max-age"
	hACPN = "access-control-allow-private-network"
	hVary = "vary"
)

// answerHeaders are the header names an observation's answer may hold.
var answerHeaders = []string{hACAO, hACAC, hACAM, hACAH, hACEH, hACMA, hACPN, hVary}

// Observation is one logged observation: a request a policy in audit mode
// decided and what the upstream answered to it.
type Observation struct {
	V                     int                 `json:"v"`
	Host                  string              `json:"host"`
	Rule                  string              `json:"rule"`
	Path                  string              `json:"path"`
	Kind                  string              `json:"kind"`
	Origin                string              `json:"origin"`
	Method                string              `json:"method"`
	RequestHeaders        string              `json:"request_headers,omitempty"`
	RequestPrivateNetwork bool                `json:"request_private_network,omitempty"`
	Status                int                 `json:"status"`
	Answer                map[string][]string `json:"answer"`
	Cut                   []string            `json:"cut,omitempty"`
}

// wireObservation is an observation as decoded, with pointers telling a
// missing field from a zero one.
type wireObservation struct {
	V                     *int                `json:"v"`
	Host                  *string             `json:"host"`
	Rule                  *string             `json:"rule"`
	Path                  *string             `json:"path"`
	Kind                  *string             `json:"kind"`
	Origin                *string             `json:"origin"`
	Method                *string             `json:"method"`
	RequestHeaders        *string             `json:"request_headers"`
	RequestPrivateNetwork *bool               `json:"request_private_network"`
	Status                *int                `json:"status"`
	Answer                map[string][]string `json:"answer"`
	Cut                   []string            `json:"cut"`
}

// parseObservation decodes the JSON object that follows the marker: the
// whole of text but trailing white space. Any other content, a missing or
// mistyped field, an unknown version or kind is an error; fields
// and answer headers the reader does not know are ignored.
func parseObservation(text string) (*Observation, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	var w wireObservation
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("not an observation object: %v", shorten(err.Error()))
	}
	if rest := strings.TrimSpace(text[dec.InputOffset():]); rest != "" {
		return nil, errors.New("text after the observation's object")
	}
	switch {
	case w.V == nil || *w.V != 1:
		return nil, errors.New(`"v" is not 1`)
	case w.Host == nil || w.Rule == nil || w.Path == nil || w.Kind == nil || w.Origin == nil || w.Method == nil || w.Status == nil || w.Answer == nil:
		return nil, errors.New("a required field is missing")
	case *w.Kind != KindPreflight && *w.Kind != KindActual:
		return nil, fmt.Errorf("unknown kind %q", shorten(*w.Kind))
	case !strings.HasPrefix(*w.Path, "/"):
		return nil, errors.New(`"path" does not start with "/"`)
	case *w.Status < 100 || *w.Status > 999:
		return nil, errors.New(`"status" is not an HTTP status`)
	}
	o := &Observation{V: 1, Host: *w.Host, Rule: *w.Rule, Path: *w.Path, Kind: *w.Kind, Origin: *w.Origin,
		Method: *w.Method, Status: *w.Status, Answer: make(map[string][]string), Cut: w.Cut}
	if w.RequestHeaders != nil {
		o.RequestHeaders = *w.RequestHeaders
	}
	if w.RequestPrivateNetwork != nil {
		o.RequestPrivateNetwork = *w.RequestPrivateNetwork
	}
	// Headers a later filter may add are left out: only those the spec
	// names are read.
	for _, name := range answerHeaders {
		if lines, ok := w.Answer[name]; ok && lines != nil {
			o.Answer[name] = lines
		}
	}
	return o, nil
}

// cut reports whether the observation's field (or answer header) was cut
// to 256 bytes by the filter: its value is not the one sent.
func (o *Observation) cut(field string) bool {
	for _, c := range o.Cut {
		if c == field {
			return true
		}
	}
	return false
}

// header is the answer header's field lines combined as a browser gets
// them (Fetch "get": values joined with ", "), and whether it was present.
func (o *Observation) header(name string) (string, bool) {
	lines, ok := o.Answer[name]
	if !ok {
		return "", false
	}
	return strings.Join(lines, ", "), true
}

// shorten bounds a message's quoted input.
func shorten(s string) string {
	const max = 80
	if len(s) > max {
		return strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}
