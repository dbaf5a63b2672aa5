package engine

import "strings"

// aliases maps the names other CORS implementations give to a setting (Express
// cors, Flask-CORS, django-cors-headers, Starlette, Spring, Envoy) to ours, so
// that a migrated configuration gets a useful hint.
var aliases = [][2]string{
	{"origin", "allow_origins"},
	{"origins", "allow_origins"},
	{"allowed_origins", "allow_origins"},
	{"cors_allowed_origins", "allow_origins"},
	{"allow_origin_string_match", "allow_origins"},
	{"allowed_origin_patterns", "allow_origin_regexes"},
	{"allow_origin_regex", "allow_origin_regexes"},
	{"cors_allowed_origin_regexes", "allow_origin_regexes"},
	{"methods", "allow_methods"},
	{"allowed_methods", "allow_methods"},
	{"cors_allow_methods", "allow_methods"},
	{"headers", "allow_headers"},
	{"allowed_headers", "allow_headers"},
	{"cors_allow_headers", "allow_headers"},
	{"exposed_headers", "expose_headers"},
	{"cors_expose_headers", "expose_headers"},
	{"credentials", "allow_credentials"},
	{"supports_credentials", "allow_credentials"},
	{"cors_allow_credentials", "allow_credentials"},
	{"maxage", "max_age"},
	{"cors_preflight_max_age", "max_age"},
	{"options_success_status", "preflight_status"},
	{"preflight_continue", "on_unmatched_preflight"},
	{"forward_not_matching_preflights", "on_unmatched_preflight"},
	{"allow_private_network_access", "allow_private_network"},
}

// unknownField names an unknown field and, when one is close enough, the
// known field that was probably meant.
func unknownField(name string, fields []field) string {
	msg := "unknown field " + quote(name)
	if s := suggest(name, fields); s != "" {
		msg += "; did you mean " + quote(s) + "?"
	}
	return msg
}

// TopLevelField returns the top-level configuration field name is, or
// the one it was probably meant to be (as the "did you mean" of an
// unknown field: another spelling, another CORS implementation's name for
// it, or a small edit distance); ok is false when name is neither. It
// tells a corswasm configuration with typos from another plugin's.
func TopLevelField(name string) (field string, ok bool) {
	for _, f := range topFields {
		if f.name == name {
			return name, true
		}
	}
	field = suggest(name, topFields)
	return field, field != ""
}

// suggest returns the known field closest to name: one that differs only in
// case and separators (allowOrigins, Allow-Origins), an alias from another
// CORS implementation, or one within a small edit distance.
func suggest(name string, fields []field) string {
	norm := normalizeName(name)
	known := func(s string) bool {
		for _, f := range fields {
			if f.name == s {
				return true
			}
		}
		return false
	}
	for _, f := range fields {
		if normalizeName(f.name) == norm {
			return f.name
		}
	}
	snake := snakeCase(name)
	for _, a := range aliases {
		if a[0] == snake && known(a[1]) {
			return a[1]
		}
	}
	best, bestDist := "", len(name)/3+2
	for _, f := range fields {
		if d := editDistance(strings.ToLower(name), f.name); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	return best
}

// normalizeName lower-cases a name and drops separators, so that camelCase,
// kebab-case and snake_case spellings compare equal.
func normalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r != '_' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// snakeCase converts camelCase and kebab-case to snake_case.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		case r == '-':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
