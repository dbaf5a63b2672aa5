package convert

import (
	"net"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// kubeSuffix ends the name of a Kubernetes service under the default
// domain suffix (meshConfig can change it; the notes say so).
const kubeSuffix = ".svc.cluster.local"

// istioDomains returns the hosts for which Istio chooses a VirtualService's
// routes. A short name (no dot, not "*" or an IP address) is resolved in
// the VirtualService's namespace (Istio's model.ResolveShortnameToFQDN:
// reviews → reviews.<namespace>.svc.cluster.local); for sidecars, a
// Kubernetes service's virtual host also takes its shorter forms
// (GenerateAltVirtualHosts in pilot/pkg/networking/core/httproute.go: name
// and name.namespace.svc from clients in its namespace, name.namespace and
// name.namespace.svc from the others). corswasm does not know the client's
// namespace, so a VirtualService bound to the mesh gets all of them; one
// bound only to gateways, the full name alone (gateway virtual hosts have
// only that).
func (c *converter) istioDomains(id, ns string, vs *networking.VirtualService) []string {
	if len(vs.Hosts) == 0 {
		c.note("VirtualService %s has no hosts (a delegate): its routes are converted as if for every host", id)
		return []string{"*"}
	}
	mesh := len(vs.Gateways) == 0 || slices.Contains(vs.Gateways, "mesh")
	var out []string
	add := func(hs ...string) {
		for _, h := range hs {
			if h = strings.ToLower(h); !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	for _, h := range vs.Hosts {
		short := h != "*" && !strings.Contains(h, ".") && net.ParseIP(h) == nil
		switch {
		case short && ns == "":
			c.note("VirtualService %s has no metadata.namespace: Istio resolves its short host %q in the namespace it is applied to (%s.<namespace>%s); the rules match %q alone, so requests to %s.<namespace>%s, %s.<namespace> and %s.<namespace>.svc will not match them: set metadata.namespace and convert again",
				id, h, h, kubeSuffix, h, h, kubeSuffix, h, h)
			add(h)
			continue
		case short:
			add(h + "." + ns + kubeSuffix)
		default:
			add(h)
		}
		name, svcNS, isService := kubeService(out[len(out)-1])
		if !isService {
			continue
		}
		fqdn := name + "." + svcNS + kubeSuffix
		alt := []string{name, name + "." + svcNS, name + "." + svcNS + ".svc"}
		var how string
		switch {
		case mesh:
			add(alt...)
			how = "sidecars also route " + strings.Join(alt, ", ") + " to it (" + name + " only from namespace " + svcNS + "): the rules match all four"
		default:
			how = "on gateways only that name is routed: the rules match it alone"
		}
		if short {
			c.note("VirtualService %s: host %q is a short name: Istio resolves it to %s (the VirtualService's namespace, and the default domain suffix cluster.local); %s", id, h, fqdn, how)
		} else if mesh {
			c.note("VirtualService %s: host %q: %s", id, h, how)
		}
	}
	return out
}

// kubeService splits name.namespace.svc.cluster.local.
func kubeService(h string) (name, namespace string, ok bool) {
	rest, ok := strings.CutSuffix(h, kubeSuffix)
	if !ok {
		return "", "", false
	}
	name, namespace, ok = strings.Cut(rest, ".")
	if !ok || name == "" || namespace == "" || strings.Contains(namespace, ".") {
		return "", "", false
	}
	return name, namespace, true
}

// authority converts an exact authority match into a host: corswasm
// compares hosts case-insensitively and without the port, so an authority
// with a port is a host and a condition on the port.
func (c *converter) authority(a string) (host string, port bool) {
	h := strings.ToLower(a)
	if strings.HasPrefix(h, "[") {
		if i := strings.LastIndex(h, "]:"); i >= 0 {
			return h[:i+1], true
		}
		return h, false
	}
	host, _, port = strings.Cut(h, ":")
	return host, port
}
