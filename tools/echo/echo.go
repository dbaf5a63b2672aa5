// Package echo is the upstream of corswasm's local host, end-to-end tests
// and Envoy harness: it answers every request with a JSON description of
// what it received, and with the response headers the request asks for, so
// a test can make the upstream send any header (an upstream Vary, its own
// CORS headers) without a special server.
package echo

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Reply is the JSON body of every response.
type Reply struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
}

// Handler answers every request. Query parameters shape the response:
//
//	h=name:value   add a response header line (repeatable)
//	status=code    respond with this status (default 200)
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for _, h := range q["h"] {
			name, value, ok := strings.Cut(h, ":")
			if !ok || name == "" {
				http.Error(w, "h must be name:value", http.StatusBadRequest)
				return
			}
			w.Header().Add(name, strings.TrimLeft(value, " "))
		}
		status := http.StatusOK
		if s := q.Get("status"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 200 || n > 599 {
				http.Error(w, "status must be 200-599", http.StatusBadRequest)
				return
			}
			status = n
		}
		reply := Reply{Method: r.Method, Path: r.URL.RequestURI(), Host: r.Host, Headers: map[string][]string{}}
		names := make([]string, 0, len(r.Header))
		for name := range r.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			reply.Headers[strings.ToLower(name)] = r.Header[name]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(reply)
	})
}
