package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/corswasm/corswasm/internal/engine"
)

// logLevel is a proxy-wasm log level.
type logLevel int

const (
	logTrace logLevel = iota
	logDebug
	logInfo
	logWarn
	logError
	logCritical
)

func logf(level logLevel, format string, args ...any) {
	hostLog(level, fmt.Sprintf(format, args...))
}

// maxLoggedValue bounds how much of a request header a log line shows.
const maxLoggedValue = 128

// appendLoggable appends a request header value, quoted for a log line, to
// b: escaped, so that it cannot forge log lines or terminal sequences, and
// truncated, so that a huge value costs little.
func appendLoggable(b []byte, s string) []byte {
	if len(s) > maxLoggedValue {
		return append(strconv.AppendQuote(b, s[:maxLoggedValue]), "…"...)
	}
	return strconv.AppendQuote(b, s)
}

// pathOnly drops the query of a :path for logs: it may carry tokens.
func pathOnly(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

// logRefusal logs a refused or disallowed request at debug level. It
// builds the line in the plugin's reusable buffer: refusals are common, and
// logging them must not allocate (the host discards the line below debug).
func (p *pluginContext) logRefusal(r *requestHeaders, d *engine.Decision) {
	p.logBuf = appendRefusal(p.logBuf[:0], r, d)
	hostLog(logDebug, unsafe.String(unsafe.SliceData(p.logBuf), len(p.logBuf)))
}

// appendRefusal appends the log line of a refusal to b: the reason, and the
// request's values quoted and truncated, the path without its query.
func appendRefusal(b []byte, r *requestHeaders, d *engine.Decision) []byte {
	b = append(b, "corswasm: "...)
	b = append(b, d.Kind().String()...)
	b = append(b, " ("...)
	b = append(b, d.Reason().String()...)
	if d.Detail() != "" {
		b = append(b, ": "...)
		b = append(b, d.Detail()...)
	}
	b = append(b, "): origin "...)
	b = appendLoggable(b, r.req.Origin())
	b = append(b, ", method "...)
	b = appendLoggable(b, r.req.Method)
	b = append(b, ", path "...)
	return appendLoggable(b, pathOnly(r.req.Path))
}
