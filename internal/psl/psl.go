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

// IsPublicSuffix reports whether the lower-case ASCII domain is itself a
// public suffix by a rule of the list, ICANN or private: "com", "co.uk",
// "github.io", "anything.ck" (rule "*.ck"), but not "www.ck" (exception
// "!www.ck"). A domain with a wildcard rule under it ("ck" for "*.ck") is
// one too: everything under it is. Unlike the list's default rule, an
// unlisted single label such as "internal" or "localhost" is not one: its
// owner is the operator.
func IsPublicSuffix(domain string) bool {
	if domain == "" || has("!"+domain) {
		return false
	}
	if has(domain) || has("*."+domain) {
		return true
	}
	if i := strings.IndexByte(domain, '.'); i >= 0 {
		return has("*." + domain[i+1:])
	}
	return false
}

// RegistrableDomain returns the part of the lower-case ASCII host one party
// registers: its public suffix and one more label ("example.co.uk" for
// "a.b.example.co.uk"). An unlisted top-level label counts as a public
// suffix here (the list's default rule). It returns "" when the host is a
// public suffix itself.
func RegistrableDomain(host string) string {
	suffix := host[strings.LastIndexByte(host, '.')+1:]
	for i := 0; i < len(host); {
		if IsPublicSuffix(host[i:]) {
			suffix = host[i:]
			break
		}
		j := strings.IndexByte(host[i:], '.')
		if j < 0 {
			break
		}
		i += j + 1
	}
	if suffix == host {
		return ""
	}
	rest := host[:len(host)-len(suffix)-1]
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix
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
	if len(domain) == 0 || len(domain)+1 >= maxKey {
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
