package psl

import "slices"

// The list's default rule ("*": every top-level label is a public suffix)
// has a few exceptions here: top-level names reserved so that they are
// never delegated in the global DNS, and used by each network's operator
// alone. Under them, one operator owns every name, as with a registrable
// domain, so "https://*.internal" covers one operator's hosts. Each is
// reserved by:
//
//   - localhost: RFC 6761 §6.3, the loopback host of every machine;
//   - test: RFC 6761 §6.2, for testing, never resolved globally;
//   - invalid: RFC 6761 §6.4, never resolves at all;
//   - example: RFC 6761 §6.5, for documentation;
//   - local: RFC 6762 §3, Multicast DNS on one link (any device on that
//     link can claim a name there);
//   - internal: ICANN Board resolution of 29 July 2024 (following SSAC's
//     SAC113), the private-use top-level domain.
//
// Deliberately not exceptions, so public suffixes as the list or its
// default rule makes them: onion (listed; RFC 7686: each name is a key
// whoever holds it owns), alt (RFC 9476: names of other naming systems,
// with owners of their own), home.arpa (RFC 8375, but listed under arpa),
// and names used privately without a reservation (lan, home, corp,
// intranet, private: RFC 6762 Appendix G only observes their use), which
// can be delegated one day. The IANA Special-Use Domain Names registry's
// other entries are under arpa or are registrable domains already
// (example.com).
var privateUse = [...]string{"localhost", "test", "invalid", "example", "local", "internal"}

// PrivateUse lists the top-level names that are not public suffixes
// although the list does not name them (see above), for messages and
// documentation.
func PrivateUse() []string { return slices.Clone(privateUse[:]) }

// IsPrivateUse reports whether the lower-case top-level label is reserved
// for private use (see above).
func IsPrivateUse(label string) bool {
	for _, n := range privateUse {
		if n == label {
			return true
		}
	}
	return false
}
