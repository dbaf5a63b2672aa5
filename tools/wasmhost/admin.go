//go:build !wasip1

package wasmhost

import (
	"encoding/json"
	"io"
	"net/http"
)

// Admin returns a handler like a small part of Envoy's admin interface:
//
//   - /stats: the plugin's metrics, one "wasmcustom.<name>: <value>" line
//     each, sorted;
//   - /ready: 200 "LIVE" while the host serves (every VM started in New),
//     503 "DRAINING" once Close was called;
//   - /logs: the log lines as JSON, one object per line (not in Envoy).
func (h *Host) Admin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		_, _ = io.WriteString(w, h.stats.text())
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		select {
		case <-h.closing:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "DRAINING\n")
		default:
			_, _ = io.WriteString(w, "LIVE\n")
		}
	})
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for _, l := range h.logs.snapshot() {
			if enc.Encode(l) != nil {
				return
			}
		}
	})
	return mux
}
