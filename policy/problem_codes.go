package policy

import "github.com/corswasm/corswasm/internal/engine"

// Code classifies a configuration problem, so that tools (a CLI's JSON
// output, an editor, a CI check) can tell kinds of problem apart without
// reading the message. Codes are stable: a code, once published, keeps its
// meaning. docs/configuration.md lists them all.
type Code = engine.Code

// The codes, by kind of problem.
const (
	// Problems with the document as a whole or with a field's JSON.
	CodeConfigMissing   Code = engine.CodeConfigMissing   // no configuration, or only whitespace
	CodeConfigSyntax    Code = engine.CodeConfigSyntax    // not valid JSON
	CodeConfigNotObject Code = engine.CodeConfigNotObject // valid JSON, but not an object
	CodeUnknownField    Code = engine.CodeUnknownField    // a field the parser does not know
	CodeDuplicateField  Code = engine.CodeDuplicateField  // a field given twice in one object
	CodeWrongType       Code = engine.CodeWrongType       // a value of the wrong JSON type
	CodeInvalidValue    Code = engine.CodeInvalidValue    // a value outside the field's enumeration
	CodeOutOfRange      Code = engine.CodeOutOfRange      // a number outside the field's range

	// Problems with origins, hosts and origin patterns.
	CodeOriginEmpty         Code = engine.CodeOriginEmpty         // an empty allow_origins entry
	CodeOriginWhitespace    Code = engine.CodeOriginWhitespace    // whitespace or a control character
	CodeOriginMissingScheme Code = engine.CodeOriginMissingScheme // no "scheme://"
	CodeOriginInvalidScheme Code = engine.CodeOriginInvalidScheme // a scheme that is not one
	CodeOriginNotBare       Code = engine.CodeOriginNotBare       // a path, query or fragment
	CodeOriginUserInfo      Code = engine.CodeOriginUserInfo      // user info ("user@")
	CodeOriginInvalidPort   Code = engine.CodeOriginInvalidPort   // a port that is not 1-65535 or "*"
	CodeHostInvalid         Code = engine.CodeHostInvalid         // not a domain name or IP address
	CodeHostNotASCII        Code = engine.CodeHostNotASCII        // an internationalized host not in punycode
	CodeHostHasPort         Code = engine.CodeHostHasPort         // a port in a match.hosts entry
	CodeHostNotBare         Code = engine.CodeHostNotBare         // a scheme, path or other part in a match.hosts entry
	CodeWildcardMisplaced   Code = engine.CodeWildcardMisplaced   // "*" not the whole leftmost label or the port
	CodeWildcardIP          Code = engine.CodeWildcardIP          // a subdomain wildcard over an IP address
	CodeWildcardPublic      Code = engine.CodeWildcardPublic      // a subdomain wildcard over a public suffix, or over a domain with public suffixes under it
	CodeRegexSyntax         Code = engine.CodeRegexSyntax         // not an RE2 regular expression
	CodeRegexUnsupported    Code = engine.CodeRegexUnsupported    // a regex using \b or \B, which the analysis does not support
	CodeRegexNotASCII       Code = engine.CodeRegexNotASCII       // a regex with a character beyond ASCII or a Unicode class
	CodeRegexTooLarge       Code = engine.CodeRegexTooLarge       // a regex over 1,024 bytes, or compiling to over 1,000 instructions
	CodeRegexComplex        Code = engine.CodeRegexComplex        // a regex too complex to prove safe
	CodeRegexesTooComplex   Code = engine.CodeRegexesTooComplex   // regexes beyond what a configuration may have or cost together: over 256 entries, or their analyses' budget
	CodeRegexNoMatch        Code = engine.CodeRegexNoMatch        // a regex matching no origin at all
	CodeRegexScheme         Code = engine.CodeRegexScheme         // a regex matching unboundedly many, or more than 4, schemes
	CodeRegexSite           Code = engine.CodeRegexSite           // a regex matching hosts of sites it does not spell out, or of more than 8
	CodeRegexPublicSuffix   Code = engine.CodeRegexPublicSuffix   // a regex matching a public suffix, or any site under one

	// Combinations that allow_credentials makes unsafe.
	CodeCredentialsAny       Code = engine.CodeCredentialsAny       // "*" in allow_origins
	CodeCredentialsNull      Code = engine.CodeCredentialsNull      // the origin "null", listed or matched by a regex
	CodeCredentialsInsecure  Code = engine.CodeCredentialsInsecure  // plain-http origins other than loopback
	CodeCredentialsExposeAny Code = engine.CodeCredentialsExposeAny // "*" in expose_headers

	// Problems with methods and header names.
	CodeInvalidToken    Code = engine.CodeInvalidToken    // a method or header name that is not an HTTP token
	CodeTooLong         Code = engine.CodeTooLong         // a method over 64 bytes or a header name over 256 bytes
	CodeForbiddenMethod Code = engine.CodeForbiddenMethod // CONNECT, TRACE, TRACK (Fetch §2.2.1)
	CodeMethodCase      Code = engine.CodeMethodCase      // "put" for "PUT": browsers normalize these methods
	CodeForbiddenHeader Code = engine.CodeForbiddenHeader // a forbidden request header (Fetch §2.2.2)

	// Problems with rules.
	CodeRuleNameMissing   Code = engine.CodeRuleNameMissing   // a rule without a name
	CodeRuleNameInvalid   Code = engine.CodeRuleNameInvalid   // a name too long or with other characters than letters, digits, "-", "_"
	CodeRuleNameDuplicate Code = engine.CodeRuleNameDuplicate // two rules with one name
	CodeRuleMatchMissing  Code = engine.CodeRuleMatchMissing  // a rule without a match
	CodeRuleMatchEmpty    Code = engine.CodeRuleMatchEmpty    // a match with neither hosts nor path entries
	CodePathPrefixInvalid Code = engine.CodePathPrefixInvalid // a match path entry not starting with "/", with a query, or a separated prefix ending in "/"

	// Warnings: accepted, but probably not what was meant.
	CodeDuplicate       Code = engine.CodeDuplicate       // an entry given twice (after normalization)
	CodeRedundant       Code = engine.CodeRedundant       // entries a "*" already covers
	CodeNoEffect        Code = engine.CodeNoEffect        // a setting or entry that changes nothing
	CodeNoOrigin        Code = engine.CodeNoOrigin        // a policy that allows no origin
	CodeMaxAgeCapped    Code = engine.CodeMaxAgeCapped    // max_age above Chromium's cap of 7200
	CodeRegexBareDot    Code = engine.CodeRegexBareDot    // an unescaped "." in a regex
	CodeRegexEquivalent Code = engine.CodeRegexEquivalent // a regex allow_origins entries express exactly
)

// Codes returns every code, in the order of the documentation's table. The
// slice is the caller's.
func Codes() []Code { return engine.Codes() }
