//go:build !wasip1

package envoyhost

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/tools/wasmhost"
)

// Header is one entry of a header map: {name, value}, as the harness's
// JSON has it.
type Header [2]string

// Name is the header's name.
func (h Header) Name() string { return h[0] }

// Value is the header's value.
func (h Header) Value() string { return h[1] }

// UnmarshalJSON reads a [name, value] pair, and nothing else: an array of
// another length is an error rather than a header cut short or padded.
func (h *Header) UnmarshalJSON(data []byte) error {
	var pair []string
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("a header is a [name, value] pair; got %d elements", len(pair))
	}
	*h = Header{pair[0], pair[1]}
	return nil
}

// isInline reports whether a standard Envoy build keeps the header inline:
// at most one entry, with repeated values joined by "," (HeaderMapImpl's
// appendToHeader), whether they come from the codec or from a plugin's
// proxy_add_header_map_value. These are the ones Envoy's CORS extension
// registers (as tools/wasmhost reproduces) and vary, which the compressor
// extension registers. The harness keeps every entry apart (its README,
// "What it does not reproduce"), so a caller comparing with Envoy joins
// them with JoinInline.
func isInline(name string) bool { return name == "vary" || wasmhost.IsCORSInlineHeader(name) }

// JoinInline returns headers as Envoy would hold them: names lower-cased,
// and the entries of each inline header joined into its first entry with
// ",", in order. Other headers keep one entry per line.
func JoinInline(headers []Header) []Header {
	out := make([]Header, 0, len(headers))
	first := map[string]int{} // inline name → its entry in out
	for _, h := range headers {
		name := strings.ToLower(h.Name())
		if i, ok := first[name]; ok {
			out[i][1] += "," + h.Value()
			continue
		}
		if isInline(name) {
			first[name] = len(out)
		}
		out = append(out, Header{name, h.Value()})
	}
	return out
}
