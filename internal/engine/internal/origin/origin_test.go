package origin

import (
	"strings"
	"testing"
)

func TestParsePatternCanonical(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://example.com":          "https://example.com",
		"HTTPS://EXAMPLE.com":          "https://example.com",
		"https://example.com:443":      "https://example.com",
		"http://example.com:80":        "http://example.com",
		"http://example.com:0080":      "http://example.com",
		"https://example.com:80":       "https://example.com:80",
		"http://example.com:08080":     "http://example.com:8080",
		"https://*.Example.com":        "https://*.example.com",
		"http://localhost:*":           "http://localhost:*",
		"http://[0:0:0:0:0:0:0:1]:443": "http://[::1]:443",
		"capacitor://localhost":        "capacitor://localhost",
		"HTTPS://A~B.Example.com":      "https://a~b.example.com",
		"ftp://files.example:21":       "ftp://files.example",
		"*":                            "*",
		"null":                         "null",
	} {
		o, err := ParsePattern(in)
		if err != nil {
			t.Errorf("ParsePattern(%q): %s", in, err)
			continue
		}
		if got := o.String(); got != want {
			t.Errorf("ParsePattern(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	valid := map[string]Origin{
		"https://example.com":        {"https", "example.com", ""},
		"http://localhost:3000":      {"http", "localhost", "3000"},
		"http://[::1]:8080":          {"http", "[::1]", "8080"},
		"https://a_b.example.com":    {"https", "a_b.example.com", ""},
		"chrome-extension://abcdefg": {"chrome-extension", "abcdefg", ""},
		"https://example.com:80":     {"https", "example.com", "80"},
		"http://127.0.0.1:8080":      {"http", "127.0.0.1", "8080"},
		"https://[::ffff:102:304]":   {"https", "[::ffff:102:304]", ""},
		"https://[2001:db8::1]":      {"https", "[2001:db8::1]", ""},
		"https://a-1.example":        {"https", "a-1.example", ""},
		// Not a number (WHATWG "ends in a number"): a domain.
		"https://a.0xyz": {"https", "a.0xyz", ""},
		// Host characters of the URL standard beyond letters, digits, "-"
		// and "_"; "*" in a request's host is one of them.
		"https://a~b.example.com":          {"https", "a~b.example.com", ""},
		"https://*.example.com":            {"https", "*.example.com", ""},
		"https://a!$&'()*+,;=`{}~\"z.test": {"https", "a!$&'()*+,;=`{}~\"z.test", ""},
		"ftp://files.example:2121":         {"ftp", "files.example", "2121"},
	}
	for in, want := range valid {
		got, ok := Parse(in)
		if !ok || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"", "null", "example.com", "https://", "https://example.com/", "https://example.com?", "https://example.com#",
		"https://Example.com", "HTTPS://example.com", "https://example.com:443", "http://example.com:80",
		"https://example.com:", "https://example.com:0", "https://example.com:065", "https://example.com:65536",
		"https://example.com:123456", "https://user@example.com", "https://.example.com", "https://example.com.",
		"https://exa mple.com", "https://example.com ", "https://[::1", "https://[]", "https://[::g]",
		"https://example.com, https://evil.test", "1https://example.com", "://example.com",
		"https://" + string(make([]byte, MaxLength)),
		// Hosts no browser serializes.
		"https://a..example.com", "https://" + strings.Repeat("a", 64) + ".example",
		"https://" + strings.Repeat("a.", 127) + "ab", "https://1.2.3.999", "https://01.2.3.4",
		"https://1.2.3", "https://0x7f.0.0.1", "https://1234", "https://0x", "https://a.0x1f", "https://[0:0::1]", "https://[::1%25eth0]",
		"https://[::FFFF:1.2.3.4]", "https://[::ffff:1.2.3.4]", "https://[1::2::3]",
		// Forbidden domain code points (URL standard §3.2), and ftp's
		// default port.
		"https://a^b.example.com", "https://a|b.example.com", "https://a%41.example.com", "https://a<b>.example.com",
		"https://a\\b.example.com", "https://a\x7f.example.com", "ftp://files.example:21",
	} {
		if got, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v; want a malformed origin", in, got)
		}
	}
}

// newSet returns a Set of the allow_origins entries.
func newSet(t *testing.T, entries ...string) *Set {
	t.Helper()
	set := NewSet()
	for _, e := range entries {
		p, err := ParsePattern(e)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", e, err)
		}
		set.Add(p)
	}
	return set
}

