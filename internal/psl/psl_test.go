package psl

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"
)

func TestIsPublicSuffix(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]bool{
		"com":                  true,
		"co.uk":                true,
		"github.io":            true, // private section
		"appspot.com":          true,
		"xn--55qx5d.cn":        true,  // 公司.cn, listed in Unicode
		"anything.ck":          true,  // *.ck
		"www.ck":               false, // !www.ck
		"example.com":          false,
		"a.example.com":        false,
		"foo.github.io":        false,
		"internal":             false, // unlisted single label: the operator's
		"localhost":            false,
		"":                     false,
		"city.kawasaki.jp":     false, // exception under *.kawasaki.jp
		"other.kawasaki.jp":    true,
		"zzzzzz-not-a-tld-zzz": false,
	} {
		if got := IsPublicSuffix(domain); got != want {
			t.Errorf("IsPublicSuffix(%q) = %v; want %v", domain, got, want)
		}
	}
}

func TestRegistrableDomain(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{
		"a.b.example.co.uk": "example.co.uk",
		"example.com":       "example.com",
		"www.example.com":   "example.com",
		"foo.github.io":     "foo.github.io",
		"x.foo.github.io":   "foo.github.io",
		"evil.co.ck":        "evil.co.ck", // *.ck makes co.ck public
		"www.ck":            "www.ck",     // !www.ck
		"svc.internal":      "svc.internal",
		"com":               "",
		"co.uk":             "",
		"localhost":         "",
		"a.localhost":       "a.localhost",
	} {
		if got := RegistrableDomain(host); got != want {
			t.Errorf("RegistrableDomain(%q) = %q; want %q", host, got, want)
		}
	}
}

// Every line is found by the binary search, and nothing between lines is.
func TestHasFindsEveryLineOnly(t *testing.T) {
	t.Parallel()
	lines := textRules(t)
	if len(lines) < 9000 {
		t.Fatalf("rules.txt has %d rules; want the whole list", len(lines))
	}
	for i, l := range lines {
		if i > 0 && lines[i-1] >= l {
			t.Fatalf("rules.txt is not sorted and unique at line %d: %q after %q", i+1, l, lines[i-1])
		}
		if !has(l) {
			t.Errorf("has(%q) = false", l)
		}
		for _, near := range []string{l + "-", l[:len(l)-1], l + "\n"} {
			if has(near) && !contains(lines, near) {
				t.Errorf("has(%q) = true; not a rule", near)
			}
		}
	}
	for _, s := range []string{"", "\n", "!", "*", "~~~~"} {
		if has(s) {
			t.Errorf("has(%q) = true", s)
		}
	}
}

// textRules reads rules.txt, the reviewable copy of the embedded rules.
func textRules(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// The embedded compact form is rules.txt's (go generate writes both).
func TestCompactFormIsUpToDate(t *testing.T) {
	t.Parallel()
	bin, err := Encode(textRules(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(bin) != rules {
		t.Error("rules.bin is not the compact form of rules.txt: run go generate ./internal/psl")
	}
	if len(rules) > 100_000 {
		t.Errorf("rules.bin is %d bytes; the compact form should be about half of rules.txt", len(rules))
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// The embedded list agrees with golang.org/x/net/publicsuffix, which tests
// may use (only the wasm module must not link it). The two lists are
// snapshots from different dates (x/net v0.62.0 lags the list used here by
// about 2% of rules, all of them additions), so some rules differ; more than
// 5% means the generator or the lookup is wrong.
func TestAgreesWithXNet(t *testing.T) {
	t.Parallel()
	lines := textRules(t)
	var disagree []string
	checked := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "!") || strings.HasPrefix(l, "*") {
			continue
		}
		checked++
		if s, _ := publicsuffix.PublicSuffix(l); s != l {
			disagree = append(disagree, l)
		}
	}
	if max := checked / 20; len(disagree) > max {
		t.Errorf("%d of %d rules are not public suffixes to x/net (more than %d): %q…", len(disagree), checked, max, disagree[:min(len(disagree), 20)])
	}
}

func TestHasRuleBelow(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]bool{
		"com":              true,  // co.com, blogspot.com, …
		"amazonaws.com":    true,  // s3.amazonaws.com
		"github.io":        false, // a private suffix with nothing listed under it
		"example.com":      false,
		"ck":               true, // *.ck, !www.ck
		"kawasaki.jp":      true, // *.kawasaki.jp, !city.kawasaki.jp
		"city.kawasaki.jp": false,
		"localhost":        false,
	} {
		if got := HasRuleBelow(domain); got != want {
			t.Errorf("HasRuleBelow(%q) = %v; want %v", domain, got, want)
		}
	}
}

func TestRuleBelow(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]string{
		"amazonaws.com": "amazonaws.com", // some rule ending so
		"ck":            "*.ck",
		"example.com":   "",
	} {
		got, ok := RuleBelow(domain)
		switch {
		case want == "" && ok:
			t.Errorf("RuleBelow(%q) = %q; want none", domain, got)
		case want != "" && (!ok || !strings.HasSuffix(got, "."+want) && got != want):
			t.Errorf("RuleBelow(%q) = %q, %v; want a rule under %q", domain, got, ok, want)
		case ok && !strings.HasSuffix(got, "."+domain):
			t.Errorf("RuleBelow(%q) = %q, not under it", domain, got)
		}
	}
}
