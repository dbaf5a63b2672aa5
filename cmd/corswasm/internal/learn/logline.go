package learn

import (
	"encoding/json"
	"strings"
	"time"
)

// Where an observation may sit in a line. Only a proxy's application log
// line whose message starts with the marker holds one: a value a client
// sends (a User-Agent in an access log, say) sits elsewhere in its line, so
// it never counts, whatever it holds.

// wasmLog starts the message Envoy logs for a Wasm module: Envoy's
// Context::log (source/extensions/common/wasm/context.cc) logs
// "wasm log{}: {}" with the plugin's log prefix (empty, or " " and the
// plugin's name, root id and VM id) and the module's message.
const wasmLog = "wasm log"

// recordMessageKeys are the fields of a JSON log record that hold its
// message: "msg" in Istio's JSON log format (pilot-agent's --log-format
// {"level":...,"msg":"%j",...}), "Message" in the example of Envoy's
// application_log_config json_format, and "message".
var recordMessageKeys = []string{"msg", "message", "Message"}

// findObservation reads the observation of a line. at is false when the
// marker is not where an observation would be (the line is then no
// observation, not even a malformed one); err is set when it is, but what
// follows is no observation.
func findObservation(line string) (o *Observation, at bool, err error) {
	rest, at := messageAt(line)
	if !at {
		return nil, false, nil
	}
	o, err = parseObservation(rest)
	return o, true, err
}

// messageAt finds the text after the marker when the marker starts the
// line's message: at the start of the line after kubectl's --prefix and
// --timestamps, right after Envoy's "wasm log...: ", or in the message
// field of a JSON log record the line is.
func messageAt(line string) (string, bool) {
	line = afterKubectl(strings.TrimRight(line, "\r\n"))
	if strings.HasPrefix(line, "{") {
		msg, ok := recordMessage(line)
		if !ok {
			return "", false
		}
		return afterMarker(strings.TrimRight(msg, "\r\n"))
	}
	if rest, ok := afterMarker(line); ok {
		return rest, true
	}
	// Envoy's log format puts its prefix first ("[time][thread][level]
	// [logger] [file:line] " by default, "time\tlevel\tenvoy logger
	// file:line\t" in Istio's): no quoted values, which an access log has.
	j := strings.Index(line, wasmLog)
	if j < 0 || strings.ContainsRune(line[:j], '"') || (j > 0 && !boundary(line[j-1])) {
		return "", false
	}
	rest, ok := afterMarker(line[j:])
	if !ok {
		return "", false
	}
	return withoutIstioThread(rest), true
}

// afterMarker is the text after the marker when msg starts with it, alone
// or after Envoy's "wasm log<prefix>: ".
func afterMarker(msg string) (string, bool) {
	if strings.HasPrefix(msg, Marker) {
		return msg[len(Marker):], true
	}
	if !strings.HasPrefix(msg, wasmLog) {
		return "", false
	}
	k := strings.Index(msg, ": ")
	if k < 0 {
		return "", false
	}
	ids := msg[len(wasmLog):k]
	if ids != "" && (ids[0] != ' ' || strings.ContainsAny(ids, "\"\t")) {
		return "", false
	}
	if !strings.HasPrefix(msg[k+2:], Marker) {
		return "", false
	}
	return msg[k+2+len(Marker):], true
}

// withoutIstioThread drops the "\tthread=N" Istio's log format appends to
// the message (pilot-agent's --log-format "...\t%v\tthread=%t"). A tab
// cannot be in the observation's JSON, whose strings escape it.
func withoutIstioThread(rest string) string {
	i := strings.LastIndex(rest, "\tthread=")
	if i < 0 {
		return rest
	}
	n := strings.TrimRight(rest[i+len("\tthread="):], " \t")
	if n == "" {
		return rest
	}
	for k := 0; k < len(n); k++ {
		if n[k] < '0' || n[k] > '9' {
			return rest
		}
	}
	return rest[:i]
}

// afterKubectl drops what kubectl logs --prefix ("[pod/name/container] ")
// and --timestamps (an RFC 3339 time and a space) put before a line.
func afterKubectl(line string) string {
	if strings.HasPrefix(line, "[pod/") {
		if i := strings.Index(line, "] "); i > 0 && !strings.ContainsAny(line[:i], " \t\"") {
			line = line[i+2:]
		}
	}
	if i := strings.IndexByte(line, ' '); i >= 20 && i <= 40 {
		if _, err := time.Parse(time.RFC3339Nano, line[:i]); err == nil {
			line = line[i+1:]
		}
	}
	return line
}

// recordMessage is the message of a JSON log record: the line is one JSON
// object (white space after it at most) with a string message field.
func recordMessage(line string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(line))
	var rec map[string]json.RawMessage
	if dec.Decode(&rec) != nil || strings.TrimSpace(line[dec.InputOffset():]) != "" {
		return "", false
	}
	// An application log record has a level ("level" in Istio's, "Level"
	// in Envoy's example); an access log record, even one a hand-written
	// template lets a client add keys to, has none of its own.
	if _, ok := rec["level"]; !ok {
		if _, ok := rec["Level"]; !ok {
			return "", false
		}
	}
	for _, k := range recordMessageKeys {
		raw, ok := rec[k]
		if !ok {
			continue
		}
		var msg string
		if json.Unmarshal(raw, &msg) != nil {
			return "", false
		}
		return msg, true
	}
	return "", false
}

func boundary(c byte) bool { return c == ' ' || c == '\t' || c == ']' }
