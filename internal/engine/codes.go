package engine

import (
	"slices"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
)

// Code classifies a configuration problem, so that tools (a CLI's JSON
// output, an editor, a CI check) can tell kinds of problem apart without
// reading the message. Codes are stable: a code, once published, keeps its
// meaning. The README lists them all.
type Code string

// Problems with the document as a whole or with a field's JSON.
const (
	CodeConfigMissing   Code = "config_missing"    // no configuration, or only whitespace
	CodeConfigSyntax    Code = "config_syntax"     // not valid JSON
	CodeConfigNotObject Code = "config_not_object" // valid JSON, but not an object
	CodeUnknownField    Code = "unknown_field"     // a field the parser does not know
	CodeDuplicateField  Code = "duplicate_field"   // a field given twice in one object
	CodeWrongType       Code = "wrong_type"        // a value of the wrong JSON type
	CodeInvalidValue    Code = "invalid_value"     // a value outside the field's enumeration
	CodeOutOfRange      Code = "out_of_range"      // a number outside the field's range
)

// Problems with origins, hosts and origin patterns.
const (
	CodeOriginEmpty         Code = "origin_empty"           // an empty allow_origins entry
	CodeOriginWhitespace    Code = "origin_whitespace"      // whitespace or a control character
	CodeOriginMissingScheme Code = "origin_missing_scheme"  // no "scheme://"
	CodeOriginInvalidScheme Code = "origin_invalid_scheme"  // a scheme that is not one
	CodeOriginNotBare       Code = "origin_not_bare"        // a path, query or fragment
	CodeOriginUserInfo      Code = "origin_user_info"       // user info ("user@")
	CodeOriginInvalidPort   Code = "origin_invalid_port"    // a port that is not 1-65535 or "*"
	CodeHostInvalid         Code = "host_invalid"           // not a domain name or IP address
	CodeHostNotASCII        Code = "host_not_ascii"         // an internationalized host not in punycode
	CodeHostHasPort         Code = "host_has_port"          // a port in a match.hosts entry
	CodeHostNotBare         Code = "host_not_bare"          // a scheme, path or other part in a match.hosts entry
	CodeWildcardMisplaced   Code = "wildcard_misplaced"     // "*" not the whole leftmost label or the port
	CodeWildcardIP          Code = "wildcard_ip"            // a subdomain wildcard over an IP address
	CodeWildcardPublic      Code = "wildcard_public_suffix" // a subdomain wildcard over a public suffix, or over a domain with public suffixes under it
	CodeRegexSyntax         Code = "regex_syntax"           // not an RE2 regular expression
	CodeRegexUnsupported    Code = "regex_unsupported"      // a regex using \b or \B, which the analysis does not support
	CodeRegexNotASCII       Code = "regex_not_ascii"        // a regex with a character beyond ASCII or a Unicode class
	CodeRegexTooLarge       Code = "regex_too_large"        // a regex over 1,024 bytes, or compiling to over 1,000 instructions
	CodeRegexComplex        Code = "regex_too_complex"      // a regex too complex to prove safe
	CodeRegexesTooComplex   Code = "regexes_too_complex"    // regexes beyond what a configuration may have or cost together: over 256 entries, or their analyses' budget
	CodeRegexNoMatch        Code = "regex_no_match"         // a regex matching no origin at all
	CodeRegexScheme         Code = "regex_scheme"           // a regex matching unboundedly many, or more than 4, schemes
	CodeRegexSite           Code = "regex_site"             // a regex matching hosts of sites it does not spell out, or of more than 8
	CodeRegexPublicSuffix   Code = "regex_public_suffix"    // a regex matching a public suffix, or any site under one
)

// Combinations that allow_credentials makes unsafe.
const (
	CodeCredentialsAny       Code = "credentials_any"        // "*" in allow_origins
	CodeCredentialsNull      Code = "credentials_null"       // the origin "null", listed or matched by a regex
	CodeCredentialsInsecure  Code = "credentials_insecure"   // plain-http origins other than loopback
	CodeCredentialsExposeAny Code = "credentials_expose_any" // "*" in expose_headers
)

// Problems with methods and header names.
const (
	CodeInvalidToken    Code = "invalid_token"    // a method or header name that is not an HTTP token
	CodeTooLong         Code = "too_long"         // a method over 64 bytes or a header name over 256 bytes
	CodeForbiddenMethod Code = "forbidden_method" // CONNECT, TRACE, TRACK (Fetch §2.2.1)
	CodeMethodCase      Code = "method_case"      // "put" for "PUT": browsers normalize these methods
	CodeForbiddenHeader Code = "forbidden_header" // a forbidden request header (Fetch §2.2.2)
)

