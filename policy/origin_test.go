package policy

import "testing"

func TestParseOriginPatternCanonical(t *testing.T) {
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
		o, reason := parseOriginPattern(in)
		if reason != "" {
			t.Errorf("parseOriginPattern(%q): %s", in, reason)
			continue
		}
		if got := o.String(); got != want {
			t.Errorf("parseOriginPattern(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParseRequestOrigin(t *testing.T) {
	t.Parallel()
	valid := map[string]requestOrigin{
		"https://example.com":        {"https", "example.com", ""},
		"http://localhost:3000":      {"http", "localhost", "3000"},
		"http://[::1]:8080":          {"http", "[::1]", "8080"},
		"https://a_b.example.com":    {"https", "a_b.example.com", ""},
		"chrome-extension://abcdefg": {"chrome-extension", "abcdefg", ""},
		"https://example.com:80":     {"https", "example.com", "80"},
	}
	for in, want := range valid {
		got, ok := parseRequestOrigin(in)
		if !ok || got != want {
			t.Errorf("parseRequestOrigin(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"", "null", "example.com", "https://", "https://example.com/", "https://example.com?", "https://example.com#",
		"https://Example.com", "HTTPS://example.com", "https://example.com:443", "http://example.com:80",
		"https://example.com:", "https://example.com:0", "https://example.com:065", "https://example.com:65536",
		"https://example.com:123456", "https://user@example.com", "https://.example.com", "https://example.com.",
		"https://exa mple.com", "https://example.com ", "https://[::1", "https://[]", "https://[::g]",
		"https://example.com, https://evil.test", "1https://example.com", "://example.com",
		"https://" + string(make([]byte, maxOriginLength)),
	} {
		if got, ok := parseRequestOrigin(in); ok {
			t.Errorf("parseRequestOrigin(%q) = %+v; want a malformed origin", in, got)
		}
	}
}

func TestNameScanner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		names []string
		bad   bool
	}{
		{"", nil, false},
		{"content-type", []string{"content-type"}, false},
		{"a,b", []string{"a", "b"}, false},
		{" a , b ", []string{"a", "b"}, false},
		{"\ta,\t,b,", []string{"a", "b"}, false},
		{",,,", nil, false},
		{"a b", nil, true},
		{"a,b c", []string{"a"}, true},
		{"a;b", nil, true},
		{"a,\"b\"", []string{"a"}, true},
		{"a,é", []string{"a"}, true},
	}
	for _, tc := range cases {
		sc := nameScanner{s: tc.in}
		var got []string
		for {
			n, ok := sc.next()
			if !ok {
				break
			}
			got = append(got, n)
		}
		if len(got) != len(tc.names) || sc.bad != tc.bad {
			t.Errorf("scan(%q) = %q, bad=%v; want %q, bad=%v", tc.in, got, sc.bad, tc.names, tc.bad)
			continue
		}
		for i := range got {
			if got[i] != tc.names[i] {
				t.Errorf("scan(%q) = %q; want %q", tc.in, got, tc.names)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"allow_origin":      "allow_origins",
		"AllowOrigins":      "allow_origins",
		"allow-methods":     "allow_methods",
		"maxAge":            "max_age",
		"exposedHeaders":    "expose_headers",
		"allowedOrigins":    "allow_origins",
		"preflightContinue": "on_unmatched_preflight",
		"completely_other":  "",
	} {
		if got := suggest(in, policyFields); got != want {
			t.Errorf("suggest(%q) = %q; want %q", in, got, want)
		}
	}
}
