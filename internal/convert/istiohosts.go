package convert

import (
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// istioDomains returns the hosts for which Istio chooses a VirtualService's
// routes.
func (c *converter) istioDomains(id, ns string, vs *networking.VirtualService) []string {
	if len(vs.Hosts) == 0 {
		c.note("VirtualService %s has no hosts (a delegate): its routes are converted as if for every host", id)
		return []string{"*"}
	}
	var out []string
	for _, h := range vs.Hosts {
		if h = strings.ToLower(h); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// authority converts an exact authority match into a host: corswasm
// compares hosts case-insensitively and without the port.
func (c *converter) authority(at, a string, cors bool) string {
	h := strings.ToLower(a)
	if !strings.HasPrefix(h, "[") {
		if host, _, hasPort := strings.Cut(h, ":"); hasPort {
			if cors {
				c.note("%s: authority %q: corswasm ignores the port of :authority; the rule matches %q on every port", at, a, host)
			}
			h = host
		}
	} else if i := strings.LastIndex(h, "]:"); i >= 0 {
		if cors {
			c.note("%s: authority %q: corswasm ignores the port of :authority; the rule matches %q on every port", at, a, h[:i+1])
		}
		h = h[:i+1]
	}
	return h
}
