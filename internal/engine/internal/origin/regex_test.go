package origin

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// acceptedPatterns are patterns the analysis proves safe, with what it
// proves: the schemes and the sites of their origins.
var acceptedPatterns = []struct {
	pattern     string
	credentials bool
	schemes     []string
	sites       map[string][]string
	null        bool
}{
	// Judged over valid origins: ".*" before "\.example\.com" can only
	// be labels under example.com.
	{pattern: `https://.*\.example\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `https://([a-z0-9-]+\.)*example\.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `https://pr-[0-9]+\.preview\.example\.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `(?i)HTTPS://APP\.EXAMPLE\.COM`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `https://(www|app)\.example\.(com|net)(:[0-9]+)?`, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.net", "example.com"}}},
	{pattern: `https://[ab]\.example`, schemes: []string{"https"}, sites: map[string][]string{"https": {"example"}}},
	{pattern: `https://[ab]\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"a.com", "b.com"}}},
	// Loopback is the one plain-http exception with credentials.
	{pattern: `http://localhost:[0-9]+`, credentials: true, schemes: []string{"http"}, sites: map[string][]string{"http": {"localhost"}}},
	{pattern: `http://([a-z]+\.)?localhost(:[0-9]+)?`, credentials: true, schemes: []string{"http"}, sites: map[string][]string{"http": {"localhost"}}},
	{pattern: `http://127\.0\.0\.1:[0-9]+|http://\[::1\]:[0-9]+`, credentials: true, schemes: []string{"http"}, sites: map[string][]string{"http": {"[::1]", "127.0.0.1"}}},
	{pattern: `capacitor://localhost|https://app\.example\.com`, credentials: true, schemes: []string{"capacitor", "https"}, sites: map[string][]string{"capacitor": {"localhost"}, "https": {"example.com"}}},
	// The same site under two schemes is one site of the eight.
	{pattern: `https?://(a|b|c|d|e|f|g|h)\.com`, schemes: []string{"http", "https"}, sites: map[string][]string{
		"http": {"a.com", "b.com", "c.com", "d.com", "e.com", "f.com", "g.com", "h.com"}, "https": {"a.com", "b.com", "c.com", "d.com", "e.com", "f.com", "g.com", "h.com"}}},
	{pattern: `https?://app\.example\.com`, schemes: []string{"http", "https"}, sites: map[string][]string{"http": {"example.com"}, "https": {"example.com"}}},
	// A site under a private public suffix, spelled out.
	{pattern: `https://my-org\.github\.io`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"my-org.github.io"}}},
	// An exception rule of the list: city.kawasaki.jp is a site.
	{pattern: `https://[a-z]+\.city\.kawasaki\.jp`, schemes: []string{"https"}, sites: map[string][]string{"https": {"city.kawasaki.jp"}}},
	// A top-level name reserved for private use belongs to the operator,
	// as with allow_origins "https://*.internal".
	{pattern: `https://[a-z]+\.internal`, schemes: []string{"https"}, sites: map[string][]string{"https": {"internal"}}},
	{pattern: `https://([a-z]+\.)?(test|localhost)`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"test", "localhost"}}},
	// Under a top-level domain the list does not name, a label more is a
	// site (the default rule "*").
	{pattern: `https://app\.za`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"app.za"}}},
	{pattern: `https://[a-z]+\.app\.zz`, schemes: []string{"https"}, sites: map[string][]string{"https": {"app.zz"}}},
	// Under amazonaws.com, whose public suffixes (s3.amazonaws.com, …) a
	// spelled-out label does not reach.
	{pattern: `https://app\.amazonaws\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"amazonaws.com"}}},
	// Host characters beyond letters, digits, "-" and "_" (the URL
	// standard's): still within labels, so still under the site spelled out.
	{pattern: `https://a~b\.example\.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `https://[a-z~*!]+\.example\.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	{pattern: `https://[^.]+\.example\.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	// Each a site of its own: "~example.com" is not example.com.
	{pattern: `https://[~*!]example\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"~example.com", "*example.com", "!example.com"}}},
	{pattern: `null`, schemes: nil, sites: map[string][]string{}, null: true},
	// The shortest match is no origin and the valid ones lie beyond the
	// search for one: accepted on the proof, which runs over the wider
	// grammar (the host of "https://localhost:443" counts as a site).
	{pattern: `https://localhost:443|https://[a-z]{12}\.example\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"localhost", "example.com"}}},
	// Hosts no browser sends (a label over 63 bytes, a host over 253) are
	// neither sites nor public suffixes the pattern matches: no request has
	// them.
	{pattern: `https://(?:app\.example\.org|x{64})`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.org"}}},
	{pattern: `https://(?:a|b|c|d|e|f|g|h|x{64})\.com`, schemes: []string{"https"}, sites: map[string][]string{
		"https": {"a.com", "b.com", "c.com", "d.com", "e.com", "f.com", "g.com", "h.com"}}},
	{pattern: `https://(?:x{63}\.){3}(?:x{63}\.za|app\.example\.org)`, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.org"}}},
	// Anchored as parsed, not as joined text: "\Q" quotes to the end of
	// the pattern, and "^(?:\Q…)$" would quote ")$" too.
	{pattern: `\Qhttps://app.example.com`, credentials: true, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}},
	// Every match is no origin a browser sends: "null" is all it allows.
	{pattern: `null|https://a:443`, schemes: nil, sites: map[string][]string{}, null: true},
	{pattern: `null|https://app\.example\.com`, schemes: []string{"https"}, sites: map[string][]string{"https": {"example.com"}}, null: true},
}

// refusedPatterns are patterns the analysis refuses, with the fault and a
// phrase of the message.
var refusedPatterns = []struct {
	pattern     string
	credentials bool
	fault       Fault
	says        string
}{
	// The cases of issue 8, each once loaded without a word.
	{`(?i)https://.*example\.com`, false, FaultRegexSite, `merely end with "example.com", such as "https://corscanaryexample.com"`},
	{`(?i)https?://app\.example\.com`, true, FaultRegexInsecure, `matches http origins such as "http://app.example.com"`},
	{`(?i)null|https://app\.example\.com`, true, FaultRegexNull, `matches the origin "null"`},
	{`https://[a-z]{1,5}\.com`, false, FaultRegexSite, `more than 8 sites`},
	{`(https://(a|b|c|d|e)\.com)|(http://(f|g|h|i)\.com)`, false, FaultRegexSite, `more than 8 sites (registrable domains) across its schemes`},
	{`https://app\.example\.com[a-z.]*`, false, FaultRegexSite, `merely start with "https://app.example.com", such as "https://app.example.com.corscanary.invalid"`},
	{`https://[a-z]?example\.com`, false, FaultRegexSite, `more than 8 sites`},
	{`[a-z]+://app\.example\.com`, true, FaultRegexScheme, `any scheme`},
	{`https://.*\.s3\.amazonaws\.com`, false, FaultRegexPublicSuffix, `every site under the public suffix "s3.amazonaws.com"`},
	{`\.example\.com$`, false, FaultRegexNoMatch, `write the scheme too`},
	// An unlisted top-level domain is a public suffix (the list's default
	// rule): "za" lists only co.za, ac.za, …, so "abc.za" is anyone's.
	{`https://[p-v][a-z]{2}\.za`, true, FaultRegexSite, `more than 8 sites`},
	{`https://za`, false, FaultRegexPublicSuffix, `the public suffix "za" itself, as in "https://za": anyone can register sites under it ("za" is a top-level domain: all are public suffixes by the list's default rule`},
	{`https://(app\.example\.com|za)`, false, FaultRegexPublicSuffix, `the public suffix "za" itself`},
	{`https://[a-z]+\.(za|corp)`, false, FaultRegexPublicSuffix, `every site under the public suffix`},
	{`https://[a-z]\.alt`, false, FaultRegexSite, `more than 8 sites`},
	{`https://[a-z]+\.com`, false, FaultRegexPublicSuffix, `every site under the public suffix "com", such as "https://corscanary.com"`},
	// Hosts may hold "~", "*", "!" and more (the URL standard's host
	// characters): a pattern that does not end on a label boundary still
	// reaches other sites through them.
	{`https://[^.]+example\.com`, false, FaultRegexSite, `merely end with "aexample.com", such as "https://corscanaryaexample.com"`},
	{`https://.*~example\.com`, false, FaultRegexSite, `such as "https://corscanary~example.com"`},
	{`https://[^a-z0-9.-]+\.com`, false, FaultRegexSite, `sites it does not spell out, such as "https://++.com"`},
	// More of the same kinds.
	{`https://.*`, false, FaultRegexSite, `arbitrary origins such as "https://cors-canary.invalid"`},
	{`.*`, false, FaultRegexScheme, `arbitrary origins`},
	{`https://[a-z]+`, false, FaultRegexSite, `sites it does not spell out`},
	{`https://app\.example\.[a-z]+`, false, FaultRegexSite, `sites it does not spell out, such as "https://app.example.a`},
	{`https://api.example.com`, false, FaultRegexSite, `more than 8 sites`},
	{`https://github\.io`, false, FaultRegexPublicSuffix, `the public suffix "github.io" itself`},
	{`https://(.+\.)?github\.io`, false, FaultRegexPublicSuffix, `"github.io"`},
	{`https://[a-z0-9-]+\.github\.io`, false, FaultRegexPublicSuffix, `every site under the public suffix "github.io"`},
	{`https://[a-z]+\.amazonaws\.com`, false, FaultRegexPublicSuffix, `under "amazonaws.com"`},
	{`https://.*\.amazonaws\.com`, false, FaultRegexPublicSuffix, `where public suffixes such as`},
	{`https://[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+`, false, FaultRegexSite, ``},
	{`http://app\.example\.com`, true, FaultRegexInsecure, `http origins`},
	{`http://10\.0\.0\.1`, true, FaultRegexInsecure, `http origins`},
	{`https://app\.example\.com\b`, false, FaultRegexUnsupported, `word boundaries`},
	// A pattern that would close the anchoring group does not parse.
	{`)|(https://.*`, false, FaultRegexSyntax, `unexpected )`},
	{`https://app\.example\.com/`, false, FaultRegexNoMatch, `matches no origin`},
	{`HTTPS://APP\.EXAMPLE\.COM`, false, FaultRegexNoMatch, `lower case`},
	{`https://app\.example\.com:443`, false, FaultRegexNoMatch, `"https://app.example.com:443" is not one`},
	// Its shortest match is no origin, and the search for a valid one
	// gives up: the proof still runs on everything it matches.
	{`null|https://.{12,}|https://a:443`, false, FaultRegexSite, `arbitrary origins`},
	{`null|[a-z]+://.{12,}|https://a:443`, false, FaultRegexScheme, `any scheme`},
	{`https://a\.\.example\.com`, false, FaultRegexNoMatch, `matches no origin`},
	{`(a|b|c|d|e)[a-z]*://app\.example\.com`, false, FaultRegexScheme, `any scheme`},
	{`(a|b|c|d|e)://app\.example\.com`, false, FaultRegexScheme, `more than 4 schemes`},
	{`https://[a-z]*a[a-z]{12}\.example\.com`, false, FaultRegexComplex, `too complex`},
}

func TestCompileRegexAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range acceptedPatterns {
		r, err, _ := CompileRegex(tc.pattern, tc.credentials, false)
		if err != nil {
			t.Errorf("CompileRegex(%q, credentials=%v): %v", tc.pattern, tc.credentials, err)
			continue
		}
		if !slices.Equal(r.Schemes, tc.schemes) || r.Null != tc.null || !sameSites(r.Sites, tc.sites) {
			t.Errorf("CompileRegex(%q) proved schemes %q, sites %q, null %v; want %q, %q, %v",
				tc.pattern, r.Schemes, r.Sites, r.Null, tc.schemes, tc.sites, tc.null)
		}
	}
}

func sameSites(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		x, y := slices.Clone(v), slices.Clone(b[k])
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}

func TestCompileRegexRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range refusedPatterns {
		_, err, _ := CompileRegex(tc.pattern, tc.credentials, false)
		switch {
		case err == nil:
			t.Errorf("CompileRegex(%q, credentials=%v) accepted it", tc.pattern, tc.credentials)
		case err.Fault != tc.fault || !strings.Contains(err.Reason, tc.says):
			t.Errorf("CompileRegex(%q, credentials=%v) = fault %d %q; want fault %d saying %q",
				tc.pattern, tc.credentials, err.Fault, err.Reason, tc.fault, tc.says)
		}
	}
}

