package learn

import (
	"sort"
	"strings"
)

// ServiceKey names a service: the host a request was sent to (without its
// port, lower-cased) and the path bucket.
type ServiceKey struct {
	Host string `json:"host"`
	Path string `json:"path"`
}

// service is the observations of one service and what is inferred from
// them.
type service struct {
	key   ServiceKey
	rules []string // the audit configuration's rules that decided them
	obs   []*Observation
	// unusable says why no rule can be written for the service (its host
	// or path was cut, or is not one a rule can match); "" when it can.
	unusable string
	b        behaviour
	ev       evidence
	dropped  []Dropped
	notes    []string
	risks    []Risk
}

// group groups observations by service, in a stable order (host, path),
// re-bucketing paths to segments segments when segments >= 0.
func group(obs []*Observation, segments int) []*service {
	byKey := make(map[ServiceKey]*service)
	for _, o := range obs {
		k := ServiceKey{Host: hostOf(o.Host), Path: o.Path}
		if segments >= 0 {
			k.Path = bucket(o.Path, segments)
		}
		s := byKey[k]
		if s == nil {
			s = &service{key: k}
			byKey[k] = s
		}
		s.obs = append(s.obs, o)
		if !contains(s.rules, o.Rule) {
			s.rules = append(s.rules, o.Rule)
		}
		switch {
		case o.cut("host"):
			s.unusable = "its host was longer than 256 bytes and cut in the log"
		case o.cut("path"):
			s.unusable = "its path was longer than 256 bytes and cut in the log"
		}
	}
	out := make([]*service, 0, len(byKey))
	for _, s := range byKey {
		sort.Strings(s.rules)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].key, out[j].key
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Path < b.Path
	})
	return out
}

// hostOf is an :authority as the filter matches rules' hosts: without its
// port, without a trailing dot ("api.example.com." names the same host),
// lower-cased.
func hostOf(authority string) string {
	h := authority
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end >= 0 {
			h = h[:end+1]
		}
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// bucket cuts a path bucket to n segments, as the filter does: just after
// the n-th segment's trailing "/" when more follows; "/" with 0.
func bucket(path string, n int) string {
	slashes := 0
	for i := 0; i < len(path); i++ {
		if path[i] != '/' {
			continue
		}
		if slashes == n {
			if i+1 < len(path) {
				return path[:i+1]
			}
			return path
		}
		slashes++
	}
	return path
}

// slashSegments is the number of a bucket's segments that end in "/":
// "/a/b/" 2, "/a/b" 1, "/" 0.
func slashSegments(path string) int {
	return strings.Count(path, "/") - 1
}
