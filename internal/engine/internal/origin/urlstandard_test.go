package origin

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// nodeOrigins asks Node's URL parser (an implementation of the URL
// standard, independent of this package) about each string, in one run:
// whether new URL(s).origin is s itself, and the host name and port it
// parsed. Node is on every development machine and in CI; without it the
// test skips, except under CI, where it fails.
func nodeOrigins(t *testing.T, corpus []string) []nodeOrigin {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node not found (%v): CI must compare Parse with the URL standard", err)
		}
		t.Skipf("node not found: %v", err)
	}
	const script = `
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.map((s) => {
	try {
		const u = new URL(s);
		return {ok: u.origin === s, scheme: u.protocol.slice(0, -1), host: u.hostname, port: u.port};
	} catch (e) {
		return {ok: false};
	}
});
process.stdout.write(JSON.stringify(out));
`
	in, err := json.Marshal(corpus)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res []nodeOrigin
	if err := json.Unmarshal(stdout, &res); err != nil || len(res) != len(corpus) {
		t.Fatalf("node's answer: %d results for %d strings, %v", len(res), len(corpus), err)
	}
	return res
}

type nodeOrigin struct {
	OK                 bool
	Scheme, Host, Port string
}

// beyondDNS reports whether a domain breaks what Parse requires beyond the
// URL standard: an empty label (a trailing dot included), a label over 63
// bytes, or over 253 bytes in all (RFC 1035 §2.3.4).
func beyondDNS(host string) bool {
	if len(host) > 253 {
		return true
	}
	for _, l := range strings.Split(host, ".") {
		if l == "" || len(l) > 63 {
			return true
		}
	}
	return false
}

// labelsValid reports whether Parse accepts each non-empty label of host
// (cut to 63 bytes) as a label: a host refused for its empty labels or
// lengths then is refused for nothing else.
func labelsValid(host string) bool {
	for _, l := range strings.Split(host, ".") {
		if _, ok := Parse("https://" + l[:min(len(l), 63)] + ".example"); l != "" && !ok {
			return false
		}
	}
	return true
}

// hasXNLabel reports whether a host has a label in punycode, which Parse
// does not decode.
func hasXNLabel(host string) bool {
	for _, l := range strings.Split(host, ".") {
		if strings.HasPrefix(l, "xn--") {
			return true
		}
	}
	return false
}

// Parse accepts exactly the serialized origins of special URLs that Node's
// URL parser produces, but for the differences Parse documents: stricter
// on empty labels, trailing dots, DNS lengths and port 0; looser on xn--
// labels, whose punycode it does not decode. Where both accept, they agree
// on every part. Every kind of difference occurs in the corpus, so that
// this test would see one that should not be there.
func TestParseAgreesWithURLStandard(t *testing.T) {
	t.Parallel()
	corpus := originCorpus()
	res := nodeOrigins(t, corpus)
	seen := map[string]int{}
	for i, s := range corpus {
		o, ok := Parse(s)
		n := res[i]
		switch {
		case ok && n.OK:
			seen["both accept"]++
			if o.Scheme != n.Scheme || o.Host != n.Host || o.Port != n.Port {
				t.Errorf("Parse(%q) = %+v; the URL standard's parts are %+v", s, o, n)
			}
		case !ok && n.OK && n.Port == "0" && isSerializedOrigin(n.Scheme+"://"+n.Host):
			seen["port 0"]++
		case !ok && n.OK && beyondDNS(n.Host) && labelsValid(n.Host):
			seen["empty label or DNS length"]++
		case !ok && n.OK:
			t.Errorf("Parse(%q) refuses an origin the URL standard serializes (host %q, port %q)", s, n.Host, n.Port)
		case ok && !n.OK && hasXNLabel(o.Host):
			seen["xn-- label"]++
		case ok && !n.OK:
			t.Errorf("Parse(%q) = %+v; the URL standard does not serialize that origin", s, o)
		default:
			seen["both refuse"]++
		}
	}
	t.Logf("%d strings: %v", len(corpus), seen)
	for _, kind := range []string{"both accept", "both refuse", "port 0", "empty label or DNS length", "xn-- label"} {
		if seen[kind] == 0 {
			t.Errorf("the corpus has no case of %q", kind)
		}
	}
}
