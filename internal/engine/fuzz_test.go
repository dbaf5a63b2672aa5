package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/engine/internal/origin"
	"github.com/corswasm/corswasm/internal/httpfield"
)

func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		basicConfig, credConfig, `{}`, ``, `[]`, `{"allow_origins": ["*"]}`,
		`{"allow_origins": ["https://*.example.com:*", "null", "http://localhost:*"], "allow_origin_regexes": ["https://[a-z]+\\.example\\.org"]}`,
		`{"allow_origin": 1, "max_age": 1e3, "allow_methods": [1, "TRACE"]}`,
		`{"a":{"b":[{"c":"\u0000"}]}}`,
		routesConfig,
		`{"rules": [{"name": "r", "match": {"routes": ["a*", "a", "*", "a*b", ""], "virtual_hosts": [" v", 3]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("Load error %v is not a non-empty *ConfigError", err)
			}
			for _, pr := range ce.Problems {
				if pr.Reason == "" || !slices.Contains(Codes(), pr.Code) {
					t.Fatalf("problem without a reason or a known code: %+v", pr)
				}
			}
			if p != nil {
				t.Fatal("Load returned both a policy and an error")
			}
			return
		}
		var d Decision
		p.Evaluate(preflight(appOrigin, "PUT", "x-a"), &d)
		p.Evaluate(actual("GET", appOrigin), &d)
		routed := actual("GET", appOrigin)
		routed.Route, routed.VirtualHost = string(data), "httproute/a/b/rule/0/match/0/x"
		p.Evaluate(routed, &d)
	})
}

// FuzzRequestOrigin checks the Origin parser and that the policy never
// reflects an origin it did not match.
func FuzzRequestOrigin(f *testing.F) {
	for _, seed := range []string{
		appOrigin, "null", "https://a.b.example.com", "http://localhost:3000", "http://[::1]:8080",
		"https://example.com:443", "https://a.example.com/", "capacitor://localhost", "https://A.example.com",
	} {
		f.Add(seed)
	}
	p := mustLoad(f, `{"allow_origins": ["https://app.example.com", "https://*.example.org", "http://localhost:*", "null"]}`)
	f.Fuzz(func(t *testing.T, value string) {
		o, ok := origin.Parse(value)
		if ok {
			s := o.Scheme + "://" + o.Host
			if o.Port != "" {
				s += ":" + o.Port
			}
			if s != value {
				t.Fatalf("origin.Parse(%q) accepted it as %q", value, s)
			}
		}
		var d Decision
		p.Evaluate(actual("GET", value), &d)
		for _, hd := range d.Headers() {
			if hd.Name == HeaderAllowOrigin && hd.Value != value {
				t.Fatalf("origin %q answered with %s: %q", value, hd.Name, hd.Value)
			}
		}
		if d.Kind() == ActualAllowed {
			allowed := value == appOrigin || value == "null" ||
				strings.HasPrefix(value, "http://localhost") ||
				strings.HasPrefix(value, "https://") && strings.HasSuffix(o.Host, ".example.org")
			if !allowed || (value != "null" && !ok) {
				t.Fatalf("origin %q allowed", value)
			}
		}
	})
}

// FuzzRequestHeaders checks the Access-Control-Request-Headers parser and
// that an echoed value only ever holds validated tokens.
func FuzzRequestHeaders(f *testing.F) {
	for _, seed := range []string{"content-type", "a, b", ",,,", "a b", "x-a,\tX-B ,", strings.Repeat("x,", 100), "a\r\nb"} {
		f.Add(seed, "x-b")
	}
	echo := mustLoad(f, credConfig)
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		sc := httpfield.NewScanner(line1)
		for {
			name, ok := sc.Next()
			if !ok {
				break
			}
			if !httpfield.IsToken(name) {
				t.Fatalf("scanner returned %q, not a token", name)
			}
		}
		var d Decision
		echo.Evaluate(preflight(appOrigin, "PUT", line1, line2), &d)
		for _, hd := range d.Headers() {
			if hd.Name != HeaderAllowHeaders {
				continue
			}
			for i := 0; i < len(hd.Value); i++ {
				if c := hd.Value[i]; !httpfield.IsToken(string(c)) && c != ',' && c != ' ' && c != '\t' {
					t.Fatalf("echoed %q holds byte %q", hd.Value, c)
				}
			}
		}
	})
}

// FuzzRequestMethod checks that a preflight's method is echoed only when it
// is a token of at most MaxMethodLength bytes, and refused otherwise.
func FuzzRequestMethod(f *testing.F) {
	for _, seed := range []string{"PUT", "PURGE", "put", "P T", "", "GET", strings.Repeat("M", MaxMethodLength), strings.Repeat("M", MaxMethodLength+1), "PUT\r\nx: y"} {
		f.Add(seed)
	}
	echo := mustLoad(f, credConfig)
	f.Fuzz(func(t *testing.T, method string) {
		var d Decision
		r := preflight(appOrigin, method)
		echo.Evaluate(r, &d)
		valid := method != "" && len(method) <= MaxMethodLength && httpfield.IsToken(method)
		switch {
		case method == "":
			// Not a preflight: an actual OPTIONS request.
		case valid && d.Kind() != PreflightAllowed:
			t.Fatalf("method %q refused (%v)", method, d.Reason())
		case !valid && d.Kind() != PreflightRefused:
			t.Fatalf("method %q allowed", method)
		case !valid && len(method) > MaxMethodLength && d.Reason() != MethodTooLong:
			t.Fatalf("method of %d bytes refused for %v; want %v", len(method), d.Reason(), MethodTooLong)
		}
		for _, hd := range d.Headers() {
			if hd.Name == HeaderAllowMethods && hd.Value != method {
				t.Fatalf("method %q answered with %s: %q", method, hd.Name, hd.Value)
			}
		}
	})
}
