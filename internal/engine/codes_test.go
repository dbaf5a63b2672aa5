package engine

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testconfig"
)

// codeExamples holds, for every code, a configuration that yields it.
var codeExamples = map[Code]string{
	CodeConfigMissing:        ``,
	CodeConfigSyntax:         `{"allow_origins": [}`,
	CodeConfigNotObject:      `[]`,
	CodeUnknownField:         `{"allow_origin": []}`,
	CodeDuplicateField:       `{"max_age": 1, "max_age": 2}`,
	CodeWrongType:            `{"allow_credentials": "true"}`,
	CodeInvalidValue:         `{"on_unmatched_preflight": "Reject"}`,
	CodeOutOfRange:           `{"max_age": 90000}`,
	CodeOriginEmpty:          `{"allow_origins": [""]}`,
	CodeOriginWhitespace:     `{"allow_origins": [" https://a.example"]}`,
	CodeOriginMissingScheme:  `{"allow_origins": ["a.example"]}`,
	CodeOriginInvalidScheme:  `{"allow_origins": ["1x://a.example"]}`,
	CodeOriginNotBare:        `{"allow_origins": ["https://a.example/"]}`,
	CodeOriginUserInfo:       `{"allow_origins": ["https://u@a.example"]}`,
	CodeOriginInvalidPort:    `{"allow_origins": ["https://a.example:99999"]}`,
	CodeHostInvalid:          `{"allow_origins": ["https://a..example"]}`,
	CodeHostNotASCII:         `{"allow_origins": ["https://bücher.example"]}`,
	CodeHostHasPort:          `{"rules": [{"name": "a", "match": {"hosts": ["a.example:8080"]}}]}`,
	CodeHostNotBare:          `{"rules": [{"name": "a", "match": {"hosts": ["https://a.example"]}}]}`,
	CodeWildcardMisplaced:    `{"allow_origins": ["https://a.*.example"]}`,
	CodeWildcardIP:           `{"allow_origins": ["https://*.10.0.0.1"]}`,
	CodeWildcardPublic:       `{"allow_origins": ["https://*.com"]}`,
	CodeRegexSyntax:          `{"allow_origin_regexes": ["("]}`,
	CodeRegexUnsupported:     `{"allow_origin_regexes": ["https://\\bexample\\.com"]}`,
	CodeRegexNotASCII:        `{"allow_origin_regexes": ["https://[\\pL-]+\\.example\\.com"]}`,
	CodeRegexTooLarge:        `{"allow_origin_regexes": ["https://(?:[a-z]?){500}\\.example\\.com"]}`,
	CodeRegexComplex:         `{"allow_origin_regexes": ["https://[a-z]*a[a-z]{12}\\.example\\.com"]}`,
	CodeRegexesTooComplex:    string(testconfig.CostlyRegexes{N: testconfig.MaxCostlyRegexes + 1}.JSON()),
	CodeRegexNoMatch:         `{"allow_origin_regexes": ["\\.example\\.com$"]}`,
	CodeRegexScheme:          `{"allow_origin_regexes": ["[a-z]+://app\\.example\\.com"]}`,
	CodeRegexSite:            `{"allow_origin_regexes": ["https://.*example\\.com"]}`,
	CodeRegexPublicSuffix:    `{"allow_origin_regexes": ["https://.*\\.s3\\.amazonaws\\.com"]}`,
	CodeCredentialsAny:       `{"allow_origins": ["*"], "allow_credentials": true}`,
	CodeCredentialsNull:      `{"allow_origins": ["null"], "allow_credentials": true}`,
	CodeCredentialsInsecure:  `{"allow_origins": ["http://a.example"], "allow_credentials": true}`,
	CodeCredentialsExposeAny: `{"allow_origins": ["https://a.example"], "expose_headers": ["*"], "allow_credentials": true}`,
	CodeInvalidToken:         `{"allow_methods": ["P UT"]}`,
	CodeTooLong:              `{"allow_headers": ["` + strings.Repeat("x", 257) + `"]}`,
	CodeForbiddenMethod:      `{"allow_methods": ["TRACE"]}`,
	CodeMethodCase:           `{"allow_methods": ["put"]}`,
	CodeForbiddenHeader:      `{"allow_headers": ["cookie"]}`,
	CodeRuleNameMissing:      `{"rules": [{"match": {"hosts": ["a.example"]}}]}`,
	CodeRuleNameInvalid:      `{"rules": [{"name": "a b", "match": {"hosts": ["a.example"]}}]}`,
	CodeRuleNameDuplicate:    `{"rules": [{"name": "a", "match": {"hosts": ["a.example"]}}, {"name": "a", "match": {"hosts": ["b.example"]}}]}`,
	CodeRuleMatchMissing:     `{"rules": [{"name": "a"}]}`,
	CodeRuleMatchEmpty:       `{"rules": [{"name": "a", "match": {}}]}`,
	CodePathPrefixInvalid:    `{"rules": [{"name": "a", "match": {"path_prefixes": ["api"]}}]}`,
	CodeRouteNameInvalid:     `{"rules": [{"name": "a", "match": {"routes": ["httproute/*/checkout"]}}]}`,
	CodeRoutePairsTooMany:    routePairsExample(),
	CodeModeConflict:         `{"allow_origins": ["https://a.example"], "mode": "audit", "enforce_percent": 10}`,
	CodeDuplicate:            `{"allow_origins": ["https://a.example", "https://A.example"]}`,
	CodeRedundant:            `{"allow_origins": ["*", "https://a.example"]}`,
	CodeNoEffect:             `{"allow_origins": ["https://a.example"], "expose_headers": ["content-type"]}`,
	CodeNoOrigin:             `{}`,
	CodeMaxAgeCapped:         `{"allow_origins": ["https://a.example"], "max_age": 86400}`,
	CodeRegexBareDot:         `{"allow_origin_regexes": ["https://api.\\.example\\.com"]}`,
	CodeRegexEquivalent:      `{"allow_origin_regexes": ["https://.*\\.example\\.com"]}`,
}

