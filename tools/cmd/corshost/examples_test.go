//go:build !wasip1

package main

import (
	"strings"
	"testing"
)

func TestExamplesNotes(t *testing.T) {
	for _, tc := range []struct{ config, origin, note string }{
		{`{"allow_origins": ["null", "https://x.example:8443"]}`, "https://x.example:8443", ""},
		{`{"allow_origin_regexes": ["https://.*\\.example"]}`, fallbackOrigin, "only regexes"},
		{`{}`, fallbackOrigin, "no origin in allow_origins"},
		{`not json`, fallbackOrigin, "could not read the configuration"},
		{`{"allow_origins": ["*"], "allow_methods": ["*"]}`, fallbackOrigin, `both contain "*"`},
		{`{"allow_origins": ["https://a.example"], "enabled": false}`, "https://a.example", "enabled is false"},
		{`{"allow_origins": ["https://a.example"], "mode": "audit"}`, "https://a.example", "mode is audit"},
		{`{"allow_origins": ["https://a.example"], "rules": [{"name": "r", "match": {"path_prefixes": ["/api"]}}]}`, "https://a.example", "has rules"},
	} {
		set := examples([]byte(tc.config), "http://127.0.0.1:10000", true)
		notes := strings.Join(set.notes, "\n")
		if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
			t.Errorf("%s: notes %q, want one containing %q", tc.config, notes, tc.note)
		}
		if len(set.requests) != 3 {
			t.Fatalf("%s: %d requests, want 3", tc.config, len(set.requests))
		}
		for _, req := range set.requests {
			words, err := shellWords(req.curl())
			if err != nil {
				t.Fatalf("%s: %v", req.curl(), err)
			}
			if curlRequest(t, words).Header.Get("Origin") == "" {
				t.Errorf("%s: %s sends no Origin", tc.config, req.curl())
			}
		}
		if got := set.requests[0].headers[0][1]; got != tc.origin {
			t.Errorf("%s: allowed origin %q, want %q", tc.config, got, tc.origin)
		}
	}
}

func TestAllowedMethod(t *testing.T) {
	for _, tc := range []struct {
		methods []string
		want    string
	}{
		{[]string{"POST", "DELETE"}, "DELETE"},
		{[]string{"POST"}, "POST"},
		{[]string{"*"}, "PUT"},
		{nil, "GET"},
	} {
		if got := allowedMethod(tc.methods); got != tc.want {
			t.Errorf("allowedMethod(%q) = %q, want %q", tc.methods, got, tc.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for _, s := range []string{"plain", "Origin: https://a.example", "it's", "", "a'b'c"} {
		words, err := shellWords("curl " + shellQuote(s))
		if err != nil || len(words) != 2 || words[1] != s {
			t.Errorf("shellQuote(%q) = %s, read back as %q (%v)", s, shellQuote(s), words, err)
		}
	}
}
