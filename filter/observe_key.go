package filter

import (
	"encoding/binary"
	"hash/maphash"
	"unicode/utf8"

	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// An observation's key, hashed without building its line: every field of
// the line except the status of an actual request, each value as the line
// shows it (cut the same way), and which values were cut. Two requests have
// the same key exactly when their lines would be the same, status of an
// actual request aside (up to a collision of the 64-bit hash).

// Bytes the key's stream is made of besides the values' own: none occurs in
// valid UTF-8, so a value cannot be mistaken for one.
const (
	keyInvalid = 0xff // a byte of an invalid UTF-8 sequence (\ufffd in the line)
	keyEnd     = 0xfe // ends a value
	keyListEnd = 0xfd // ends the lines of an answer header
)

// key hashes the key of an audited request's observation.
func (o *observer) key(a *auditState, u *engine.UpstreamAnswer, pairs []headermap.Pair) uint64 {
	var h maphash.Hash
	h.SetSeed(o.seed)
	var cut uint
	preflight := isPreflight(a)
	writeKeyValue(&h, a.host, &cut, cutHost)
	h.WriteString(a.d.Rule()) // unique, of letters, digits, "-" and "_"
	h.WriteByte(keyEnd)
	writeKeyValue(&h, pathBucket(a.path, o.segments), &cut, cutPath)
	writeKeyValue(&h, a.req.Origin(), &cut, cutOrigin)
	var flags byte
	if preflight {
		flags = 1
		writeKeyValue(&h, a.req.RequestMethod, &cut, cutMethod)
		if len(a.req.RequestHeaders) > 0 {
			flags |= 2
			writeKeyValue(&h, o.joinRequestHeaders(a.req.RequestHeaders), &cut, cutRequestHeaders)
		}
		if a.req.RequestPrivateNetwork == "true" {
			flags |= 4
		}
	} else {
		writeKeyValue(&h, a.req.Method, &cut, cutMethod)
	}
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
			writeKeyValue(&h, p.Value, &cut, cutAnswer<<i)
			n++
		}
		h.WriteByte(keyListEnd)
	}
	var tail [13]byte
	tail[0] = flags
	binary.LittleEndian.PutUint64(tail[1:], uint64(cut))
	if preflight {
		// A preflight's status is part of its key; an actual request's
		// line shows the first status seen.
		binary.LittleEndian.PutUint32(tail[9:], uint32(u.Status))
	}
	h.Write(tail[:])
	return h.Sum64()
}

// writeKeyValue writes to h the part of s an observation line shows (what
// appendCutString keeps), each byte of an invalid UTF-8 sequence as
// keyInvalid, then keyEnd; it sets bit in *cut when s was cut.
func writeKeyValue(h *maphash.Hash, s string, cut *uint, bit uint) {
	w, run, i := 0, 0, 0
	for i < len(s) {
		uw, size := jsonUnit(s, i)
		if w+uw > maxObservedValue {
			*cut |= bit
			break
		}
		w += uw
		if size == 1 && s[i] >= utf8.RuneSelf {
			h.WriteString(s[run:i])
			h.WriteByte(keyInvalid)
			run = i + 1
		}
		i += size
	}
	h.WriteString(s[run:i])
	h.WriteByte(keyEnd)
}

// maxStatusDigits bounds the digits of the status an observation shows
// (parseStatus reads at most this many).
const maxStatusDigits = 9

// maxObservationLine is the length of the longest observation line a
// configuration whose rules are named ruleNames can give: every value
// (a JSON string of at most maxObservedValue bytes and its quotes) at its
// longest, the longest rule name, a preflight with request headers and
// private network access, every answer header at maxAnswerLines lines, and
// every field cut.
func maxObservationLine(ruleNames []string) int {
	const value = maxObservedValue + len(`""`)
	rule := len(`""`)
	for _, name := range ruleNames {
		rule = max(rule, len(appendJSONString(nil, name)))
	}
	n := len(observationMarker+`{"v":1,"host":`) + value +
		len(`,"rule":`) + rule +
		len(`,"path":`) + value +
		len(`,"kind":"preflight"`) +
		len(`,"origin":`) + value +
		len(`,"method":`) + value +
		len(`,"request_headers":`) + value +
		len(`,"request_private_network":true`) +
		len(`,"status":`) + maxStatusDigits +
		len(`,"answer":{`) + len(`}`) +
		len(`,"cut":[`) + len(`]`) + len(`}`)
	listed := 0
	for _, name := range observedAnswer {
		// "name":[v,v,...] and a comma before all but the first.
		n += len(`"`) + len(name) + len(`":[`) + maxAnswerLines*value + maxAnswerLines - 1 + len(`]`)
		n += len(`"`) + len(name) + len(`"`) // its name in cut
		listed++
	}
	for _, name := range cutNames {
		n += len(`"`) + len(name) + len(`"`)
		listed++
	}
	return n + len(observedAnswer) - 1 + listed - 1
}