// The examples in messages are origins a browser can send, and the hosts
// named as public suffixes are hosts one can: a message tells what the
// pattern matches, and no request has anything else.
func TestRefusalExamplesAreOrigins(t *testing.T) {
	t.Parallel()
	examples := regexp.MustCompile(`(?:such as|as in) ("(?:[^"\\]|\\.)*")`)
	suffixes := regexp.MustCompile(`public suffix ("(?:[^"\\]|\\.)*")`)
	patterns := []string{
		`https://(?:[a-z]{64}|app\.example\.org)`, `https://[a-z]{64}\.com|https://za`, `https://(?:x{63}\.){4}[a-z]+\.com`,
		`https://(?:[a-z]{60}\.){4}[a-z]+`, `https://x{64}[a-z]*\.com`, `[a-z]{60}[a-z]*://app\.example\.com`,
	}
	for _, tc := range refusedPatterns {
		patterns = append(patterns, tc.pattern)
	}
	for _, tc := range worstShapes {
		patterns = append(patterns, tc.pattern)
	}
	for _, p := range patterns {
		_, err, _ := CompileRegex(p, false, false)
		if err == nil {
			continue
		}
		for _, m := range examples.FindAllStringSubmatch(err.Reason, -1) {
			o, _ := strconv.Unquote(m[1])
			if !strings.Contains(o, "://") || strings.ContainsAny(o, `\…`) {
				continue // a rule of the list, or a pattern to write
			}
			if _, ok := Parse(o); !ok && !strings.Contains(err.Reason, m[1]+" is not one") {
				t.Errorf("%q: %q; the example %s is no origin a browser sends", p, err.Reason, m[1])
			}
		}
		for _, m := range suffixes.FindAllStringSubmatch(err.Reason, -1) {
			if host, _ := strconv.Unquote(m[1]); !validDomain(host) {
				t.Errorf("%q: %q; the public suffix %s is no host a browser sends", p, err.Reason, m[1])
			}
		}
	}
}

