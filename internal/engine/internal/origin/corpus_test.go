package origin

import (
	"math/rand/v2"
	"strings"
)

// specialSchemes are the URL standard's special schemes (§4.1), whose
// origins are tuples a URL parser serializes; the others' are opaque.
var specialSchemes = []string{"http", "https", "ws", "wss", "ftp"}

// edgeOrigins are hand-picked cases for the URL standard's host parsing
// (§3.5) and origin serialization: each byte class in a host, empty labels
// and trailing dots, DNS lengths, xn-- labels, hosts that end in a number,
// IPv6 forms, ports.
var edgeOrigins = []string{
	"https://example.com", "https://a~b.example.com", "https://a*b.example.com", "https://*.example.com",
	"https://a!b.example.com", `https://a"b.example.com`, "https://a$b.example.com", "https://a&b.example.com",
	"https://a'b.example.com", "https://(a).example.com", "https://a+b.example.com", "https://a,b.example.com",
	"https://a;b.example.com", "https://a=b.example.com", "https://a`b.example.com", "https://{a}.example.com",
	"https://a_b.example.com", "https://-a-.example.com", "https://a--b.example.com", "https://~", "https://*",
	"https://a^b.example.com", "https://a|b.example.com", "https://a%41b.example.com", "https://a%b.example.com",
	"https://a<b.example.com", "https://a>b.example.com", "https://a@b.example.com", "https://a\\b.example.com",
	"https://a[b.example.com", "https://a]b.example.com", "https://a b.example.com", "https://a\tb.example.com",
	"https://a\x7fb.example.com", "https://a\x00b.example.com", "https://A.example.com", "https://a.EXAMPLE.com",
	"https://a..example.com", "https://.example.com", "https://example.com.", "https://example.com..",
	"https://.", "https://..", "https://", "https://:8080", "https://example.com.:8080",
	"https://" + strings.Repeat("a", 63) + ".example", "https://" + strings.Repeat("a", 64) + ".example",
	"https://" + strings.Repeat("a.", 126) + "a", "https://" + strings.Repeat("a.", 126) + "ab",
	"https://" + strings.Repeat("a.", 127) + "a",
	"https://xn--bcher-kva.example", "https://xn--55qx5d.cn", "https://xn--abc.com", "https://xn--a.com",
	"https://xn--.com", "https://xn---abc.com", "https://xn--ab-.com", "https://a.xn--ab", "https://xn--zca.com",
	"https://1.2.3.4", "https://1.2.3.4.", "https://1.2.3", "https://0x7f.0.0.1", "https://127.1",
	"https://a.0x", "https://a.09", "https://a.1e", "https://a.0x1g", "https://a.0X1", "https://256.0.0.1",
	"https://0.0.0.0", "https://255.255.255.255", "https://a.123", "https://123.a", "https://01.2.3.4",
	"https://1.2.3.04", "https://4294967295", "https://1.2.3.4.5", "https://a.1", "https://a.b.c.1", "https://1e",
	"https://[::1]", "https://[0:0::1]", "https://[::ffff:1.2.3.4]", "https://[::ffff:102:304]",
	"https://[2001:db8::1]", "https://[2001:DB8::1]", "https://[::]", "https://[1::2::3]", "https://[fe80::1%25eth0]",
	"https://[::1]:8080", "https://[::1]:443",
	"https://example.com:0", "https://example.com:1", "https://example.com:65535", "https://example.com:65536",
	"https://example.com:443", "http://example.com:80", "ws://example.com:80", "wss://example.com:443",
	"ftp://example.com:21", "ftp://example.com:2121", "https://example.com:080", "https://example.com:",
	"https://example.com/", "https://example.com?", "https://example.com#", "https://user@example.com",
	"HTTPS://example.com", "https:example.com", "https:/example.com", "https:///example.com",
}

// originCorpus returns edgeOrigins, every ASCII byte in each position of a
// few templates, and random strings over the bytes that matter to host
// parsing, all in special schemes: the same every run.
func originCorpus() []string {
	out := append([]string(nil), edgeOrigins...)
	templates := []string{
		"https://a%cb.example.com", "https://%c.example.com", "https://example.%c", "https://example.com%c",
		"http://x%c:8080", "ws://%c", "wss://a.b%cc", "ftp://%c%c", "https://[::1]%c", "https://1.2.3.%c",
	}
	for c := 0; c < 0x80; c++ {
		for _, t := range templates {
			out = append(out, strings.ReplaceAll(t, "%c", string(rune(c))))
		}
	}
	const bytes = "abcxyzA019-_~*!\"$&'()+,;=`{}%#/:<>?@[\\]^| .\t"
	ports := []string{"", "", "", ":", ":0", ":1", ":21", ":80", ":443", ":8080", ":65535", ":65536", ":08", ":x"}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 20000 {
		var b strings.Builder
		b.WriteString(specialSchemes[rng.IntN(len(specialSchemes))] + "://")
		for l := range 1 + rng.IntN(4) {
			if l > 0 {
				b.WriteByte('.')
			}
			if rng.IntN(16) == 0 {
				b.WriteString("xn--")
			}
			for range rng.IntN(7) {
				// Letters and digits half the time, so that most labels
				// are near-valid.
				if rng.IntN(2) == 0 {
					b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)])
				} else {
					b.WriteByte(bytes[rng.IntN(len(bytes))])
				}
			}
		}
		b.WriteString(ports[rng.IntN(len(ports))])
		out = append(out, b.String())
	}
	return out
}
