package origin

import (
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/psl"
)

// defaultRuleNote explains a public suffix that is one only by the Public
// Suffix List's default rule (an unlisted top-level domain: "za", "corp"),
// which the list itself does not show; "" for any other.
func defaultRuleNote(suffix string) string {
	if !psl.ByDefaultRule(suffix) {
		return ""
	}
	return " (" + strconv.Quote(suffix) + " is a top-level domain: all are public suffixes by the list's default rule, except those reserved for private use: " +
		strings.Join(psl.PrivateUse(), ", ") + ")"
}
