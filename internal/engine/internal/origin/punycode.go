package origin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file turns an internationalized host into the form browsers send
// (IDNA's ToASCII: each non-ASCII label lower-cased and Punycode-encoded
// behind "xn--"), for the suggestion of the non-ASCII host error only. It
// replaces golang.org/x/net/idna, whose Unicode tables were a twentieth of
// the module for this one message. It does not apply IDNA's full mapping
// and normalization: a host for which that could matter (anything but
// letters, digits and "-" in a non-ASCII label) gets no suggestion.

// suggestASCIIHost returns the ASCII form of host, or ok=false when this
// simple mapping cannot be sure of it.
func suggestASCIIHost(host string) (string, bool) {
	host = strings.Map(func(r rune) rune {
		if isIDNADot(r) {
			return '.'
		}
		return r
	}, host)
	var out []byte
	var runes []rune
	for label := range strings.SplitSeq(host, ".") {
		if label == "" {
			return "", false
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		if isASCII(label) {
			out = append(out, strings.ToLower(label)...)
			continue
		}
		runes = runes[:0]
		for _, r := range label {
			if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return "", false
			}
			runes = append(runes, unicode.ToLower(r))
		}
		encoded, ok := punycodeEncode(runes)
		if !ok {
			return "", false
		}
		out = append(append(out, "xn--"...), encoded...)
	}
	return string(out), true
}

// isIDNADot reports the label separators of IDNA: the full stop and the
// ideographic and full-width ones.
func isIDNADot(r rune) bool {
	return r == '.' || r == '\u3002' || r == '\uFF0E' || r == '\uFF61'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Punycode's parameters (RFC 3492 §5).
const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 128
)

// punycodeEncode encodes a label as RFC 3492 §6.3 says, without the "xn--"
// prefix; ok is false on overflow.
func punycodeEncode(input []rune) (string, bool) {
	var out []byte
	for _, r := range input {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(punyInitialN), 0, punyInitialBias
	for h < len(input) {
		m := rune(unicode.MaxRune + 1)
		for _, r := range input {
			if r >= n && r < m {
				m = r
			}
		}
		if int(m-n) > (1<<30-delta)/(h+1) {
			return "", false
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range input {
			if r < n {
				delta++
				if delta >= 1<<30 {
					return "", false
				}
			}
			if r != n {
				continue
			}
			q := delta
			for k := punyBase; ; k += punyBase {
				t := k - bias
				switch {
				case t < punyTMin:
					t = punyTMin
				case t > punyTMax:
					t = punyTMax
				}
				if q < t {
					break
				}
				out = append(out, punyDigit(t+(q-t)%(punyBase-t)))
				q = (q - t) / (punyBase - t)
			}
			out = append(out, punyDigit(q))
			bias = punyAdapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out), true
}

// punyAdapt is RFC 3492 §6.1's bias adaptation.
func punyAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((punyBase-punyTMin)*punyTMax)/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}
