package engine

// Bounds on Access-Control-Request-Headers. Chromium sends the names sorted,
// lower-cased and comma-separated without spaces, so a real preflight is far
// below both; a value beyond them fails the preflight before any name is
// looked at, so a hostile value costs a length check.
const (
	// MaxRequestHeadersBytes bounds the total length of the
	// Access-Control-Request-Headers lines of one preflight.
	MaxRequestHeadersBytes = 4096
	// MaxRequestHeaderNames bounds the number of names in them.
	MaxRequestHeaderNames = 64
	// MaxRequestHeadersLines bounds the number of
	// Access-Control-Request-Headers lines (browsers send one).
	MaxRequestHeadersLines = 10
	// maxHeaderNameLength bounds one name; no allowed name is longer.
	maxHeaderNameLength = 256
)
