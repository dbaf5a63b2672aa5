package psl

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
)

// The module embeds the rules in a compact form, rules.bin (written by
// ./gen from the same list as rules.txt, which stays the reviewable copy):
// each rule is turned into its key, the labels in reverse order ("jp.kawasaki
// .city" for "city.kawasaki.jp", an exception keeping its "!" in front), so
// that rules under one suffix sort together; the sorted keys are front-coded
// (each stores only what differs from the key before it) in blocks of
// blockSize, each block starting with a whole key, and an index of the
// blocks' offsets allows a binary search. That is half the size of the text.
//
// Layout: u32 number of blocks, u32 offset of each block (from the start of
// the data after the index), then the blocks. In a block, the first key is
// its length (one byte) and its bytes; every other key is the length of the
// prefix it shares with the key before it, the length of the rest and the
// rest (one byte each, then the bytes).

const blockSize = 16

// maxKey bounds a key: rules are domain names (at most 253 bytes) with "!"
// or "*." in front.
const maxKey = 256

// ruleKey appends the key of a rule or domain to dst.
func ruleKey(dst []byte, rule string) []byte {
	if strings.HasPrefix(rule, "!") {
		dst = append(dst, '!')
		rule = rule[1:]
	}
	for i := len(rule); ; {
		j := strings.LastIndexByte(rule[:i], '.')
		dst = append(dst, rule[j+1:i]...)
		if j < 0 {
			return dst
		}
		dst = append(dst, '.')
		i = j
	}
}

// Encode returns the compact form of rules (see above).
func Encode(rules []string) ([]byte, error) {
	keys := make([]string, len(rules))
	for i, r := range rules {
		if len(r) == 0 || len(r) >= maxKey {
			return nil, errors.New("psl: a rule is empty or too long: " + r)
		}
		keys[i] = string(ruleKey(nil, r))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	nblocks := (len(keys) + blockSize - 1) / blockSize
	var data []byte
	index := binary.LittleEndian.AppendUint32(nil, uint32(nblocks))
	for i, k := range keys {
		if i%blockSize == 0 {
			index = binary.LittleEndian.AppendUint32(index, uint32(len(data)))
			data = append(append(data, byte(len(k))), k...)
			continue
		}
		prev := keys[i-1]
		shared := 0
		for shared < len(prev) && shared < len(k) && prev[shared] == k[shared] {
			shared++
		}
		data = append(append(data, byte(shared), byte(len(k)-shared)), k[shared:]...)
	}
	return append(index, data...), nil
}

// compact is a view of the compact form.
type compact string

func (c compact) blocks() int { return int(binary.LittleEndian.Uint32([]byte(c[:4]))) }

func (c compact) block(i int) int {
	at := 4 + 4*i
	return 4 + 4*c.blocks() + int(binary.LittleEndian.Uint32([]byte(c[at:at+4])))
}

// firstKey returns the whole key that starts block i.
func (c compact) firstKey(i int) string {
	at := c.block(i)
	n := int(c[at])
	return string(c[at+1 : at+1+n])
}

// has reports whether key is one of the keys.
func (c compact) has(key []byte) bool {
	next, ok := c.ceiling(key)
	return ok && next == string(key)
}

// ceiling returns the smallest key that is not before key, if there is one.
func (c compact) ceiling(key []byte) (string, bool) {
	lo, hi := 0, c.blocks()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if c.firstKey(mid) <= string(key) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo > 0 {
		// Within the last block whose first key is not after key.
		b := lo - 1
		var buf [maxKey]byte
		at := c.block(b)
		n := int(c[at])
		cur := buf[:copy(buf[:], c[at+1:at+1+n])]
		at += 1 + n
		for i := 1; ; i++ {
			if string(cur) >= string(key) {
				return string(cur), true
			}
			if i == blockSize || at >= len(c) || b+1 < c.blocks() && at >= c.block(b+1) {
				break
			}
			shared, rest := int(c[at]), int(c[at+1])
			cur = append(cur[:shared], c[at+2:at+2+rest]...)
			at += 2 + rest
		}
	}
	if lo < c.blocks() {
		return c.firstKey(lo), true
	}
	return "", false
}
