package engine

import "github.com/corswasm/corswasm/internal/httpfield"

// tokenSet is a set of methods, or of lower-case header names, that a
// preflight looks its request's tokens up in. A set of at most
// maxScannedTokens members, the usual allow_methods or allow_headers, is
// scanned rather than hashed: in the wasm module a Go map lookup hashes
// the key in software (wasm has no AES instructions for the runtime's
// hash) before it compares, where a scan compares lengths and, on a
// length match, bytes. Larger sets use the map.
type tokenSet struct {
	m map[string]struct{}
	// small lists the members in order while there are at most
	// maxScannedTokens of them.
	small []string
}

// maxScannedTokens is the largest set scanned: beyond it, a lookup in a
// map costs less than the comparisons.
const maxScannedTokens = 8

// add adds t to the set; it reports false, and adds nothing, when t is
// already a member.
func (s *tokenSet) add(t string) bool {
	if s.m == nil {
		s.m = make(map[string]struct{})
	}
	if _, dup := s.m[t]; dup {
		return false
	}
	s.m[t] = struct{}{}
	if len(s.m) <= maxScannedTokens {
		s.small = append(s.small, t)
	} else {
		s.small = nil
	}
	return true
}

// has reports whether t is a member, compared byte for byte (methods are
// case-sensitive, Fetch §4.8 step 7.7).
func (s *tokenSet) has(t string) bool {
	if len(s.m) > maxScannedTokens {
		_, ok := s.m[t]
		return ok
	}
	for _, m := range s.small {
		if m == t {
			return true
		}
	}
	return false
}

// hasFold reports whether name, compared ASCII case-insensitively, is a
// member; the members are lower case (header names, RFC 9110 §5.1).
func (s *tokenSet) hasFold(name string) bool {
	if len(s.m) > maxScannedTokens {
		return s.hasFoldHashed(name)
	}
	for _, m := range s.small {
		// Browsers send the names in lower case: the byte comparison
		// (word by word) usually decides.
		if len(m) == len(name) && (m == name || equalLower(name, m)) {
			return true
		}
	}
	return false
}

// equalLower reports whether s, lower-cased (ASCII), equals lower, which
// has s's length.
func equalLower(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasFoldHashed is hasFold for a large set: name lower-cased into a buffer
// when it has upper-case letters (a name longer than any member is not
// one), then looked up. Its own function, so that the buffer is cleared
// only when it is needed (in the wasm module, a memory.fill, a call out of
// the compiled code).
func (s *tokenSet) hasFoldHashed(name string) bool {
	var buf [maxHeaderNameLength]byte
	lower, same, ok := httpfield.LowerASCII(name, buf[:])
	if !ok {
		return false
	}
	if same {
		_, listed := s.m[name]
		return listed
	}
	_, listed := s.m[string(lower)]
	return listed
}
