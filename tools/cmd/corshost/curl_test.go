//go:build !wasip1

package main

// Reading the curl commands run prints, and checking what they get.

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// curlCommands returns the curl commands run printed, in order.
func curlCommands(t *testing.T, stdout string) [][]string {
	t.Helper()
	var cmds [][]string
	for line := range strings.Lines(stdout) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("printed command %q: %v", line, err)
		}
		cmds = append(cmds, words)
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell does, for the subset
// corshost prints: plain words and single-quoted strings.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord, quoted, escaped := false, false, false
	for _, c := range line {
		switch {
		case escaped:
			word.WriteRune(c)
			escaped = false
		case quoted && c == '\'':
			quoted = false
		case quoted:
			word.WriteRune(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\':
			escaped, inWord = true, true
		case c == ' ':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune("\"$`;&|<>()*?", c):
			return nil, fmt.Errorf("unexpected shell character %q outside single quotes", c)
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	if quoted || escaped {
		return nil, fmt.Errorf("unterminated quote or escape")
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// curlRequest turns a printed curl command into the request it sends.
func curlRequest(t *testing.T, words []string) *http.Request {
	t.Helper()
	if len(words) == 0 || words[0] != "curl" {
		t.Fatalf("not a curl command: %q", words)
	}
	method, target := http.MethodGet, ""
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-si" || w == "-s" || w == "-i":
		case w == "-X" && i+1 < len(words):
			i++
			method = words[i]
		case w == "-H" && i+1 < len(words):
			i++
			name, value, ok := strings.Cut(words[i], ":")
			if !ok {
				t.Fatalf("header %q without a colon in %q", words[i], words)
			}
			header.Add(name, strings.TrimSpace(value))
		case !strings.HasPrefix(w, "-") && target == "":
			target = w
		default:
			t.Fatalf("unexpected curl argument %q in %q", w, words)
		}
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatalf("curl command %q: %v", words, err)
	}
	req.Header = header
	return req
}

// reply is what a request got.
type reply struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: waitLimit}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

// want is how the three printed requests must be answered.
type want struct {
	origin          string // the allowed origin the examples use
	allowOrigin     string // its access-control-allow-origin; "" means origin
	preflightStatus int    // of the allowed preflight
	refusedStatus   int    // of the refused preflight
	refusedByEcho   bool   // the refused preflight reached the upstream
}

// checkExamples executes the three example commands run printed and checks
// they show what their comments promise. It returns the admin /stats URL
// from the fourth command.
func checkExamples(t *testing.T, stdout string, w want) string {
	t.Helper()
	if w.allowOrigin == "" {
		w.allowOrigin = w.origin
	}
	cmds := curlCommands(t, stdout)
	if len(cmds) != 4 {
		t.Fatalf("want 4 curl commands (3 examples and /stats), got %d in:\n%s", len(cmds), stdout)
	}

	allowed := do(t, curlRequest(t, cmds[0]))
	if allowed.status != w.preflightStatus || allowed.header.Get("Access-Control-Allow-Origin") != w.allowOrigin {
		t.Errorf("allowed preflight %q: got %d with access-control-allow-origin %q, want %d with %q",
			cmds[0], allowed.status, allowed.header.Get("Access-Control-Allow-Origin"), w.preflightStatus, w.allowOrigin)
	}
	if allowed.body != "" {
		t.Errorf("allowed preflight: the upstream answered (body %q), want the filter's reply", allowed.body)
	}

	refused := do(t, curlRequest(t, cmds[1]))
	if refused.status != w.refusedStatus {
		t.Errorf("refused preflight %q: got %d, want %d", cmds[1], refused.status, w.refusedStatus)
	}
	for name := range refused.header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			t.Errorf("refused preflight: got header %s: %q, want no access-control-* headers", name, refused.header.Get(name))
		}
	}
	if fromEcho := strings.Contains(refused.body, `"method":"OPTIONS"`); fromEcho != w.refusedByEcho {
		t.Errorf("refused preflight reached the echo upstream: %v, want %v (body %q)", fromEcho, w.refusedByEcho, refused.body)
	}

	actual := do(t, curlRequest(t, cmds[2]))
	if actual.status != http.StatusOK || actual.header.Get("Access-Control-Allow-Origin") != w.allowOrigin {
		t.Errorf("actual request %q: got %d with access-control-allow-origin %q, want 200 with %q",
			cmds[2], actual.status, actual.header.Get("Access-Control-Allow-Origin"), w.allowOrigin)
	}
	if !strings.Contains(actual.body, `"method":"GET"`) || !strings.Contains(actual.body, w.origin) {
		t.Errorf("actual request: want the echo upstream's description of a GET from %s, got %q", w.origin, actual.body)
	}

	stats := curlRequest(t, cmds[3])
	if stats.URL.Path != "/stats" {
		t.Fatalf("fourth command %q: want the admin /stats", cmds[3])
	}
	return stats.URL.String()
}
