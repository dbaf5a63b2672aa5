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
		"com":               true,
		"co.uk":             true,
		"github.io":         true, // private section
		"appspot.com":       true,
		"xn--55qx5d.cn":     true,  // 公司.cn, listed in Unicode
		"anything.ck":       true,  // *.ck
		"www.ck":            false, // !www.ck
		"example.com":       false,
		"a.example.com":     false,
		"foo.github.io":     false,
		"city.kawasaki.jp":  false, // exception under *.kawasaki.jp
		"other.kawasaki.jp": true,
		"":                  false,
		// The default rule "*": a top-level label the list does not name
		// is a public suffix.
		"za":                   true, // only co.za, ac.za, … are listed
		"zz":                   true,
		"zzzzzz-not-a-tld-zzz": true,
		"corp":                 true, // used privately, but not reserved
		"lan":                  true,
		"alt":                  true, // RFC 9476: other naming systems' names
		"onion":                true, // listed (RFC 7686)
		"app.za":               false,
		"a.b.zz":               false,
		// Except the names reserved for private use.
		"localhost":   false,
		"internal":    false,
		"test":        false,
		"invalid":     false,
		"example":     false,
		"local":       false,
		"a.localhost": false,
		"home.arpa":   true, // listed under arpa (RFC 8375)
		"x.home.arpa": false,
		// Labels with characters no rule has (URL hosts may hold them)
		// equal no label of a rule; a wildcard still covers them, and
		// they are never read as a rule's "!" or "*." markers.
		"a~b.com":       false,
		"w~w.ck":        true,  // *.ck
		"!www.ck":       true,  // *.ck, not the exception
		"*.ck":          true,  // *.ck
		"*.com":         false, // a label "*" under com
		"*":             true,  // an unlisted top-level label
		"c~m":           true,
		"*.kawasaki.jp": true,
	} {
		if got := IsPublicSuffix(domain); got != want {
			t.Errorf("IsPublicSuffix(%q) = %v; want %v", domain, got, want)
		}
	}
}

// The names reserved for private use are exceptions to the default rule
// only: none is in the list, which would otherwise decide.
func TestPrivateUseNamesAreUnlisted(t *testing.T) {
	t.Parallel()
	lines := textRules(t)
	for _, n := range PrivateUse() {
		if !IsPrivateUse(n) || strings.Contains(n, ".") {
			t.Errorf("%q: not a private-use top-level label", n)
		}
		for _, l := range lines {
			if l == n || strings.HasSuffix(l, "."+n) {
				t.Errorf("%q is reserved for private use, but the list has the rule %q", n, l)
			}
		}
		if ByDefaultRule(n) || IsPublicSuffix(n) {
			t.Errorf("%q is a public suffix", n)
		}
	}
}

func TestByDefaultRule(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]bool{
		"za":       true,
		"zz":       true,
		"c~m":      true,
		"com":      false, // listed
		"ck":       false, // *.ck
		"internal": false, // private use
		"app.za":   false,
		"co.za":    false,
		"":         false,
	} {
		if got := ByDefaultRule(domain); got != want {
			t.Errorf("ByDefaultRule(%q) = %v; want %v", domain, got, want)
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

// The embedded list agrees with golang.org/x/net/publicsuffix, an
// independent implementation of the list's algorithm (which tests may
// use; the module must not link it, see package doc), on the longest
// public suffix of every rule, of a name under each (wildcards and
// exceptions included) and of names only the default rule "*" covers. The
// two lists are snapshots of different dates (x/net v0.62.0's is of
// 2026-02-06, older than rules.txt), so the differences allowed are those
// a newer list makes, and no other:
//
//   - a rule rules.txt has and x/net's snapshot lacks: ours is the longer
//     public suffix, the safe side; so is a domain right above a wildcard
//     rule, which IsPublicSuffix takes for one ("vultrobjects.com" for
//     "*.vultrobjects.com") and the list's algorithm does not;
//   - a rule the list has dropped since x/net's snapshot (droppedRules);
//   - a name reserved for private use (privateuse.go), which x/net takes
//     for a public suffix by the default rule.
func TestAgreesWithXNet(t *testing.T) {
	t.Parallel()
	lines := textRules(t)
	rules := make(map[string]bool, len(lines))
	var domains []string
	for _, l := range lines {
		rules[l] = true
		switch {
		case strings.HasPrefix(l, "!"):
			domains = append(domains, l[1:], "x."+l[1:])
		case strings.HasPrefix(l, "*."):
			domains = append(domains, l[2:], "corswasm-test."+l[2:], "a.corswasm-test."+l[2:])
		default:
			domains = append(domains, l, "corswasm-test."+l)
		}
	}
	for _, label := range append([]string{"zz", "corp", "lan", "home", "zzzzzz-not-a-tld-zzz"}, PrivateUse()...) {
		domains = append(domains, label, "corswasm-test."+label, "a.corswasm-test."+label)
	}
	// listed reports whether a rule of rules.txt makes ps a public suffix
	// (IsPublicSuffix).
	listed := func(ps string) bool {
		_, parent, _ := strings.Cut(ps, ".")
		return rules[ps] || rules["*."+parent] && !rules["!"+ps] || rules["*."+ps]
	}
	for _, d := range domains {
		ours, theirs := longestPublicSuffix(d), xnetPublicSuffix(d)
		switch {
		case ours == theirs:
		case strings.HasSuffix(ours, "."+theirs) && listed(ours):
			// A rule x/net's older snapshot lacks.
		case strings.HasSuffix(theirs, "."+ours) || ours == "":
			_, parent, _ := strings.Cut(theirs, ".")
			if !droppedRules[theirs] && !droppedRules["*."+parent] && !IsPrivateUse(theirs[strings.LastIndexByte(theirs, '.')+1:]) {
				t.Errorf("%q: x/net's public suffix is %q, ours %q, and no dropped rule or private-use name explains it", d, theirs, ours)
			}
		default:
			t.Errorf("%q: x/net's public suffix is %q, ours %q", d, theirs, ours)
		}
	}
}

// droppedRules are the rules of x/net's older snapshot that the list has
// dropped since: "*.kh" became kh and its second-level names.
var droppedRules = map[string]bool{"*.kh": true}

// longestPublicSuffix is the longest suffix of d, whole labels, that
// IsPublicSuffix takes for one ("" when none is).
func longestPublicSuffix(d string) string {
	for s := d; ; {
		if IsPublicSuffix(s) {
			return s
		}
		_, rest, ok := strings.Cut(s, ".")
		if !ok {
			return ""
		}
		s = rest
	}
}

// xnetPublicSuffix is x/net's public suffix of d.
func xnetPublicSuffix(d string) string {
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps
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
		"za":               true,  // co.za, …
		"zz":               false, // public by the default rule, nothing under it
		"a~b.com":          false,
		"!ck":              false, // not the exception's key "!ck.www"
		"*.ck":             false,
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
