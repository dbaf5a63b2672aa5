package convert

import (
	"encoding/json"
	"regexp/syntax"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// anyScheme refuses an origin regex of the source that matches origins of
// every scheme, which corswasm refuses (allow_origin_regexes must spell
// their schemes out), at the source's place and with what to write there
// instead; it reports whether it refused. Envoy matches a safe_regex
// against the whole Origin (StringMatcher's safe_regex, RE2 full match),
// so such a regex allowed those origins there too: converting it to https
// only would change what it allowed, so the source must say it.
func (c *converter) anyScheme(from string, m originMatcher) bool {
	reason, ok := schemeFault(m.value)
	if !ok {
		return false
	}
	what, _, _ := strings.Cut(reason, "; ")
	fix := "spell its schemes out in the source, as in \"https://…\", and convert again"
	if https := "https://" + m.value; leadingAny(m.value) {
		if _, bad := schemeFault(https); !bad && checks(https) {
			fix = "if https was meant, write the regex " + quote(https) + " in the source, which matches https origins it matched and no other, and convert again"
		}
	}
	c.refuse("%s: origin regex %q %s, in Envoy too, which matches it against the whole Origin; corswasm refuses a regex that does not spell its schemes out: %s", from, m.value, what, fix)
	return true
}

// schemeFault returns corswasm's reason to refuse the origin regex re for
// its schemes, if it does.
func schemeFault(re string) (reason string, ok bool) {
	errs, _ := engine.Check(regexConfig(re))
	for _, e := range errs {
		if e.Code == engine.CodeRegexScheme {
			return e.Reason, true
		}
	}
	return "", false
}

// checks reports whether corswasm accepts the origin regex re.
func checks(re string) bool {
	errs, _ := engine.Check(regexConfig(re))
	return len(errs) == 0
}

func regexConfig(re string) []byte {
	js, _ := json.Marshal(engine.Config{AllowOriginRegexes: []string{re}})
	return js
}

// leadingAny reports whether re begins, at its top level, with any
// characters repeated (".*", ".+"): then "https://" followed by re
// matches only strings re matches too, the leading repetition taking the
// scheme in re.
func leadingAny(re string) bool {
	t, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return false
	}
	t = t.Simplify()
	if t.Op == syntax.OpConcat && len(t.Sub) > 0 {
		t = t.Sub[0]
	}
	return (t.Op == syntax.OpStar || t.Op == syntax.OpPlus) &&
		(t.Sub[0].Op == syntax.OpAnyCharNotNL || t.Sub[0].Op == syntax.OpAnyChar)
}

func quote(s string) string {
	js, _ := json.Marshal(s)
	return string(js)
}
