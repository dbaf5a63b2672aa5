package filter

import (
	"hash/maphash"
	"strconv"
	"strings"
	"unsafe"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// Audit mode's observations: for each audited CORS request, a line saying
// what the upstream answered (its CORS headers and status) to which request
// (host, rule, path bucket, origin, method, request headers), logged once
// per distinct observation per VM, for `corswasm learn` to read:
//
//	corswasm: observation {"v":1,"host":"api.example.com","rule":"billing","path":"/billing/",...}
//
// A VM remembers the observations it logged in a fixed table allocated when
// the configuration loads; once it is full, new observations are counted as
// dropped. A configuration without audit mode has no observer.

// observationMarker starts every observation line.
const observationMarker = "corswasm: observation "

// maxObservedValue bounds each value of an observation line: a longer
// value is cut to its longest prefix whose JSON string takes at most this
// many bytes (and its quotes), and named in the line's "cut".
const maxObservedValue = 256

// maxAnswerLines bounds the lines of one answer header an observation
// lists; the header is named in "cut" when the upstream sent more.
const maxAnswerLines = 8

// observedAnswer are the upstream's headers an observation lists, in the
// order of the line.
var observedAnswer = [...]string{
	engine.HeaderAllowOrigin, engine.HeaderAllowCredentials, engine.HeaderAllowMethods,
	engine.HeaderAllowHeaders, "access-control-expose-headers", "access-control-max-age",
	engine.HeaderAllowPrivateNetwork, engine.HeaderVary,
}

// observedLengths selects, when observations are on, the names the response
// phase of an audited request reads in its one read of the header map:
// audit mode's and the observation's.
var observedLengths = answerLengths | headermap.Lengths(observedAnswer[:]...)

// Bits of an observation's cut fields, in the order of the line: the
// request's values, then observedAnswer's headers.
const (
	cutHost = 1 << iota
	cutPath
	cutOrigin
	cutMethod
	cutRequestHeaders
	cutAnswer // cutAnswer << i: observedAnswer[i]
)

// cutNames names the request's cut bits.
var cutNames = [...]string{"host", "path", "origin", "method", "request_headers"}

// observer records the distinct observations of one plugin context's
// audited requests.
type observer struct {
	level    logLevel
	segments int
	max      int // observations logged at most
	n        int // observations logged
	// table holds the hash of each logged observation's key, by open
	// addressing with linear probing; 0 marks an empty slot. It has at
	// least twice max slots, so that a probe always ends.
	table []uint64
	seed  maphash.Seed
	// joined is scratch space joining Access-Control-Request-Headers lines.
	joined []byte
	// maxLine is the longest line this configuration can give.
	maxLine int
	// buf holds the lines, each built after the last one logged, from the
	// start again once less than maxLine is left: a line always fits, and
	// buf never grows. A host may keep a view of a logged line rather than
	// a copy (the SDK's emulator, running the module, does), and it then
	// stays whole until the buffer starts over.
	buf             []byte
	logged, dropped metricID
}

// newObserver allocates an observer's table and line buffer, or returns
// nil when o records nothing. ruleNames are the configuration's rule names,
// whose longest bounds the lines.
func newObserver(o engine.Observations, ruleNames []string) *observer {
	if o.MaxEntries <= 0 {
		return nil
	}
	size := 1
	for size < 2*o.MaxEntries {
		size <<= 1
	}
	maxLine := maxObservationLine(ruleNames)
	ob := &observer{
		level: logInfo, segments: o.PathSegments, max: o.MaxEntries,
		table: make([]uint64, size), seed: maphash.MakeSeed(),
		joined:  make([]byte, 0, maxObservedValue+1),
		maxLine: maxLine,
		buf:     make([]byte, 0, 2*maxLine),
	}
	if o.Warn {
		ob.level = logWarn
	}
	return ob
}

// observe logs the observation of an audited request if it is new and the
// table has room. u and pairs are the upstream's answer, read by
// readUpstreamAnswer.
func (o *observer) observe(a *auditState, u *engine.UpstreamAnswer, pairs []headermap.Pair) {
	if line := o.record(a, u, pairs); line != nil {
		hostLog(o.level, unsafe.String(&line[0], len(line)))
	}
}

// record returns the line to log for an audited request: nil when its key
// was seen before or the table is full (counted as dropped). Only the key
// is hashed until then; the line is built only when it is logged.
func (o *observer) record(a *auditState, u *engine.UpstreamAnswer, pairs []headermap.Pair) []byte {
	if !o.add(o.key(a, u, pairs)) {
		return nil
	}
	b := o.buf
	if cap(b)-len(b) < o.maxLine {
		b = b[:0]
	}
	start := len(b)
	b = o.appendObservation(b, a, u, pairs)
	o.buf = b
	return b[start:]
}

// add records the key hash k: true when it is new and was added, false
// when it was seen before, or is not in the table and the table is full
// (counted as dropped: each time, since a full table does not remember
// what it did not record).
func (o *observer) add(k uint64) bool {
	if k == 0 {
		k = 1 // 0 marks an empty slot
	}
	mask := uint64(len(o.table) - 1)
	i := k & mask
	for o.table[i] != 0 {
		if o.table[i] == k {
			return false
		}
		i = (i + 1) & mask
	}
	if o.n >= o.max {
		o.dropped.inc()
		return false
	}
	o.table[i] = k
	o.n++
	o.logged.inc()
	return true
}

// appendObservation appends the observation line to b: at most o.maxLine
// bytes.
func (o *observer) appendObservation(b []byte, a *auditState, u *engine.UpstreamAnswer, pairs []headermap.Pair) []byte {
	var cut uint
	preflight := isPreflight(a)
	b = append(b, observationMarker+`{"v":1,"host":`...)
	b = appendCutString(b, a.host, &cut, cutHost)
	b = appendJSONString(append(b, `,"rule":`...), a.d.Rule())
	b = appendCutString(append(b, `,"path":`...), pathBucket(a.path, o.segments), &cut, cutPath)
	if preflight {
		b = append(b, `,"kind":"preflight"`...)
	} else {
		b = append(b, `,"kind":"actual"`...)
	}
	b = appendCutString(append(b, `,"origin":`...), a.req.Origin(), &cut, cutOrigin)
	method := a.req.Method
	if preflight {
		method = a.req.RequestMethod
	}
	b = appendCutString(append(b, `,"method":`...), method, &cut, cutMethod)
	if preflight && len(a.req.RequestHeaders) > 0 {
		b = appendCutString(append(b, `,"request_headers":`...), o.joinRequestHeaders(a.req.RequestHeaders), &cut, cutRequestHeaders)
	}
	if preflight && a.req.RequestPrivateNetwork == "true" {
		b = append(b, `,"request_private_network":true`...)
	}
	b = strconv.AppendInt(append(b, `,"status":`...), int64(u.Status), 10)
	b = append(b, `,"answer":{`...)
	first := true
	for i, name := range observedAnswer {
		n := 0
		for _, p := range pairs {
			if p.Name != name {
				continue
			}
			if n == maxAnswerLines {
				cut |= cutAnswer << i
				break
			}
			switch {
			case n > 0:
				b = append(b, ',')
			case !first:
				b = append(b, ',')
				fallthrough
			default:
				b = append(append(append(b, '"'), name...), `":[`...)
			}
			first = false
			b = appendCutString(b, p.Value, &cut, cutAnswer<<i)
			n++
		}
		if n > 0 {
			b = append(b, ']')
		}
	}
	b = append(b, '}')
	if cut != 0 {
		b = appendCutNames(append(b, `,"cut":[`...), cut)
		b = append(b, ']')
	}
	return append(b, '}')
}

// isPreflight reports whether a's decision answered a preflight.
func isPreflight(a *auditState) bool {
	return a.d.Kind() == engine.PreflightAllowed || a.d.Kind() == engine.PreflightRefused
}

// joinRequestHeaders joins the Access-Control-Request-Headers lines with
// ",", into o.joined: no more than a line can show, and one byte to tell
// it was cut, so that the space never grows.
func (o *observer) joinRequestHeaders(lines []string) string {
	j := o.joined[:0]
	for i, l := range lines {
		if len(j) > maxObservedValue {
			break
		}
		if i > 0 {
			j = append(j, ',')
		}
		j = append(j, l[:min(len(l), max(0, maxObservedValue+1-len(j)))]...)
	}
	o.joined = j
	return unsafe.String(unsafe.SliceData(j), len(j))
}

// appendCutString appends s as a JSON string, cut (and bit set in *cut)
// when its escaped form would take more than maxObservedValue bytes.
func appendCutString(b []byte, s string, cut *uint, bit uint) []byte {
	if n := jsonCut(s, maxObservedValue); n < len(s) {
		s = s[:n]
		*cut |= bit
	}
	return appendJSONString(b, s)
}

// appendCutNames appends the names of the cut fields as JSON strings.
func appendCutNames(b []byte, cut uint) []byte {
	n := 0
	for i, s := range cutNames {
		if cut&(1<<i) != 0 {
			b = appendListedName(b, s, n)
			n++
		}
	}
	for i, s := range observedAnswer {
		if cut&(cutAnswer<<i) != 0 {
			b = appendListedName(b, s, n)
			n++
		}
	}
	return b
}

// appendListedName appends the n-th name of a JSON list (a name needing no
// escape).
func appendListedName(b []byte, s string, n int) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	return append(append(append(b, '"'), s...), '"')
}

// pathBucket is the path (without its query) cut just after the
// segments-th segment's trailing "/" when more follows, the whole path
// otherwise: "/billing/invoices/7" with 1 is "/billing/", "/billing" is
// "/billing". With 0 it is "/" for every path starting with "/". A path
// that does not start with "/" (an asterisk-form "*") is kept whole.
func pathBucket(path string, segments int) string {
	if !strings.HasPrefix(path, "/") {
		return path
	}
	end := 0 // the index of the "/" the bucket ends with
	for range segments {
		j := strings.IndexByte(path[end+1:], '/')
		if j < 0 {
			return path
		}
		end += 1 + j
	}
	return path[:end+1]
}
