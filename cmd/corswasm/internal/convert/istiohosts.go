package convert

import (
	"fmt"
	"net"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// kubeSuffix ends the name of a Kubernetes service under the default
// domain suffix (meshConfig can change it; the notes say so).
const kubeSuffix = ".svc.cluster.local"

// istioDomains returns the hosts for which Istio chooses a VirtualService's
// routes, and those sidecars add. A short name (no dot, not "*" or an IP
// address) is resolved in the VirtualService's namespace (Istio's
// model.ResolveShortnameToFQDN: reviews → reviews.<namespace>.svc.
// cluster.local). Gateways route that name alone; for sidecars, a
// Kubernetes service's virtual host also takes its shorter forms
// (GenerateAltVirtualHosts in pilot/pkg/networking/core/httproute.go: name
// and name.namespace.svc from clients in its namespace, name.namespace and
// name.namespace.svc from the others). corswasm does not know the client's
// namespace, so a configuration for the mesh gets all of them (sidecar).
func (c *converter) istioDomains(id, ns string, vs *networking.VirtualService) (domains, sidecar []string) {
	if len(vs.Hosts) == 0 {
		c.note("VirtualService %s has no hosts (a delegate): its routes are converted as if for every host", id)
		return []string{"*"}, nil
	}
	add := func(out []string, hs ...string) []string {
		for _, h := range hs {
			if h = strings.ToLower(h); !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
		return out
	}
	mesh := parent{kind: "gateway", name: "mesh"}
	for _, h := range vs.Hosts {
		short := h != "*" && !strings.Contains(h, ".") && net.ParseIP(h) == nil
		switch {
		case short && ns == "":
			c.note("VirtualService %s has no metadata.namespace: Istio resolves its short host %q in the namespace it is applied to (%s.<namespace>%s); the rules match %q alone, so requests to %s.<namespace>%s, %s.<namespace> and %s.<namespace>.svc will not match them: set metadata.namespace and convert again",
				id, h, h, kubeSuffix, h, h, kubeSuffix, h, h)
			domains = add(domains, h)
			continue
		case short:
			domains = add(domains, h+"."+ns+kubeSuffix)
		default:
			domains = add(domains, h)
		}
		name, svcNS, isService := kubeService(domains[len(domains)-1])
		if !isService {
			continue
		}
		fqdn := name + "." + svcNS + kubeSuffix
		alt := []string{name, name + "." + svcNS, name + "." + svcNS + ".svc"}
		sidecar = add(sidecar, alt...)
		if short {
			c.note("VirtualService %s: host %q is a short name: Istio resolves it to %s (the VirtualService's namespace, and the default domain suffix cluster.local)", id, h, fqdn)
		}
		c.parentNotes[mesh] = append(c.parentNotes[mesh], fmt.Sprintf("VirtualService %s: host %q: sidecars also route %s to it (%s only from namespace %s): the rules for the sidecars match all four", id, h, strings.Join(alt, ", "), name, svcNS))
	}
	sidecar = slices.DeleteFunc(sidecar, func(h string) bool { return slices.Contains(domains, h) })
	return domains, sidecar
}

// withoutDots returns hosts without a trailing dot, which corswasm rules
// ignore (Istio allows one: ValidateDNS1123Labels in pkg/config/
// validation).
func withoutDots(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if h = strings.TrimSuffix(h, "."); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// istioAuthorities returns the domains of the virtual hosts an Istio
// gateway writes for hosts: each host as it is, without a port, in a
// route configuration that ignores the port (buildGatewayHTTPRouteConfig
// in pilot/pkg/networking/core/gateway.go: Domains: the host alone,
// IgnorePortInHostMatching: true but for proxyless gRPC, which gateways
// are not). Istio does so since 1.15 (istio/istio#40475, "Ignore port
// number in domain matching entirely", in the 1.15.0 change notes: a
// wildcard host and a port in the Host header); before, a gateway wrote
// "host:*" for an exact host and "*.suffix:<server port>" for a
// wildcard, which this conversion does not model (README: the minimum
// Istio version).
func istioAuthorities(hosts []string) []domain {
	out := make([]domain, len(hosts))
	for i, h := range hosts {
		out[i] = domain{host: h}
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
