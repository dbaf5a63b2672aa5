package learn

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func readText(t *testing.T, text string) *reading {
	t.Helper()
	var rd reading
	if err := rd.read(Input{Name: "log", R: strings.NewReader(text)}); err != nil {
		t.Fatal(err)
	}
	return &rd
}

func TestReaderFindsObservationsInEveryLogFormat(t *testing.T) {
	t.Parallel()
	o := act("api.example.com:8443", "/v1/", "https://app.example.com", "GET", a(hACAO, "https://app.example.com", hVary, "Origin"))
	o.Rule = "api"
	obs := line(t, o)
	record, _ := json.Marshal(map[string]any{"level": "info", "time": "2026-12-07T21:00:00Z", "msg": "wasm log cors: " + obs})
	envoyJSON, _ := json.Marshal(map[string]any{"Timestamp": "2026-12-07T21:00:00.000", "Level": "info", "Message": "wasm log cors_filter root vm: " + obs + "\n"})
	for _, tc := range []struct{ desc, line string }{
		{"bare", obs},
		{"CRLF", obs + "\r"},
		{"Envoy's log prefix", "[2026-12-07 21:00:00.123][27][info][wasm] [source/extensions/common/wasm/context.cc:1195] wasm log cors_filter: " + obs},
		{"kubectl --prefix --timestamps", "[pod/gw-7d9f/istio-proxy] 2026-12-07T21:00:00.000000000Z " + obs},
		{"Istio JSON record", string(record)},
		{"kubectl prefix before a JSON record", "[pod/gw/istio-proxy] " + string(record)},
		{"Envoy JSON record", string(envoyJSON)},
		{"Istio's text format", "2026-12-07T21:00:00.000000Z\tinfo\tenvoy wasm external/envoy/source/extensions/common/wasm/context.cc:1195\twasm log cors: " + obs + "\tthread=27"},
		{"kubectl --timestamps", "2026-12-07T21:00:00.000000000Z " + obs},
	} {
		rd := readText(t, "unrelated line\n"+tc.line+"\nanother\n")
		if rd.counts.Observations != 1 || rd.counts.Malformed != 0 || rd.counts.Lines != 3 {
			t.Errorf("%s: counts %+v; want 3 lines, 1 observation, 0 malformed (%v)", tc.desc, rd.counts, rd.malformed)
			continue
		}
		got := rd.obs[0]
		if got.Host != o.Host || got.Rule != "api" || got.Path != "/v1/" || got.Origin != o.Origin || join(got.Answer[hACAO]) != o.Origin {
			t.Errorf("%s: got %+v", tc.desc, got)
		}
	}
}

func TestReaderCountsMalformedObservations(t *testing.T) {
	t.Parallel()
	good := line(t, act("a.example", "/", "https://b.example", "GET", a()))
	for _, tc := range []struct{ desc, line, reason string }{
		{"not JSON", Marker + "{nope", "not an observation object"},
		{"cut short", good[:len(good)-5], "not an observation object"},
		{"other version", strings.Replace(good, `"v":1`, `"v":2`, 1), `"v" is not 1`},
		{"missing field", strings.Replace(good, `"origin":"https://b.example",`, "", 1), "a required field is missing"},
		{"unknown kind", strings.Replace(good, `"actual"`, `"other"`, 1), "unknown kind"},
		{"trailing text", good + " trailing", "text after"},
		{"mistyped", strings.Replace(good, `"status":200`, `"status":"200"`, 1), "not an observation object"},
		{"relative path", strings.Replace(good, `"path":"/"`, `"path":"x"`, 1), "path"},
		{"after Envoy's prefix", "[2026-12-07 21:00:00.123][27][info][wasm] wasm log cors: " + Marker + "{nope", "not an observation object"},
		{"in a JSON record's message", `{"level":"info","msg":"wasm log cors: ` + Marker + `{nope"}`, "not an observation object"},
		{"text after, in a JSON record", `{"level":"info","message":` + strconv.Quote(good+" trailing") + `}`, "text after"},
	} {
		rd := readText(t, tc.line+"\n"+good+"\n")
		if rd.counts.Malformed != 1 || rd.counts.Observations != 1 {
			t.Errorf("%s: counts %+v; want 1 malformed, 1 observation", tc.desc, rd.counts)
			continue
		}
		if m := rd.malformed[0]; m.Line != 1 || !strings.Contains(m.Reason, tc.reason) {
			t.Errorf("%s: malformed %+v; want line 1 and %q", tc.desc, m, tc.reason)
		}
	}
}

