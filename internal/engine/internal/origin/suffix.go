package origin

import (
	"slices"
	"strings"
)

// Suffixes indexes values under domain names, so that for a request's host
// the values of every domain it lies strictly under are found with one
// right-to-left scan of the host, whatever the number of domains: the scan
// looks up only the suffixes with as many labels as some indexed domain.
// It serves subdomain wildcards of allow_origins ("https://*.example.com")
// and of match.hosts ("*.example.com").
type Suffixes[V any] struct {
	values map[string]V
	// labels lists the label counts of the indexed domains, increasing.
	labels []int
}

// Get returns the value indexed under domain.
func (x *Suffixes[V]) Get(domain string) (V, bool) {
	v, ok := x.values[domain]
	return v, ok
}

// Set indexes v under domain, a lower-case domain name.
func (x *Suffixes[V]) Set(domain string, v V) {
	if x.values == nil {
		x.values = make(map[string]V)
	}
	x.values[domain] = v
	n := strings.Count(domain, ".") + 1
	if i, found := slices.BinarySearch(x.labels, n); !found {
		x.labels = slices.Insert(x.labels, i, n)
	}
}

// Len reports how many domains are indexed.
func (x *Suffixes[V]) Len() int { return len(x.values) }

// Under returns a scan over the values of the indexed domains that host (a
// lower-case host name, as a string or as bytes) lies strictly under,
// nearest the top-level domain first. It does not allocate.
func Under[V any, H string | []byte](x *Suffixes[V], host H) SuffixScan[V, H] {
	return SuffixScan[V, H]{x: x, host: host, i: len(host) - 1, labels: 1}
}

// AtOrUnder is Under, and then the value indexed under host itself.
func AtOrUnder[V any, H string | []byte](x *Suffixes[V], host H) SuffixScan[V, H] {
	s := Under(x, host)
	s.self = true
	return s
}

// SuffixScan is a scan in progress; see Under.
type SuffixScan[V any, H string | []byte] struct {
	x      *Suffixes[V]
	host   H
	i      int  // next byte of host to look at, scanning leftwards
	labels int  // labels right of i
	next   int  // index in x.labels of the next label count to look up
	self   bool // host itself is still to look up (AtOrUnder)
}

// Next returns the next value, or ok=false when there is none.
func (s *SuffixScan[V, H]) Next() (v V, ok bool) {
	for ; s.i > 0 && s.next < len(s.x.labels); s.i-- {
		if s.host[s.i] != '.' {
			continue
		}
		labels := s.labels
		s.labels++
		if labels != s.x.labels[s.next] {
			continue
		}
		s.next++
		// Indexing with string(bytes) does not allocate.
		if v, ok := s.x.values[string(s.host[s.i+1:])]; ok {
			s.i--
			return v, true
		}
	}
	if s.self {
		s.self = false
		v, ok = s.x.values[string(s.host)]
		return v, ok
	}
	return v, false
}
