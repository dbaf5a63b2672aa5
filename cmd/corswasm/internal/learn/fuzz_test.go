package learn

import (
	"errors"
	"strings"
	"testing"
)

// Pools the fuzzer picks observations' values from: plausible ones and
// hostile ones.
var (
	fuzzHosts   = []string{"a.example.com", "B.example.com:8443", "c.example.com", "[::1]:80", "bad host", "", "d.example.com.", "x\x00y"}
	fuzzPaths   = []string{"/", "/a", "/a/", "/a/b/", "/a/b", "/b/", "/p q/", "/\xff/"}
	fuzzOrigins = []string{app, adm, "https://a.example.org", "http://b.example.net", "http://localhost:3000", "null", "https://probe.invalid", "https://App.example.com", "x", "https://c.example.com:443", "https://d.example.com:8443", ""}
	fuzzMethods = []string{"GET", "PUT", "DELETE", "PATCH", "put", "FROB", "", "GET POST"}
	fuzzHeaders = []string{"", "x-a", "x-a, x-b", "Content-Type", "authorization", "x a", ",,"}
	fuzzValues  = []string{"*", "true", "PUT, DELETE", "x-a, x-b", "600", "100000", "-1", "Origin", "origin, accept", "", "a b", "\xff"}
	fuzzNames   = []string{hACAO, hACAC, hACAM, hACAH, hACEH, hACMA, hACPN, hVary}
	fuzzStatus  = []int{200, 204, 202, 403, 500}
)

// fuzzObservations makes observations from the fuzzer's bytes: each
// observation takes a few bytes as picks from the pools.
func fuzzObservations(data []byte) []*Observation {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b
	}
	pick := func(l []string) string { return l[next()%len(l)] }
	var obs []*Observation
	for len(data) > 0 && len(obs) < 64 {
		origin := pick(fuzzOrigins)
		o := &Observation{V: 1, Host: pick(fuzzHosts), Path: pick(fuzzPaths), Origin: origin, Method: pick(fuzzMethods),
			Status: fuzzStatus[next()%len(fuzzStatus)], Answer: map[string][]string{}, Kind: KindActual}
		if next()%2 == 0 {
			o.Kind = KindPreflight
			o.RequestHeaders = pick(fuzzHeaders)
			o.RequestPrivateNetwork = next()%4 == 0
		}
		for n := next() % 6; n > 0; n-- {
			name := pick(fuzzNames)
			v := pick(fuzzValues)
			if name == hACAO && next()%2 == 0 {
				v = origin // an echo
			}
			o.Answer[name] = append(o.Answer[name], v)
		}
		if next()%16 == 0 {
			o.Cut = []string{pick([]string{"origin", "host", "path", hACAO, hACAM})}
		}
		obs = append(obs, o)
	}
	return obs
}

// Any set of observations yields a proposal engine.Check accepts, or a
// clear refusal.
func FuzzLearn(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 1, 0, 0})
	f.Add([]byte("reflection with credentials and every header"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
	f.Add([]byte(strings.Repeat("\x03\x02\x05\x01\x00\x01\x05\x00\x01\x06", 12)))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs := fuzzObservations(data)
		for _, opt := range []Options{{}, {Segments: ptr(0)}, {Segments: ptr(1)}} {
			res, err := LearnObservations(obs, opt)
			switch {
			case len(obs) == 0:
				if !errors.Is(err, ErrNoObservations) {
					t.Fatalf("no observations: %v", err)
				}
			case err != nil:
				if !errors.Is(err, ErrNoProposal) || res == nil || res.Report == nil {
					t.Fatalf("an unclear refusal: %v", err)
				}
			default:
				mustCheck(t, res.Config)
				var b strings.Builder
				if err := res.Report.WriteText(&b); err != nil {
					t.Fatal(err)
				}
				for _, l := range strings.Split(b.String(), "\n") {
					if strings.Contains(l, "\x00") || strings.Contains(l, "\x1b") {
						t.Fatalf("the report holds a control character: %q", l)
					}
				}
			}
		}
	})
}

// Any log text is read without panic, every line counted.
func FuzzRead(f *testing.F) {
	f.Add(Marker + `{"v":1,"host":"a","rule":"","path":"/","kind":"actual","origin":"x","method":"GET","status":200,"answer":{}}` + "\n")
	f.Add(`{"msg":"` + Marker + `{\"v\":1}"}`)
	f.Add(Marker + "\xff\n\n" + Marker)
	f.Add(`wasm log a: ` + Marker + `{"v":1}`)
	f.Fuzz(func(t *testing.T, text string) {
		var rd reading
		if err := rd.read(Input{Name: "fuzz", R: strings.NewReader(text)}); err != nil {
			t.Fatal(err)
		}
		if rd.counts.Observations+rd.counts.Malformed > rd.counts.Lines {
			t.Fatalf("counts %+v", rd.counts)
		}
		if len(rd.obs) > 0 {
			if _, err := LearnObservations(rd.obs, Options{}); err != nil && !errors.Is(err, ErrNoProposal) {
				t.Fatal(err)
			}
		}
		// A client's value in an access log line never makes an
		// observation, nor a malformed one.
		if !strings.ContainsAny(text, "\r\n") {
			var acc reading
			if err := acc.read(Input{Name: "access", R: strings.NewReader(`[2026-12-07T21:00:05.000Z] "GET /x HTTP/1.1" 200 "` + text + `" "-"`)}); err != nil {
				t.Fatal(err)
			}
			if acc.counts.Observations+acc.counts.Malformed != 0 {
				t.Fatalf("an access log line read as %+v", acc.counts)
			}
		}
	})
}
