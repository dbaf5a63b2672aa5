package origin

import "testing"

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
	} {
		if got, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v; want a malformed origin", in, got)
		}
	}
}
