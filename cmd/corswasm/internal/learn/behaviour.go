package learn

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// behaviour is what a service does, as the fields of a policy: the
// proposal's values. The fields of a kind of request never observed are
// unknown (preflightSeen, actualSeen false) and left to the top level.
type behaviour struct {
	Origins     []string `json:"allow_origins"` // exact origins, or ["*"]
	Credentials bool     `json:"allow_credentials"`

	PreflightSeen   bool     `json:"-"`
	Methods         []string `json:"allow_methods,omitempty"`
	Headers         []string `json:"allow_headers,omitempty"`
	MaxAge          *int     `json:"max_age,omitempty"`
	PrivateNetwork  bool     `json:"allow_private_network,omitempty"`
	PreflightStatus *int     `json:"preflight_status,omitempty"`

	ActualSeen bool     `json:"-"`
	Expose     []string `json:"expose_headers,omitempty"`
}

// key identifies a behaviour, so that services that do the same are
// merged.
func (b *behaviour) key() string {
	var sb strings.Builder
	w := func(name string, v ...string) { sb.WriteString(name + "=" + strings.Join(v, ",") + ";") }
	w("o", b.Origins...)
	w("c", strconv.FormatBool(b.Credentials))
	w("p", strconv.FormatBool(b.PreflightSeen))
	if b.PreflightSeen {
		w("m", b.Methods...)
		w("h", b.Headers...)
		w("a", intString(b.MaxAge))
		w("n", strconv.FormatBool(b.PrivateNetwork))
		w("s", intString(b.PreflightStatus))
	}
	w("x", strconv.FormatBool(b.ActualSeen))
	if b.ActualSeen {
		w("e", b.Expose...)
	}
	return sb.String()
}

func intString(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// evidence counts the observations behind each field.
type evidence struct {
	Observations       int `json:"observations"`
	Preflights         int `json:"preflights"`
	AcceptedPreflights int `json:"accepted_preflights"`
	Actual             int `json:"actual"`
	AcceptedActual     int `json:"accepted_actual"`
	Origins            int `json:"origins"`
	Credentials        int `json:"credentials"`
	Methods            int `json:"methods"`
	Headers            int `json:"headers"`
	Expose             int `json:"expose_headers"`
	MaxAge             int `json:"max_age"`
	PrivateNetwork     int `json:"private_network"`
}

// Dropped is a value seen allowed that the proposal leaves out, and why.
type Dropped struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// set collects distinct strings.
type set map[string]bool

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mostCommon is the value seen most often (the smallest of a tie).
func mostCommon(counts map[int]int) (int, bool) {
	best, n := 0, 0
	for v, c := range counts {
		if c > n || c == n && v < best {
			best, n = v, c
		}
	}
	return best, n > 0
}

// listed splits a comma-separated list into its non-empty trimmed items.
func listed(value string, fold bool) []string {
	var out []string
	for _, it := range strings.Split(value, ",") {
		if it = strings.Trim(it, " \t"); it != "" {
			if fold {
				it = strings.ToLower(it)
			}
			out = append(out, it)
		}
	}
	return out
}

// sameSet reports whether two lists hold the same items.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
