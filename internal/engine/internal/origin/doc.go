// Package origin is the one place where corswasm reads origins and hosts:
// the patterns an operator writes (allow_origins entries, match.hosts
// entries, allow_origin_regexes), the Origin a browser sends, and the
// compiled set that matches one against the other.
//
//   - ParsePattern and ParseHost validate and normalize what an operator
//     wrote, with one host normalizer for both kinds of entry;
//   - Parse checks that a request's Origin is a serialized origin;
//   - Set matches an Origin against exact origins (one hash lookup), port
//     wildcards, subdomain wildcards (a Suffixes index: one right-to-left
//     scan of the host) and regular expressions (the automata their proof
//     built, as tables, indexed the same way by the domains their hosts
//     lie under);
//   - Suffixes is that label-suffix index, also used to choose a rule by
//     host.
//
// Problems are returned as *Error values: a Fault the caller turns into a
// stable code, and a reason that says what to change.
package origin

// Fault classifies what is wrong with a pattern or host.
type Fault uint8

// The faults ParsePattern, ParseHost and CompileRegex report.
const (
	FaultEmpty             Fault = iota + 1 // nothing written
	FaultWhitespace                         // whitespace or a control character
	FaultMissingScheme                      // no "scheme://"
	FaultInvalidScheme                      // a scheme that is not one
	FaultNotBare                            // a path, query or fragment
	FaultUserInfo                           // "user@"
	FaultInvalidPort                        // a port that is not 1-65535 or "*"
	FaultInvalidHost                        // a host that is not a domain or IP address
	FaultNonASCIIHost                       // an internationalized host not in punycode
	FaultMisplacedWildcard                  // "*" anywhere but the leftmost label or the port
	FaultWildcardIP                         // a subdomain wildcard over an IP address
	FaultPublicSuffix                       // a subdomain wildcard over a public suffix
	FaultHostHasPort                        // a port in a match.hosts entry
	FaultHostNotBare                        // a scheme, path or other part in a match.hosts entry
	FaultRegexSyntax                        // not an RE2 pattern
	FaultRegexUnsupported                   // uses what the analysis does not support (\b)
	FaultRegexComplex                       // too complex to analyse
	FaultRegexTooLarge                      // longer, or compiling to more, than the analysis takes
	FaultRegexNotASCII                      // a character beyond ASCII, or a Unicode class
	FaultRegexTotal                         // beyond what a configuration's patterns may cost together
	FaultRegexNoMatch                       // matches no origin at all
	FaultRegexScheme                        // matches unboundedly many, or too many, schemes
	FaultRegexSite                          // matches hosts of sites it does not spell out
	FaultRegexPublicSuffix                  // matches a public suffix, or any site under one
	FaultRegexNull                          // matches "null", with credentials
	FaultRegexInsecure                      // matches plain http, with credentials
	FaultRegexBareDot                       // (a warning) an unescaped "."
	FaultRegexEquivalent                    // (a warning) allow_origins says the same
)

// Error is one problem with a pattern, host or regular expression.
type Error struct {
	Fault Fault
	// Reason says what is wrong and, where possible, what to write instead.
	Reason string
}

func (e *Error) Error() string { return e.Reason }

func fail(f Fault, reason string) *Error { return &Error{Fault: f, Reason: reason} }