// A request host that no serialized origin contains matches no kind of
// entry: exact, wildcard, port wildcard or regex.
func TestMalformedHostsMatchNothing(t *testing.T) {
	t.Parallel()
	set := newSet(t, "https://a.example.com", "https://*.example.com", "http://localhost:*", "https://*.example.com:*")
	re, err, _ := CompileRegex(`https://([a-z0-9-]*\.)*example\.com`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	set.AddRegex(re)
	for _, o := range []string{
		"https://a..example.com", "https://.example.com", "https://a.example.com.", "https://x." + strings.Repeat("a", 64) + ".example.com",
		"http://localhost.:3000",
	} {
		if allowed, wellFormed := set.Match(o); allowed || wellFormed {
			t.Errorf("Match(%q) = %v, %v; want refused as malformed", o, allowed, wellFormed)
		}
	}
	for _, o := range []string{"https://a.example.com", "https://b.a.example.com", "http://localhost:3000"} {
		if allowed, _ := set.Match(o); !allowed {
			t.Errorf("Match(%q) refused; want allowed", o)
		}
	}
}

// A subdomain wildcard matches one or more whole labels under its base,
// whatever host characters the labels hold: a label is what lies between
// dots, and "*" in a request's host is a character like any other. Empty
// labels and trailing dots match nothing, exact entries included.
func TestWildcardsMatchWholeLabels(t *testing.T) {
	t.Parallel()
	set := newSet(t, "https://*.example.com", "https://a~b.example.org", "HTTPS://C!D.Example.NET", "ftp://files.example:21")
	for o, want := range map[string]bool{
		"https://a~b.example.com":         true,
		"https://*.example.com":           true,
		"https://a*b.example.com":         true,
		"https://x.y~z.example.com":       true,
		"https://!.example.com":           true,
		"https://a~b.example.org":         true,
		"https://c!d.example.net":         true,
		"ftp://files.example":             true,
		"https://example.com":             false, // the base itself
		"https://a~example.com":           false,
		"https://*example.com":            false,
		"https://example.com~":            false,
		"https://~.example.com.evil.test": false,
		"https://a.example.com~.evil":     false,
		"https://a~c.example.org":         false,
		"https://b.a~b.example.org":       false,
		"https://a.example.com.":          false,
		"https://a..example.com":          false,
		"https://.example.com":            false,
		"https://a~b.example.org.":        false,
		"https://c!d.example.net.":        false,
		"ftp://files.example:21":          false,
	} {
		if allowed, _ := set.Match(o); allowed != want {
			t.Errorf("Match(%q) = %v; want %v", o, allowed, want)
		}
	}
}

// A subdomain wildcard is refused over a public suffix, and over a domain
// with public suffixes under it: "*.amazonaws.com" covers anyone's
// bucket under s3.amazonaws.com.
func TestWildcardOverPublicSuffixes(t *testing.T) {
	t.Parallel()
	for entry, says := range map[string]string{
		"https://*.com":           "a wildcard over a public suffix",
		"https://*.github.io":     "a wildcard over a public suffix",
		"https://*.amazonaws.com": "public suffixes under it, such as",
		"https://*.fastly.net":    "public suffixes under it, such as",
		"https://*.kawasaki.jp":   "a wildcard over a public suffix",
		"https://*.onion":         "a wildcard over a public suffix",
		"https://*.home.arpa":     "a wildcard over a public suffix", // listed
		// Unlisted top-level domains, by the list's default rule.
		"https://*.za":   `a wildcard over a public suffix matches every site under it ("za" is a top-level domain: all are public suffixes by the list's default rule, except those reserved for private use: localhost, test, invalid, example, local, internal)`,
		"https://*.zz":   `"zz" is a top-level domain`,
		"https://*.corp": `"corp" is a top-level domain`,
		"https://*.alt":  `"alt" is a top-level domain`,
	} {
		_, err := ParsePattern(entry)
		if err == nil || err.Fault != FaultPublicSuffix || !strings.Contains(err.Reason, says) {
			t.Errorf("ParsePattern(%q) = %v; want a public-suffix fault saying %q", entry, err, says)
		}
	}
	for _, entry := range []string{
		"https://*.example.com", "https://*.city.kawasaki.jp", "https://*.my-org.github.io", "http://*.localhost:*",
		// The names reserved for private use, and sites under unlisted
		// top-level domains.
		"https://*.internal", "https://*.test", "https://*.example", "https://*.invalid", "https://*.local",
		"https://*.app.za", "https://*.router.home.arpa", "https://app.za", "https://za",
	} {
		if _, err := ParsePattern(entry); err != nil {
			t.Errorf("ParsePattern(%q): %v", entry, err)
		}
	}
}

// Parse runs per request: it allocates nothing, whatever the value.
func TestParseDoesNotAllocate(t *testing.T) {
	for _, s := range edgeOrigins {
		if n := testing.AllocsPerRun(10, func() { Parse(s) }); n != 0 {
			t.Errorf("Parse(%q) allocates %v times", s, n)
		}
	}
}
