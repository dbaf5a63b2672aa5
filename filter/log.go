package filter

import (
	"fmt"
	"strconv"
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

// loggable quotes a request header value for a log line: escaped, so that it
// cannot forge log lines or terminal sequences, and truncated, so that a huge
// value costs little.
func loggable(s string) string {
	if len(s) > maxLoggedValue {
		return strconv.Quote(s[:maxLoggedValue]) + "…"
	}
	return strconv.Quote(s)
}
