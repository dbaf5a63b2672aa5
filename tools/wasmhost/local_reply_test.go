//go:build !wasip1

package wasmhost

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestLocalReply(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	cfg := countingUpstream(t, &hits)
	cfg.Module = testFilter(t)
	h, srv := startHost(t, cfg)
	tests := []struct {
		desc              string
		lines             []string
		wantStatus        int
		wantBody          string
		wantLength        []string // Content-Length lines; nil: none
		wantType          string
		wantResponseMap   string
		wantResponseEos   string
		wantLogSubstrings []string
	}{{
		desc:            "empty body",
		lines:           []string{"X-Test-Local: 403"},
		wantStatus:      403,
		wantLength:      []string{"0"},
		wantResponseMap: ":status=403|x-local=yes",
		wantResponseEos: "1",
	}, {
		desc:            "204 has no content-length",
		lines:           []string{"X-Test-Local: 204"},
		wantStatus:      204,
		wantResponseMap: ":status=204|x-local=yes",
		wantResponseEos: "1",
	}, {
		desc:            "body",
		lines:           []string{"X-Test-Local: 400", "X-Test-Local-Body: denied"},
		wantStatus:      400,
		wantBody:        "denied",
		wantLength:      []string{"6"},
		wantType:        "text/plain",
		wantResponseMap: ":status=400|x-local=yes|content-length=6|content-type=text/plain",
		wantResponseEos: "0",
	}, {
		desc:              ":status among the plugin's headers is dropped",
		lines:             []string{"X-Test-Local: 403", "X-Test-Local-Status-Header: 1"},
		wantStatus:        403,
		wantLength:        []string{"0"},
		wantResponseMap:   ":status=403|x-local=yes",
		wantResponseEos:   "1",
		wantLogSubstrings: []string{"the headers include :status"},
	}}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			resp, body := do(t, srv, "GET", "/", "", tc.lines...)
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Errorf("got %d %q; want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if got := resp.Header["Content-Length"]; strings.Join(got, ",") != strings.Join(tc.wantLength, ",") {
				t.Errorf("Content-Length %q; want %q", got, tc.wantLength)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q; want %q (no upstream content-type applies)", got, tc.wantType)
			}
			if resp.Header.Get("X-Local") != "yes" {
				t.Error("the plugin's header x-local is missing")
			}
			// The plugin's response callback ran on its own reply.
			if got := resp.Header.Get("X-Test-Response-Map"); got != tc.wantResponseMap {
				t.Errorf("response map %q; want %q", got, tc.wantResponseMap)
			}
			if got := resp.Header.Get("X-Test-Response-Eos"); got != tc.wantResponseEos {
				t.Errorf("response end_of_stream %q; want %q", got, tc.wantResponseEos)
			}
			for _, want := range tc.wantLogSubstrings {
				if !logsContain(h, want) {
					t.Errorf("no log line contains %q", want)
				}
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("the upstream got %d requests; local replies must not reach it", hits.Load())
	}
}

// TestLocalReply204OnTheWire reads the raw HTTP/1.1 response: Envoy sends no
// content-length on a 204 and content-length: 0 on other empty replies.
func TestLocalReply204OnTheWire(t *testing.T) {
	t.Parallel()
	_, srv := startHost(t, Config{Module: testFilter(t)})
	for _, tc := range []struct {
		status, wantLine string
		wantLength       bool
	}{{"204", "HTTP/1.1 204 No Content", false}, {"200", "HTTP/1.1 200 OK", true}} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Test-Local: " + tc.status + "\r\nConnection: close\r\n\r\n"))
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Proto+" "+resp.Status != tc.wantLine {
			t.Errorf("status line %q; want %q", resp.Proto+" "+resp.Status, tc.wantLine)
		}
		_, hasLength := resp.Header["Content-Length"]
		if hasLength != tc.wantLength || resp.Header.Get("Transfer-Encoding") != "" {
			t.Errorf("%s: headers %v; want content-length present: %v, no transfer-encoding", tc.status, resp.Header, tc.wantLength)
		}
		conn.Close()
	}
}

func TestDoubleLocalReplyIsCaught(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t)})
	if resp, _ := do(t, srv, "GET", "/", "", "X-Test-Local: 403"); resp.StatusCode != 403 || h.DoubleLocalReplies() != 0 {
		t.Fatalf("single local reply: got %d, %d double replies; want 403, 0", resp.StatusCode, h.DoubleLocalReplies())
	}
	resp, body := do(t, srv, "GET", "/", "", "X-Test-Local: 403", "X-Test-Double: 1")
	if resp.StatusCode != 500 || !strings.Contains(body, "envoyproxy/envoy#28826") {
		t.Errorf("got %d %q; want 500 naming envoyproxy/envoy#28826", resp.StatusCode, body)
	}
	if h.DoubleLocalReplies() != 1 {
		t.Errorf("DoubleLocalReplies() = %d; want 1", h.DoubleLocalReplies())
	}
	if !logsContain(h, "proxy_send_local_response called while proxy_on_response_headers ran on the plugin's own local reply") {
		t.Error("the double local reply is not logged")
	}
}

// TestLocalReplyFromResponseReplacesUpstream: a reply asked for in
// proxy_on_response_headers on the upstream's response replaces it and goes
// out directly, without running the response callback again.
func TestLocalReplyFromResponseReplacesUpstream(t *testing.T) {
	t.Parallel()
	h, srv := startHost(t, Config{Module: testFilter(t)})
	resp, body := do(t, srv, "GET", "/", "", "X-Test-Local-On-Response: 1")
	if resp.StatusCode != 418 || body != "teapot" || resp.Header.Get("X-Replaced") != "yes" {
		t.Errorf("got %d %q %v; want the plugin's 418 teapot", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("X-Upstream") != "" || resp.Header.Get("X-Test-Response-Map") != "" {
		t.Errorf("headers %v; want neither the upstream's nor those the callback added to it", resp.Header)
	}
	if h.DoubleLocalReplies() != 0 {
		t.Errorf("DoubleLocalReplies() = %d; want 0 (this is not a reply on the plugin's own reply)", h.DoubleLocalReplies())
	}
}
