package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// problemStrings renders every problem of a Load error, one string each.
func problemStrings(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is a %T; want *ConfigError", err, err)
	}
	var out []string
	for _, p := range ce.Problems {
		checkCode(t, p)
		out = append(out, p.Error())
	}
	return out
}

func warningStrings(t *testing.T, p *Policy) []string {
	t.Helper()
	var out []string
	for _, w := range p.Warnings() {
		checkCode(t, w)
		out = append(out, w.Error())
	}
	return out
}

// checkCode fails the test if a problem's code is not one of Codes(): every
// problem the error tables produce carries a documented code.
func checkCode(t *testing.T, e *FieldError) {
	t.Helper()
	if !slices.Contains(Codes(), e.Code) {
		t.Errorf("%q has code %q, not one of Codes()", e, e.Code)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		cfg  string
		want []string
	}{
		{"missing configuration", ``, []string{`configuration is required: give a JSON object such as {"allow_origins": ["https://app.example.com"]}`}},
		{"blank configuration", " \n\t", []string{`configuration is required: give a JSON object such as {"allow_origins": ["https://app.example.com"]}`}},
		{"invalid JSON", `{"allow_origins": [}`, []string{`configuration is not valid JSON: invalid character '}' looking for beginning of value (at line 1, column 20; byte 20)`}},
		{"invalid JSON on a later line", "{\n  \"allow_origins\": [\"https://a.example\",],\n  \"max_age\": 1\n}", []string{`configuration is not valid JSON: invalid character ']' looking for beginning of value (at line 2, column 41; byte 43)`}},
		{"JSON cut short on a later line", "{\n  \"max_age\": 1,\n  ", []string{`configuration is not valid JSON: unexpected end of JSON input (at line 3, column 3; byte 20)`}},
		{"not an object", `["https://a.example"]`, []string{`configuration must be a JSON object, not an array`}},
		{"string document", `"x"`, []string{`configuration must be a JSON object, not a string`}},
		{"unknown field with suggestion", `{"allow_origin": []}`, []string{`unknown field "allow_origin"; did you mean "allow_origins"?`}},
		{"camel case field", `{"allowCredentials": true}`, []string{`unknown field "allowCredentials"; did you mean "allow_credentials"?`}},
		{"alias from django", `{"cors_allowed_origins": []}`, []string{`unknown field "cors_allowed_origins"; did you mean "allow_origins"?`}},
		{"alias from flask", `{"supports_credentials": true}`, []string{`unknown field "supports_credentials"; did you mean "allow_credentials"?`}},
		{"unknown field without suggestion", `{"zzz": 1}`, []string{`unknown field "zzz"`}},
		{"dotted key is not a path", `{"allow_origins.0": "x"}`, []string{`unknown field "allow_origins.0"; did you mean "allow_origins"?`}},
		{"repeated field", `{"max_age": 1, "max_age": 2}`, []string{`max_age: field appears more than once; keep one`}},
		{"string instead of array", `{"allow_origins": "https://a.example"}`, []string{`allow_origins: "https://a.example": must be an array of strings`}},
		{"number in array", `{"allow_origins": ["https://a.example", 5, null]}`, []string{`allow_origins[1]: 5: must be a string`, `allow_origins[2]: null: must be a string`}},
		{"string bool", `{"allow_credentials": "true"}`, []string{`allow_credentials: "true": must be true or false`}},
		{"string max_age", `{"max_age": "600"}`, []string{`max_age: "600": must be an integer number of seconds`}},
		{"fractional max_age", `{"max_age": 600.5}`, []string{`max_age: 600.5: must be an integer number of seconds`}},
		{"float-looking max_age", `{"max_age": 6e2}`, []string{`max_age: 6e2: must be an integer number of seconds`}},
		{"negative max_age", `{"max_age": -1}`, []string{`max_age: -1: must be between 0 and 86400 seconds`}},
		{"huge max_age", `{"max_age": 86401}`, []string{`max_age: 86401: must be between 0 and 86400 seconds`}},
		{"overflowing max_age", `{"max_age": 99999999999999999999}`, []string{`max_age: 99999999999999999999: must be an integer number of seconds`}},
		{"null max_age", `{"max_age": null}`, []string{`max_age: null: must be an integer number of seconds`}},
		{"preflight status", `{"preflight_status": 201}`, []string{`preflight_status: 201: must be 200 or 204`}},
		{"preflight status type", `{"preflight_status": "204"}`, []string{`preflight_status: "204": must be 200 or 204`}},
		{"enum case", `{"on_unmatched_preflight": "Reject"}`, []string{`on_unmatched_preflight: "Reject": must be "reject", "forward" or "forward_disallowed_origin"`}},
		{"enum disallowed", `{"on_disallowed_origin": "block"}`, []string{`on_disallowed_origin: "block": must be "omit" or "reject"`}},
		{"enum upstream", `{"upstream_cors_headers": 1}`, []string{`upstream_cors_headers: 1: must be "replace" or "keep"`}},

		// allow_origins entries.
		{"public suffix wildcard", `{"allow_origins": ["https://a.example", "https://b.example", "https://*.com"]}`, []string{`allow_origins[2]: "https://*.com": a wildcard over a public suffix matches every site under it`}},
		{"private public suffix", `{"allow_origins": ["https://*.github.io"]}`, []string{`allow_origins[0]: "https://*.github.io": a wildcard over a public suffix matches every site under it`}},
		{"two-label public suffix", `{"allow_origins": ["https://*.co.uk"]}`, []string{`allow_origins[0]: "https://*.co.uk": a wildcard over a public suffix matches every site under it`}},
		{"trailing slash", `{"allow_origins": ["https://a.example/"]}`, []string{`allow_origins[0]: "https://a.example/": an origin has no path; remove "/"`}},
		{"path and query", `{"allow_origins": ["https://a.example/app?x=1"]}`, []string{`allow_origins[0]: "https://a.example/app?x=1": an origin has no path or query; remove "/app?x=1"`}},
		{"query", `{"allow_origins": ["https://a.example?x"]}`, []string{`allow_origins[0]: "https://a.example?x": an origin has no query; remove "?x"`}},
		{"fragment", `{"allow_origins": ["https://a.example#top"]}`, []string{`allow_origins[0]: "https://a.example#top": an origin has no fragment; remove "#top"`}},
		{"user info", `{"allow_origins": ["https://me:pw@a.example"]}`, []string{`allow_origins[0]: "https://me:pw@a.example": an origin has no user info; remove "me:pw@"`}},
		{"whitespace", `{"allow_origins": [" https://a.example"]}`, []string{`allow_origins[0]: " https://a.example": contains whitespace or a control character; remove it`}},
		{"missing scheme", `{"allow_origins": ["a.example"]}`, []string{`allow_origins[0]: "a.example": missing scheme; write it as "https://a.example"`}},
		{"bad scheme", `{"allow_origins": ["1http://a.example"]}`, []string{`allow_origins[0]: "1http://a.example": invalid scheme "1http"`}},
		{"empty origin", `{"allow_origins": [""]}`, []string{`allow_origins[0]: "": an origin cannot be empty`}},
		{"non-ASCII host", `{"allow_origins": ["https://bücher.example"]}`, []string{`allow_origins[0]: "https://bücher.example": non-ASCII host; write its punycode form "xn--bcher-kva.example"`}},
		{"missing host", `{"allow_origins": ["https://"]}`, []string{`allow_origins[0]: "https://": missing host`}},
		{"bad port", `{"allow_origins": ["https://a.example:99999"]}`, []string{`allow_origins[0]: "https://a.example:99999": invalid port "99999"; use 1-65535 or "*"`}},
		{"empty port", `{"allow_origins": ["https://a.example:"]}`, []string{`allow_origins[0]: "https://a.example:": empty port after ":"; remove the colon or give a port`}},
		{"bare wildcard host", `{"allow_origins": ["https://*"]}`, []string{`allow_origins[0]: "https://*": "*" must be the leftmost label of a domain, as in "https://*.example.com"; use "*" on its own to allow every origin`}},
		{"partial wildcard label", `{"allow_origins": ["https://*api.example.com"]}`, []string{`allow_origins[0]: "https://*api.example.com": "*" is only allowed as the whole leftmost label, as in "https://*.example.com"`}},
		{"inner wildcard", `{"allow_origins": ["https://api.*.example.com"]}`, []string{`allow_origins[0]: "https://api.*.example.com": "*" is only allowed as the whole leftmost label, as in "https://*.example.com"`}},
		{"wildcard over IP", `{"allow_origins": ["http://*.127.0.0.1"]}`, []string{`allow_origins[0]: "http://*.127.0.0.1": a subdomain wildcard needs a domain name, not an IP address`}},
		{"bad IPv4", `{"allow_origins": ["http://127.1"]}`, []string{`allow_origins[0]: "http://127.1": invalid IPv4 address "127.1"`}},
		{"bad IPv6", `{"allow_origins": ["http://[::g]"]}`, []string{`allow_origins[0]: "http://[::g]": invalid IPv6 address "[::g]"`}},
		{"trailing dot", `{"allow_origins": ["https://a.example."]}`, []string{`allow_origins[0]: "https://a.example.": remove the trailing dot of the host`}},
		{"bad host char", `{"allow_origins": ["https://a^.example", "https://a%41.example", "https://a!~.example"]}`, []string{
			`allow_origins[0]: "https://a^.example": invalid character "^" in host: the URL standard forbids it in host names`,
			`allow_origins[1]: "https://a%41.example": invalid character "%" in host: the URL standard forbids it in host names`,
		}},
		{"wildcard with credentials", `{"allow_origins": ["*"], "allow_credentials": true}`, []string{`allow_origins[0]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`}},
		{"null with credentials", `{"allow_origins": ["null"], "allow_credentials": true}`, []string{`allow_origins[0]: "null": cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send the origin "null"`}},
		{"http with credentials", `{"allow_origins": ["http://a.example"], "allow_credentials": true}`, []string{`allow_origins[0]: "http://a.example": an http origin can be impersonated by anyone on the network path; with allow_credentials use https, or set dangerously_allow_insecure_origins`}},
		{"http wildcard with credentials", `{"allow_origins": ["http://*.a.example"], "allow_credentials": true}`, []string{`allow_origins[0]: "http://*.a.example": an http origin can be impersonated by anyone on the network path; with allow_credentials use https, or set dangerously_allow_insecure_origins`}},

		// Regular expressions.
		{"regex syntax", `{"allow_origin_regexes": ["https://(a"]}`, []string{`allow_origin_regexes[0]: "https://(a": not a valid RE2 regular expression: missing closing ) in "https://(a"`}},
		{"regex matches everything", `{"allow_origin_regexes": [".*"]}`, []string{`allow_origin_regexes[0]: ".*": matches arbitrary origins, of any scheme, such as "https://cors-canary.invalid"; use "*" if that is intended`}},
		{"regex matches any https", `{"allow_origin_regexes": ["https://.+"]}`, []string{`allow_origin_regexes[0]: "https://.+": matches arbitrary origins such as "https://cors-canary.invalid"; use "*" if that is intended`}},
		{"regex open end", `{"allow_origin_regexes": ["https://a\\.example.*"]}`, []string{`allow_origin_regexes[0]: "https://a\\.example.*": matches origins that merely start with "https://a.example", such as "https://a.example.cors-canary.invalid"; end the pattern where the origin ends`}},
		{"regex open end after an optional label", `{"allow_origin_regexes": ["https://(www\\.)?example\\.com.*"]}`, []string{`allow_origin_regexes[0]: "https://(www\\.)?example\\.com.*": matches origins that merely start with "https://example.com", such as "https://example.com.cors-canary.invalid"; end the pattern where the origin ends`}},
		{"regex open end after alternatives", `{"allow_origin_regexes": ["(https://a\\.example\\.com|https://b\\.example\\.com).*"]}`, []string{`allow_origin_regexes[0]: "(https://a\\.example\\.com|https://b\\.example\\.com).*": matches origins that merely start with "https://a.example.com", such as "https://a.example.com.cors-canary.invalid"; end the pattern where the origin ends`}},
		{"regex host suffix", `{"allow_origin_regexes": ["https://.*example\\.com"]}`, []string{`allow_origin_regexes[0]: "https://.*example\\.com": matches hosts that merely end with "example.com", such as "https://corscanaryexample.com"; match whole labels, as in "https://([a-z0-9-]+\\.)*example\\.com", or use allow_origins "https://example.com" and "https://*.example.com"`}},
		// A bare "." over which anyone can register a site.
		{"regex with a dangerous bare dot", `{"allow_origin_regexes": ["https://api.example.com"]}`, []string{`allow_origin_regexes[0]: "https://api.example.com": matches origins of more than 8 sites (registrable domains), such as "https://api.exampleicom"; a pattern may name at most 8: split it, or use allow_origins`}},
		{"regex null with credentials", `{"allow_origin_regexes": ["null"], "allow_credentials": true}`, []string{`allow_origin_regexes[0]: "null": matches the origin "null", which cannot be used with allow_credentials: sandboxed iframes, local files and redirects all send it`}},
		{"regex http with credentials", `{"allow_origin_regexes": ["https?://app\\.example\\.com"], "allow_credentials": true}`, []string{`allow_origin_regexes[0]: "https?://app\\.example\\.com": matches http origins such as "http://app.example.com", which anyone on the network path can impersonate; with allow_credentials match https only, or set dangerously_allow_insecure_origins`}},
		{"wildcard over an unlisted TLD", `{"allow_origins": ["https://*.corp", "https://*.internal"]}`, []string{`allow_origins[0]: "https://*.corp": a wildcard over a public suffix matches every site under it ("corp" is a top-level domain: all are public suffixes by the list's default rule, except those reserved for private use: localhost, test, invalid, example, local, internal)`}},
		{"regex over sites under an unlisted TLD", `{"allow_origin_regexes": ["https://[p-v][a-z]{2}\\.za", "https://za"], "allow_credentials": true}`, []string{
			`allow_origin_regexes[0]: "https://[p-v][a-z]{2}\\.za": matches origins of more than 8 sites (registrable domains), such as "https://qba.za"; a pattern may name at most 8: split it, or use allow_origins`,
			`allow_origin_regexes[1]: "https://za": matches the public suffix "za" itself, as in "https://za": anyone can register sites under it ("za" is a top-level domain: all are public suffixes by the list's default rule, except those reserved for private use: localhost, test, invalid, example, local, internal)`,
		}},
		{"wildcard over a wildcard-rule TLD", `{"allow_origins": ["https://*.ck"]}`, []string{`allow_origins[0]: "https://*.ck": a wildcard over a public suffix matches every site under it`}},

		// Methods and headers.
		{"method not a token", `{"allow_methods": ["GET POST"]}`, []string{`allow_methods[0]: "GET POST": not a method name (an HTTP token)`}},
		// A longer request method is refused unread: listing one could
		// never allow anything.
		{"method too long", `{"allow_methods": ["` + strings.Repeat("M", MaxMethodLength+1) + `", "` + strings.Repeat("M", MaxMethodLength) + `"]}`, []string{
			`allow_methods[0]: "` + strings.Repeat("M", MaxMethodLength+1) + `": method longer than 64 bytes`,
		}},
		{"forbidden method", `{"allow_methods": ["CONNECT", "trace", "TRACK"]}`, []string{
			`allow_methods[0]: "CONNECT": a forbidden method (Fetch §2.2.1): browsers never let scripts send it`,
			`allow_methods[1]: "trace": a forbidden method (Fetch §2.2.1): browsers never let scripts send it`,
			`allow_methods[2]: "TRACK": a forbidden method (Fetch §2.2.1): browsers never let scripts send it`,
		}},
		{"lower-case normalized method", `{"allow_methods": ["delete"]}`, []string{`allow_methods[0]: "delete": browsers always send this method as "DELETE", and methods compare case-sensitively; write "DELETE"`}},
		{"header not a token", `{"allow_headers": ["x-a b"]}`, []string{`allow_headers[0]: "x-a b": not a header name (an HTTP token)`}},
		{"forbidden header", `{"allow_headers": ["Cookie", "sec-fetch-mode", "Proxy-Authorization"]}`, []string{
			`allow_headers[0]: "Cookie": a forbidden request header (Fetch §2.2.2): browsers never let scripts send it, so it never needs allowing`,
			`allow_headers[1]: "sec-fetch-mode": a forbidden request header (Fetch §2.2.2): browsers never let scripts send it, so it never needs allowing`,
			`allow_headers[2]: "Proxy-Authorization": a forbidden request header (Fetch §2.2.2): browsers never let scripts send it, so it never needs allowing`,
		}},
		{"expose wildcard with credentials", `{"allow_origins": ["https://a.example"], "allow_credentials": true, "expose_headers": ["*"]}`, []string{`expose_headers[0]: "*": cannot be used with allow_credentials: browsers then read it as a header named "*"; list the headers instead`}},
		{"expose not a token", `{"expose_headers": ["x:y"]}`, []string{`expose_headers[0]: "x:y": not a header name (an HTTP token)`}},

		{"every problem at once", `{"allow_origin": [], "allow_origins": ["https://*.com", 3, "*"], "allow_credentials": true, "max_age": -5, "allow_methods": ["TRACE"]}`, []string{
			`unknown field "allow_origin"; did you mean "allow_origins"?`,
			`allow_origins[1]: 3: must be a string`,
			`allow_origins[0]: "https://*.com": a wildcard over a public suffix matches every site under it`,
			`allow_origins[2]: "*": cannot be used with allow_credentials: browsers refuse a wildcard origin on credentialed requests; list the origins instead`,
			`allow_methods[0]: "TRACE": a forbidden method (Fetch §2.2.1): browsers never let scripts send it`,
			`max_age: -5: must be between 0 and 86400 seconds`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := Load([]byte(tc.cfg))
			if p != nil {
				t.Errorf("Load returned a policy for an invalid configuration")
			}
			got := problemStrings(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		cfg  string
		want []string
	}{
		{"empty object", `{}`, []string{`allow_origins: no origin is allowed: every CORS request will be refused`}},
		{"clean", `{"allow_origins": ["https://a.example"], "allow_methods": ["PUT"], "allow_headers": ["content-type"], "max_age": 600}`, nil},
		{"duplicate origin after normalization", `{"allow_origins": ["https://a.example", "HTTPS://A.EXAMPLE:443"]}`, []string{`allow_origins[1]: "HTTPS://A.EXAMPLE:443": duplicate of allow_origins[0]; remove it`}},
		{"redundant next to star", `{"allow_origins": ["*", "https://a.example"]}`, []string{`allow_origins[0]: "*": allows every origin; the other entries are redundant`}},
		{"duplicate method", `{"allow_origins": ["https://a.example"], "allow_methods": ["PUT", "PUT"]}`, []string{`allow_methods[1]: "PUT": duplicate; remove it`}},
		{"duplicate header", `{"allow_origins": ["https://a.example"], "allow_headers": ["X-A", "x-a"]}`, []string{`allow_headers[1]: "x-a": duplicate (header names are case-insensitive); remove it`}},
		{"redundant header next to star", `{"allow_origins": ["https://a.example"], "allow_headers": ["*", "x-a"]}`, []string{`allow_headers: "*" allows every header but authorization; the other names are redundant`}},
		{"authorization next to star is not redundant", `{"allow_origins": ["https://a.example"], "allow_headers": ["*", "Authorization"]}`, nil},
		{"safelisted exposed header", `{"allow_origins": ["https://a.example"], "expose_headers": ["Content-Type"]}`, []string{`expose_headers[0]: "Content-Type": a CORS-safelisted response header, always exposed; listing it has no effect`}},
		{"forbidden exposed header", `{"allow_origins": ["https://a.example"], "expose_headers": ["set-cookie"]}`, []string{`expose_headers[0]: "set-cookie": browsers never expose this header to scripts; listing it has no effect`}},
		{"max age above Chromium cap", `{"allow_origins": ["https://a.example"], "max_age": 86400}`, []string{`max_age: 86400: Chromium caps Access-Control-Max-Age at 7200 seconds; Firefox at 86400`}},
		{"insecure flag without credentials", `{"allow_origins": ["https://a.example"], "dangerously_allow_insecure_origins": true}`, []string{`dangerously_allow_insecure_origins: true: has no effect without allow_credentials`}},
		{"bare dot in regex", `{"allow_origin_regexes": ["https://api.\\.example\\.com"]}`, []string{`allow_origin_regexes[0]: "https://api.\\.example\\.com": an unescaped "." matches any character; write "\\." to match a dot`}},
		{"duplicate regex", `{"allow_origin_regexes": ["https://a\\.example", "https://a\\.example"]}`, []string{
			`allow_origin_regexes[0]: "https://a\\.example": matches exactly the origins of allow_origins "https://a.example": prefer them, they need no regular expression`,
			`allow_origin_regexes[1]: "https://a\\.example": duplicate of allow_origin_regexes[0]; remove it`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := Load([]byte(tc.cfg))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := warningStrings(t, p); !slices.Equal(got, tc.want) {
				t.Errorf("warnings:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Configurations that must load, each pinning an accepted form.
func TestLoadAccepts(t *testing.T) {
	t.Parallel()
	for _, cfg := range []string{
		`{"allow_origins": ["capacitor://localhost", "chrome-extension://abcdefghijklmnopabcdefghijklmnop"]}`,
		`{"allow_origins": ["http://localhost:*", "http://*.localhost:*", "http://127.0.0.1:8080", "http://[::1]:3000"], "allow_credentials": true}`,
		`{"allow_origins": ["http://a.example"], "allow_credentials": true, "dangerously_allow_insecure_origins": true}`,
		`{"allow_origins": ["https://*.example.com:*", "https://*.internal"]}`,
		`{"allow_origins": ["null"]}`,
		`{"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"], "expose_headers": ["*"]}`,
		`{"allow_origins": ["https://a.example"], "max_age": 0, "preflight_status": 200, "on_unmatched_preflight": "forward", "on_disallowed_origin": "reject", "upstream_cors_headers": "keep", "allow_private_network": true}`,
		`{"allow_origin_regexes": ["https://[a-z0-9-]+\\.preview\\.example\\.com"]}`,
		`{"allow_origin_regexes": ["https://([a-z0-9-]+\\.)*example\\.com", "https://example\\.com(:[0-9]+)?"]}`,
		`{"allow_origin_regexes": ["http://localhost:[0-9]+", "https://app\\.example\\.com"], "allow_credentials": true}`,
		`{"allow_origin_regexes": ["http://app\\.example\\.com"], "allow_credentials": true, "dangerously_allow_insecure_origins": true}`,
		`{"allow_origin_regexes": ["null"]}`,
	} {
		if _, err := Load([]byte(cfg)); err != nil {
			t.Errorf("Load(%s): %v", cfg, err)
		}
	}
}

func TestConfigErrorUnwrap(t *testing.T) {
	t.Parallel()
	_, err := Load([]byte(`{"max_age": -1, "preflight_status": 1}`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "max_age" || fe.Value != "-1" || !strings.HasPrefix(fe.Reason, "must be between") {
		t.Fatalf("errors.As(*FieldError) = %+v; want the max_age problem", fe)
	}
	if n := strings.Count(err.Error(), "\n"); n != 1 {
		t.Errorf("Error() has %d newlines; want one problem per line", n)
	}
}

// Check returns Load's errors with the warnings, and no warning about an
// object it could not read.
func TestCheck(t *testing.T) {
	t.Parallel()
	errs, warnings := Check([]byte(`{"allow_origins": ["https://a.example", "https://a.example", "*"], "allow_credentials": true}`))
	if len(errs) != 1 || errs[0].Code != CodeCredentialsAny {
		t.Errorf("errors = %v; want the credentials_any error", errs)
	}
	if len(warnings) != 1 || warnings[0].Code != CodeDuplicate {
		t.Errorf("warnings = %v; want the duplicate warning although the configuration is refused", warnings)
	}
	for _, bad := range []string{``, `{"allow_origins": [`, `[1]`} {
		errs, warnings := Check([]byte(bad))
		if len(errs) != 1 || len(warnings) != 0 {
			t.Errorf("Check(%q) = %v, %v; want one error and no warning", bad, errs, warnings)
		}
	}
	if errs, warnings := Check([]byte(`{"allow_origins": ["https://a.example"]}`)); len(errs)+len(warnings) != 0 {
		t.Errorf("a valid configuration: %v, %v", errs, warnings)
	}
}