// loadCodes returns the codes of every problem and warning of a
// configuration, failing the test on a problem without a known code.
func loadCodes(t *testing.T, cfg string) []Code {
	t.Helper()
	var all []*FieldError
	p, err := Load([]byte(cfg))
	var ce *ConfigError
	switch {
	case errors.As(err, &ce):
		all = ce.Problems
	case err != nil:
		t.Fatalf("Load(%s): %v is not a *ConfigError", cfg, err)
	default:
		all = p.Warnings()
	}
	var codes []Code
	for _, e := range all {
		if !slices.Contains(Codes(), e.Code) {
			t.Errorf("Load(%s): %q has code %q, not one of Codes()", cfg, e, e.Code)
		}
		codes = append(codes, e.Code)
	}
	return codes
}

func TestEveryCodeHasAnExample(t *testing.T) {
	t.Parallel()
	for _, code := range Codes() {
		cfg, ok := codeExamples[code]
		if !ok {
			t.Errorf("code %q has no example configuration", code)
			continue
		}
		if got := loadCodes(t, cfg); !slices.Contains(got, code) {
			t.Errorf("Load(%s) gave codes %q; want %q among them", cfg, got, code)
		}
	}
	if len(codeExamples) != len(Codes()) {
		t.Errorf("%d examples for %d codes", len(codeExamples), len(Codes()))
	}
}

// The configuration reference (docs/configuration.md) documents every
// code, and no other.
func TestCodesDocumented(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	start := strings.Index(doc, "<!-- codes -->")
	end := strings.Index(doc, "<!-- /codes -->")
	if start < 0 || end < start {
		t.Fatal("docs/configuration.md has no <!-- codes --> … <!-- /codes --> table")
	}
	var documented []Code
	for _, line := range strings.Split(doc[start:end], "\n") {
		if strings.HasPrefix(line, "| `") {
			documented = append(documented, Code(strings.SplitN(line, "`", 3)[1]))
		}
	}
	if !slices.Equal(documented, Codes()) {
		t.Errorf("docs/configuration.md documents codes %q;\nwant, in order, %q", documented, Codes())
	}
}
