package origin

// IP addresses in hosts, parsed and written as browsers do (WHATWG URL),
// without net/netip, whose interning tables would add some 40 KB to the
// module for two small parsers.

// parseIPv4 parses a dotted-decimal IPv4 address: four decimal numbers of
// 0-255 without leading zeros. It is the form browsers serialize, so the
// only form an Origin carries.
func parseIPv4(s string) (a [4]byte, ok bool) {
	for i := range 4 {
		if i > 0 {
			if s == "" || s[0] != '.' {
				return a, false
			}
			s = s[1:]
		}
		n, digits := 0, 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			n = n*10 + int(s[digits]-'0')
			digits++
			if n > 255 {
				return a, false
			}
		}
		if digits == 0 || digits > 1 && s[0] == '0' {
			return a, false
		}
		a[i] = byte(n)
		s = s[digits:]
	}
	return a, s == ""
}

// parseIPv6 parses the text of an IPv6 address (RFC 4291 §2.2): eight
// groups of one to four hex digits, one "::" standing for one or more zero
// groups, and optionally an IPv4 address in place of the last two groups.
// Zones are not part of an origin.
func parseIPv6(s string) (a [16]byte, ok bool) {
	ellipsis := -1 // the group index where "::" stands
	i := 0         // groups written
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis, s = 0, s[2:]
	}
	for s != "" && i < 8 {
		// An IPv4 address may end the address.
		if i <= 6 && groupHasDot(s) {
			v4, ok := parseIPv4(s)
			if !ok {
				return a, false
			}
			copy(a[2*i:], v4[:])
			i += 2
			s = ""
			break
		}
		n, digits := 0, 0
		for digits < len(s) && digits < 5 {
			d, ok := hexDigit(s[digits])
			if !ok {
				break
			}
			n = n<<4 | d
			digits++
		}
		if digits == 0 || digits > 4 {
			return a, false
		}
		a[2*i], a[2*i+1] = byte(n>>8), byte(n)
		i++
		s = s[digits:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return a, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return a, false
			}
			ellipsis, s = i, s[1:]
		}
	}
	if s != "" {
		return a, false
	}
	if ellipsis < 0 {
		return a, i == 8
	}
	if i == 8 {
		return a, false // "::" must stand for at least one group
	}
	// Move the groups after "::" to the end.
	n := 2 * (i - ellipsis)
	copy(a[16-n:], a[2*ellipsis:2*i])
	clear(a[2*ellipsis : 16-n])
	return a, true
}

// groupHasDot reports whether the group s starts with (up to the next
// ":") holds a ".": it is then an IPv4 address.
func groupHasDot(s string) bool {
	for i := 0; i < len(s) && s[i] != ':'; i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// appendIPv6 appends the WHATWG URL serialization of an IPv6 address:
// lower-case hex groups without leading zeros, the first longest run of two
// or more zero groups written "::" (as RFC 5952 has it), and never an
// embedded IPv4 address (an IPv4-mapped address is "::ffff:102:304").
func appendIPv6(b []byte, a [16]byte) []byte {
	const hex = "0123456789abcdef"
	group := func(i int) int { return int(a[2*i])<<8 | int(a[2*i+1]) }
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if group(i) != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && group(j) == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	for i := 0; i < 8; i++ {
		if i == best {
			b = append(b, "::"...)
			i += bestLen - 1
			continue
		}
		if i > 0 && i != best+bestLen {
			b = append(b, ':')
		}
		g := group(i)
		started := false
		for shift := 12; shift >= 0; shift -= 4 {
			d := g >> shift & 0xf
			if d != 0 || started || shift == 0 {
				b = append(b, hex[d])
				started = true
			}
		}
	}
	return b
}
