package origin

import "testing"

// The sample strings of RFC 3492 §7.1, encoded without case mapping.
func TestPunycodeRFC3492Samples(t *testing.T) {
	t.Parallel()
	samples := []struct {
		name    string
		input   []rune
		encoded string
	}{
		{"(A) Arabic (Egyptian)", []rune{0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645,
			0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A, 0x061F}, "egbpdaj6bu4bxfgehfvwxn"},
		{"(B) Chinese (simplified)", []rune{0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587},
			"ihqwcrb4cv8a8dqg056pqjye"},
		{"(C) Chinese (traditional)", []rune{0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587},
			"ihqwctvzc91f659drss3x8bo0yb"},
		{"(D) Czech", []rune{0x0050, 0x0072, 0x006F, 0x010D, 0x0070, 0x0072, 0x006F, 0x0073, 0x0074, 0x011B, 0x006E,
			0x0065, 0x006D, 0x006C, 0x0075, 0x0076, 0x00ED, 0x010D, 0x0065, 0x0073, 0x006B, 0x0079},
			"Proprostnemluvesky-uyb24dma41a"},
		{"(E) Hebrew", []rune{0x05DC, 0x05DE, 0x05D4, 0x05D4, 0x05DD, 0x05E4, 0x05E9, 0x05D5, 0x05D8, 0x05DC, 0x05D0,
			0x05DE, 0x05D3, 0x05D1, 0x05E8, 0x05D9, 0x05DD, 0x05E2, 0x05D1, 0x05E8, 0x05D9, 0x05EA},
			"4dbcagdahymbxekheh6e0a7fei0b"},
		{"(I) Russian (Cyrillic)", []rune{0x043F, 0x043E, 0x0447, 0x0435, 0x043C, 0x0443, 0x0436, 0x0435, 0x043E, 0x043D,
			0x0438, 0x043D, 0x0435, 0x0433, 0x043E, 0x0432, 0x043E, 0x0440, 0x044F, 0x0442, 0x043F, 0x043E, 0x0440,
			0x0443, 0x0441, 0x0441, 0x043A, 0x0438}, "b1abfaaepdrnnbgefbadotcwatmq2g4l"},
		{"(L) 3<nen>B<gumi><kinpachi><sensei>", []rune{0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F},
			"3B-ww4c5e180e575a65lsy2b"},
		{"(M) <amuro><namie>-with-SUPER-MONKEYS", []rune("安室奈美恵-with-SUPER-MONKEYS"),
			"-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
		{"(R) <sono><supiido><de>", []rune{0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067}, "d9juau41awczczp"},
		{"(S) -> $1.00 <-", []rune("-> $1.00 <-"), "-> $1.00 <--"},
	}
	for _, s := range samples {
		got, ok := punycodeEncode(s.input)
		if !ok || got != s.encoded {
			t.Errorf("%s: punycodeEncode = %q, %t; want %q", s.name, got, ok, s.encoded)
		}
	}
}

func TestSuggestASCIIHost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		host, want string
		ok         bool
	}{
		{"bücher.example", "xn--bcher-kva.example", true},
		{"BÜCHER.Example", "xn--bcher-kva.example", true},
		{"münchen.de", "xn--mnchen-3ya.de", true},
		{"例え.テスト", "xn--r8jz45g.xn--zckzah", true},
		{"公司。cn", "xn--55qx5d.cn", true},
		{"a.bücher.example", "a.xn--bcher-kva.example", true},
		// A combining mark: IDNA would normalize it first.
		{"bu\u0308cher.example", "", false},
		{"bü cher.example", "", false},
		{"bücher.example.", "", false},
	}
	for _, c := range cases {
		got, ok := suggestASCIIHost(c.host)
		if got != c.want || ok != c.ok {
			t.Errorf("suggestASCIIHost(%q) = %q, %t; want %q, %t", c.host, got, ok, c.want, c.ok)
		}
	}
}
