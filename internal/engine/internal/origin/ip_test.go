package origin

import (
	"net/netip"
	"testing"
)

// The own IP parsers and the IPv6 serializer agree with net/netip, which
// the module does without (the WHATWG form of an IPv4-mapped address
// aside).
func FuzzIP(f *testing.F) {
	for _, s := range []string{
		"1.2.3.4", "01.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5", "0.0.0.0", "127.0.0.1",
		"::", "::1", "1::", "1::2", "2001:db8::1", "0:0::1", "::ffff:1.2.3.4", "::ffff:102:304",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1:2:3:4:5:6::8", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4",
		"fe80::1%eth0", ":::", "1:::2", "12345::", "1:2:3:4:5:6:7:8:9", "::1.2.3.4", "1::2:3.4.5.6",
		"ABCD::EF", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "", ":", "1:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := netip.ParseAddr(s)
		v4, ok4 := parseIPv4(s)
		if ok4 != (err == nil && want.Is4()) || ok4 && v4 != want.As4() {
			t.Fatalf("parseIPv4(%q) = %v, %v; netip says %v, %v", s, v4, ok4, want, err)
		}
		v6, ok6 := parseIPv6(s)
		wantOK := err == nil && want.Is6() && want.Zone() == ""
		if ok6 != wantOK || ok6 && v6 != want.As16() {
			t.Fatalf("parseIPv6(%q) = %v, %v; netip says %v, %v", s, v6, ok6, want, err)
		}
		if ok6 && !want.Is4In6() {
			if got := string(appendIPv6(nil, v6)); got != want.String() {
				t.Fatalf("appendIPv6(%q) = %q; netip writes %q", s, got, want.String())
			}
		}
	})
}

func TestAppendIPv6MappedStaysHex(t *testing.T) {
	a, ok := parseIPv6("::ffff:1.2.3.4")
	if got := string(appendIPv6(nil, a)); !ok || got != "::ffff:102:304" {
		t.Errorf("appendIPv6(::ffff:1.2.3.4) = %q, %v; want ::ffff:102:304", got, ok)
	}
}