// With dangerously_allow_insecure_origins, plain http is accepted.
func TestCompileRegexInsecureOK(t *testing.T) {
	t.Parallel()
	if _, err, _ := CompileRegex(`http://app\.example\.com`, true, true); err != nil {
		t.Errorf("CompileRegex with insecureOK: %v", err)
	}
}

func TestCompileRegexWarnings(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		`https://.*\.example\.com`:       `allow_origins "https://*.example.com"`,
		`https://([^.]+\.)*example\.com`: `allow_origins "https://example.com", "https://*.example.com"`,
		// A subdomain wildcard allows every host character in its labels
		// ("https://a~b.example.com"): this pattern allows fewer.
		`https://([a-z0-9_-]+\.)*example\.com`:     ``,
		`https://([a-z0-9-]+\.)*example\.com`:      ``,
		`https://app\.example\.com(:[0-9]+)?`:      `allow_origins "https://app.example.com:*"`,
		`null|https://app\.example\.com`:           `allow_origins "https://app.example.com", "null"`,
		`https://api.\.example\.com`:               `an unescaped "."`,
		`https://pr-[0-9]+\.preview\.example\.com`: ``,
		// A "*" in an allow_origins host is a wildcard: no entry says a
		// literal "*", which the URL standard allows in a host.
		`https://\*\.example\.com`:             ``,
		`https://a\*b\.example\.com(:[0-9]+)?`: ``,
	} {
		_, err, warnings := CompileRegex(pattern, false, false)
		if err != nil {
			t.Errorf("CompileRegex(%q): %v", pattern, err)
			continue
		}
		var got []string
		for _, w := range warnings {
			got = append(got, w.Reason)
		}
		joined := strings.Join(got, "\n")
		if want == "" && len(got) > 0 || !strings.Contains(joined, want) {
			t.Errorf("CompileRegex(%q) warnings %q; want one saying %q", pattern, got, want)
		}
	}
}