// Problems with rules.
const (
	CodeRuleNameMissing   Code = "rule_name_missing"    // a rule without a name
	CodeRuleNameInvalid   Code = "rule_name_invalid"    // a name too long or with other characters than letters, digits, "-", "_"
	CodeRuleNameDuplicate Code = "rule_name_duplicate"  // two rules with one name
	CodeRuleMatchMissing  Code = "rule_match_missing"   // a rule without a match
	CodeRuleMatchEmpty    Code = "rule_match_empty"     // a match with neither hosts, path entries, routes nor virtual hosts
	CodePathPrefixInvalid Code = "path_prefix_invalid"  // a match path entry not starting with "/", with a query, or a separated prefix ending in "/"
	CodeRouteNameInvalid  Code = "route_name_invalid"   // a match.routes or match.virtual_hosts entry: empty, too long, a misplaced "*", control characters or surrounding spaces
	CodeRoutePairsTooMany Code = "route_pairs_too_many" // a match whose routes times virtual_hosts exceed 1,000 pairs
	CodeModeConflict      Code = "mode_conflict"        // enforce_percent contradicting mode: above 0 with "audit", 0 with "enforce"
)

// Warnings: accepted, but probably not what was meant.
const (
	CodeDuplicate       Code = "duplicate"        // an entry given twice (after normalization)
	CodeRedundant       Code = "redundant"        // entries a "*" already covers
	CodeNoEffect        Code = "no_effect"        // a setting or entry that changes nothing
	CodeNoOrigin        Code = "no_origin"        // a policy that allows no origin
	CodeMaxAgeCapped    Code = "max_age_capped"   // max_age above Chromium's cap of 7200
	CodeRegexBareDot    Code = "regex_bare_dot"   // an unescaped "." in a regex
	CodeRegexEquivalent Code = "regex_equivalent" // a regex allow_origins entries express exactly
)

// Codes returns every code, in the order of the README's table. The slice
// is the caller's.
func Codes() []Code { return slices.Clone(codes) }

// codes lists every code, in the order of the README's table.
var codes = []Code{
	CodeConfigMissing, CodeConfigSyntax, CodeConfigNotObject, CodeUnknownField, CodeDuplicateField,
	CodeWrongType, CodeInvalidValue, CodeOutOfRange,
	CodeOriginEmpty, CodeOriginWhitespace, CodeOriginMissingScheme, CodeOriginInvalidScheme,
	CodeOriginNotBare, CodeOriginUserInfo, CodeOriginInvalidPort, CodeHostInvalid, CodeHostNotASCII,
	CodeHostHasPort, CodeHostNotBare, CodeWildcardMisplaced, CodeWildcardIP, CodeWildcardPublic,
	CodeRegexSyntax, CodeRegexUnsupported, CodeRegexNotASCII, CodeRegexTooLarge, CodeRegexComplex,
	CodeRegexesTooComplex, CodeRegexNoMatch, CodeRegexScheme,
	CodeRegexSite, CodeRegexPublicSuffix,
	CodeCredentialsAny, CodeCredentialsNull, CodeCredentialsInsecure, CodeCredentialsExposeAny,
	CodeInvalidToken, CodeTooLong, CodeForbiddenMethod, CodeMethodCase, CodeForbiddenHeader,
	CodeRuleNameMissing, CodeRuleNameInvalid, CodeRuleNameDuplicate, CodeRuleMatchMissing,
	CodeRuleMatchEmpty, CodePathPrefixInvalid, CodeRouteNameInvalid,
	CodeRoutePairsTooMany, CodeModeConflict,
	CodeDuplicate, CodeRedundant, CodeNoEffect, CodeNoOrigin, CodeMaxAgeCapped, CodeRegexBareDot,
	CodeRegexEquivalent,
}

// originCodes names the faults of package origin.
var originCodes = [...]Code{
	origin.FaultEmpty:             CodeOriginEmpty,
	origin.FaultWhitespace:        CodeOriginWhitespace,
	origin.FaultMissingScheme:     CodeOriginMissingScheme,
	origin.FaultInvalidScheme:     CodeOriginInvalidScheme,
	origin.FaultNotBare:           CodeOriginNotBare,
	origin.FaultUserInfo:          CodeOriginUserInfo,
	origin.FaultInvalidPort:       CodeOriginInvalidPort,
	origin.FaultInvalidHost:       CodeHostInvalid,
	origin.FaultNonASCIIHost:      CodeHostNotASCII,
	origin.FaultMisplacedWildcard: CodeWildcardMisplaced,
	origin.FaultWildcardIP:        CodeWildcardIP,
	origin.FaultPublicSuffix:      CodeWildcardPublic,
	origin.FaultHostHasPort:       CodeHostHasPort,
	origin.FaultHostNotBare:       CodeHostNotBare,
	origin.FaultRegexSyntax:       CodeRegexSyntax,
	origin.FaultRegexUnsupported:  CodeRegexUnsupported,
	origin.FaultRegexComplex:      CodeRegexComplex,
	origin.FaultRegexTooLarge:     CodeRegexTooLarge,
	origin.FaultRegexNotASCII:     CodeRegexNotASCII,
	origin.FaultRegexTotal:        CodeRegexesTooComplex,
	origin.FaultRegexNoMatch:      CodeRegexNoMatch,
	origin.FaultRegexScheme:       CodeRegexScheme,
	origin.FaultRegexSite:         CodeRegexSite,
	origin.FaultRegexPublicSuffix: CodeRegexPublicSuffix,
	origin.FaultRegexNull:         CodeCredentialsNull,
	origin.FaultRegexInsecure:     CodeCredentialsInsecure,
	origin.FaultRegexBareDot:      CodeRegexBareDot,
	origin.FaultRegexEquivalent:   CodeRegexEquivalent,
}
