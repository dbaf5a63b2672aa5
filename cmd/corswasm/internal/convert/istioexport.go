package convert

import (
	"slices"
	"strings"
)

// A VirtualService's exportTo limits the namespaces whose proxies see it:
// "*" is every namespace, "." its own, and none written is every one
// (VirtualService.exportTo; a mesh-wide defaultVirtualServiceExportTo
// the files do not show may narrow that). A gateway proxy routes the
// VirtualServices visible in its namespace (VirtualServicesForGateway(
// node.ConfigNamespace, ...) in buildGatewayHTTPRouteConfig,
// pilot/pkg/networking/core/gateway.go), which is usually the Gateway's:
// a VirtualService not exported there gets no routes, so converting it
// would give CORS handling where Istio gives none. A proxy in another
// namespace than the Gateway's that does not see an exported one routes
// its requests nowhere (Envoy's 404: see ports.go).

// exportedTo refuses a VirtualService of namespace ns bound to a gateway
// whose namespace its exportTo leaves out, or, for the mesh's sidecars,
// exported to some namespaces only: the sidecars of the others do not
// route its hosts by its routes.
func (c *converter) exportedTo(id, ns string, exportTo []string, parents []parent) {
	if len(exportTo) == 0 || slices.Contains(exportTo, "*") {
		return
	}
	visible := func(gwNS string) bool {
		return slices.Contains(exportTo, gwNS) || slices.Contains(exportTo, ".") && gwNS == ns
	}
	for _, p := range parents {
		done := c.about([]parent{p})
		gwNS, _, qualified := strings.Cut(p.name, "/")
		switch {
		case p.name == "mesh":
			c.refuse("VirtualService %s: exportTo %s: only the sidecars of those namespaces route its hosts by its routes, and a corswasm configuration for the mesh applies alike in every namespace", id, strings.Join(exportTo, ", "))
		case !qualified:
			c.refuse("VirtualService %s: exportTo %s, and the namespace of gateway %s is not known (give the VirtualService's metadata.namespace): whether its proxies see it depends on it", id, strings.Join(exportTo, ", "), p.name)
		case !visible(gwNS):
			c.refuse("VirtualService %s: exportTo %s does not include the namespace of gateway %s, whose proxies then do not route its hosts by its routes: export it there (or \"*\"), or leave it out", id, strings.Join(exportTo, ", "), p.name)
		}
		done()
	}
}