// Hostile logs: lines longer than bufio.Scanner's limit, invalid UTF-8,
// control characters: no panic, every line counted.
func TestReaderHostileLines(t *testing.T) {
	t.Parallel()
	good := line(t, act("a.example", "/", "https://b.example", "GET", a()))
	huge := strings.Repeat("x", 3<<20)
	long := line(t, act("a.example", "/", "https://b.example", "GET", a(hVary, strings.Repeat("o", 300<<10))))
	text := strings.Join([]string{
		huge,                                     // 3 MB without the marker: ignored
		Marker + `{"v":1,"host":"` + huge + `"}`, // 3 MB with it: malformed
		long,                                     // 300 KB observation: read
		strings.Replace(good, "b.example", "b.\xff\xfeexample", 1), // invalid UTF-8: read, replaced
		Marker + "\x00\x1b[2J",
		good,
	}, "\n")
	rd := readText(t, text)
	if rd.counts.Lines != 6 || rd.counts.Observations != 3 || rd.counts.Malformed != 2 {
		t.Fatalf("counts %+v; want 6 lines, 3 observations, 2 malformed", rd.counts)
	}
	if !strings.Contains(rd.malformed[0].Reason, "longer than") {
		t.Errorf("the huge line's reason: %q", rd.malformed[0].Reason)
	}
	if o := rd.obs[1]; !strings.Contains(o.Origin, "\ufffd") {
		t.Errorf("invalid UTF-8 origin read as %q", o.Origin)
	}
}

func TestReaderIgnoresLinesWithoutTheMarker(t *testing.T) {
	t.Parallel()
	rd := readText(t, "corswasm: observations dropped\n{\"msg\":\"corswasm: observation\"}\nno newline at the end")
	if rd.counts.Lines != 3 || rd.counts.Observations != 0 || rd.counts.Malformed != 0 {
		t.Errorf("counts %+v; want 3 lines, nothing else", rd.counts)
	}
}

// A client's values reach access log lines (a User-Agent, a path): those
// never yield an observation, whatever they hold, nor a malformed one.
func TestReaderIgnoresObservationsOutsideTheMessage(t *testing.T) {
	t.Parallel()
	o := act("app.example.com", "/api/", "https://evil.example.net", "GET", a(hACAO, "https://evil.example.net", hACAC, "true"))
	obs := line(t, o)
	q, _ := json.Marshal(obs)
	inner, _ := json.Marshal(map[string]any{"m": obs})
	userAgent, _ := json.Marshal(map[string]any{"start_time": "2026-12-07T21:00:06.000Z", "method": "GET", "user_agent": obs, "authority": "app.example.com"})
	nested, _ := json.Marshal(map[string]any{"log": map[string]any{"message": obs}})
	for _, tc := range []struct{ desc, line string }{
		{"text access log", `[2026-12-07T21:00:05.000Z] "GET /api/x HTTP/1.1" 200 - "-" "` + string(inner) + `" "6f1c" "app.example.com"`},
		{"text access log, the value last", `[2026-12-07T21:00:05.000Z] "GET /api/x HTTP/1.1" 200 ` + obs},
		{"text access log, wasm log in a value", `[2026-12-07T21:00:05.000Z] "GET /x HTTP/1.1" "wasm log a: ` + obs},
		{"JSON access log", string(userAgent)},
		{"a record in a JSON field", string(nested)},
		{"JSON record then text", `{"msg":` + string(q) + `} trailing`},
		{"text then a JSON record", `access {"msg":` + string(q) + `}`},
		{"marker inside the message", `{"msg":"request from ` + string(q[1:]) + `}`},
		{"wasm log prefix with a quote", "wasm log \"a: " + obs},
	} {
		rd := readText(t, tc.line+"\n")
		if rd.counts.Observations != 0 || rd.counts.Malformed != 0 {
			t.Errorf("%s: counts %+v; want no observation, nothing malformed", tc.desc, rd.counts)
		}
	}
	// From the files of such lines, learn proposes nothing.
	for _, name := range []string{"text-access.log", "json-access.log"} {
		_, err := Learn([]Input{{Name: name, R: strings.NewReader(readTestdata(t, name))}}, Options{})
		if err != ErrNoObservations {
			t.Errorf("%s: Learn: %v; want ErrNoObservations", name, err)
		}
	}
}

// A JSON record without a level is no application log record: an access
// log written with a hand-made JSON template, whose values a client can
// add keys to, never yields an observation.
func TestAccessLogRecordWithoutLevelIsNoObservation(t *testing.T) {
	t.Parallel()
	line := `{"user_agent":"","msg":"` + Marker + `{\"v\":1,\"host\":\"app.example.com\",\"rule\":\"\",\"path\":\"/\",\"kind\":\"actual\",\"origin\":\"https://evil.example.net\",\"method\":\"GET\",\"status\":200,\"answer\":{\"access-control-allow-origin\":[\"https://evil.example.net\"]}}","x":""}`
	_, err := Learn([]Input{{Name: "access.log", R: strings.NewReader(line + "\n")}}, Options{})
	if err != ErrNoObservations {
		t.Errorf("Learn: %v; want ErrNoObservations", err)
	}
}
