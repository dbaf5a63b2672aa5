package learn

import (
	"encoding/json"
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
	nested, _ := json.Marshal(map[string]any{"log": map[string]any{"message": obs + "\n"}})
	for _, tc := range []struct{ desc, line string }{
		{"bare", obs},
		{"CRLF", obs + "\r"},
		{"Envoy's log prefix", "[2026-12-07 21:00:00.123][27][info][wasm] [source/extensions/common/wasm/context.cc:1195] wasm log cors_filter: " + obs},
		{"kubectl --prefix --timestamps", "[pod/gw-7d9f/istio-proxy] 2026-12-07T21:00:00.000000000Z " + obs},
		{"Istio JSON record", string(record)},
		{"kubectl prefix before a JSON record", "[pod/gw/istio-proxy] " + string(record)},
		{"nested JSON record", string(nested)},
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
