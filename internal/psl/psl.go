// Package psl answers one question from the Public Suffix List
// (https://publicsuffix.org/): is a domain a public suffix, such as "com",
// "co.uk" or "github.io", under which unrelated parties register names?
//
// golang.org/x/net/publicsuffix answers it too, but imports
// net/http/cookiejar, which links net/http and crypto/tls into the wasm
// module and nearly quadruples its size. This package embeds the list's
// rules instead: rules.txt holds them, one per line, in ASCII (punycode),
// sorted, generated from the list's public_suffix_list.dat (Mozilla Public
// License 2.0) by ./gen, which also writes the compact form the module
// embeds, rules.bin (compact.go). Run `go generate ./internal/psl` to update
// them.
package psl

//go:generate go run ./gen -version v0.0.0-20260908121825-3955e3ec29b9 -out rules.txt -compact rules.bin

import (
	_ "embed"
	"strings"
)

//go:embed rules.bin
var rules string

// table is the embedded rules (see compact.go).
var table = compact(rules)

// IsPublicSuffix reports whether the lower-case ASCII domain is a public
// suffix, one under which unrelated parties have sites: a rule of the list
// names it, ICANN or private ("com", "co.uk", "github.io"); a wildcard rule
// covers it ("anything.ck" by "*.ck") unless an exception excludes it
// ("www.ck" by "!www.ck"); a wildcard rule lies right under it ("ck" for
// "*.ck"); or it is a single label the list does not name ("za", whose
// rules are all under it, or a top-level domain delegated after this
// snapshot), by the list's default rule "*", which is the safe side. The
// names reserved for private use (privateuse.go: "localhost", "internal",
// …) are the exceptions: one operator owns everything under them.
func IsPublicSuffix(domain string) bool {
	if domain == "" {
		return false
	}
	if literal(domain) && has("!"+domain) {
		return false
	}
	if listed(domain) {
		return true
	}
	if _, parent, ok := strings.Cut(domain, "."); ok {
		return literal(parent) && has("*."+parent)
	}
	return !IsPrivateUse(domain)
}

// ByDefaultRule reports whether the domain is a public suffix only by the
// list's default rule: a single label the list does not name, and not
// reserved for private use. Messages say so, since the list does not show
// it.
func ByDefaultRule(domain string) bool {
	return domain != "" && !strings.Contains(domain, ".") && !IsPrivateUse(domain) && !listed(domain)
}

// listed reports whether a rule names the domain, or a wildcard rule lies
// right under it.
func listed(domain string) bool {
	return literal(domain) && (has(domain) || has("*."+domain))
}

// literal reports whether a rule can name the domain: rules are written in
// letters, digits, hyphens and dots (the list in ASCII). A label with any
// other character (a URL host may hold "~", "*" or "!") equals no label of
// a rule, and only a wildcard matches it; nor can it be mistaken for a
// rule's "!" or "*." markers.
func literal(domain string) bool {
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// HasRuleBelow reports whether some rule of the list names a domain under
// the lower-case ASCII domain: "amazonaws.com" has "s3.amazonaws.com" (and
// so a.s3.amazonaws.com is registered under a public suffix that
// amazonaws.com is not), "com" has many. Wildcard rules count ("ck" has
// "*.ck").
func HasRuleBelow(domain string) bool {
	_, ok := RuleBelow(domain)
	return ok
}

// RuleBelow returns a rule of the list that names a domain under domain,
// as HasRuleBelow finds it, for a message to show. Rules under a domain
// share the prefix of its key and a dot, so one search in the sorted keys
// answers.
func RuleBelow(domain string) (string, bool) {
	if len(domain) == 0 || len(domain)+1 >= maxKey || !literal(domain) {
		return "", false
	}
	var buf [maxKey]byte
	prefix := append(ruleKey(buf[:0], domain), '.')
	next, ok := table.ceiling(prefix)
	if !ok || !strings.HasPrefix(next, string(prefix)) {
		return "", false
	}
	return string(ruleKey(nil, next)), true
}

// has reports whether s is a rule.
func has(s string) bool {
	if len(s) == 0 || len(s) >= maxKey {
		return false
	}
	var buf [maxKey]byte
	return table.has(ruleKey(buf[:0], s))
}
