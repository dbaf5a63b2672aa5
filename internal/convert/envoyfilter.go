package convert

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	networking "istio.io/api/networking/v1alpha3"
)

// An Istio EnvoyFilter patches the Envoy configuration Istio generates
// from VirtualServices and Gateway API routes (EnvoyFilter.configPatches):
// it may disable or reconfigure the CORS filter, or change the routes
// and virtual hosts the conversion reads, and its result is not in the
// documents. A patch that may change the CORS handling of the converted
// routes is refused; the others are left alone.

// envoyFilter is an EnvoyFilter read, checked once every route is read.
type envoyFilter struct {
	id   string
	spec *networking.EnvoyFilter
}

// readEnvoyFilter reads an EnvoyFilter's spec.
func (c *converter) readEnvoyFilter(js []byte) error {
	obj, err := readIstioObject(js, "EnvoyFilter")
	if err != nil {
		return err
	}
	id := obj.id
	var spec networking.EnvoyFilter
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(obj.Spec, &spec); err != nil {
		return fmt.Errorf("EnvoyFilter %s: not a valid istio.networking.v1alpha3.EnvoyFilter spec: %w", id, err)
	}
	c.envoyFilters = append(c.envoyFilters, envoyFilter{id: id, spec: &spec})
	return nil
}

// corsWords are what a patch's value says when it may change the CORS
// handling of what it patches: the CORS filter or its policies, the
// filters that run, the routes and their matching, the hosts.
var corsWords = regexp.MustCompile(`(?i)envoy\.filters\.http\.cors|filters\.http\.cors\.v3|"cors"|corsPolicy|typed_?per_?filter_?config|http_?filters|"match"|"domains"|"routes"|"virtual_?hosts"|redirect|direct_?response|require_?tls|route_?config|"rds"|strip_|ignore_?port|ignore_?path`)

// checkEnvoyFilters refuses each patch that may change the CORS handling
// of the converted routes.
func (c *converter) checkEnvoyFilters() {
	for _, ef := range c.envoyFilters {
		for i, p := range ef.spec.ConfigPatches {
			if why := c.patchTouches(p); why != "" {
				c.refuse("EnvoyFilter %s configPatches[%d] (applyTo %s, %s): it may change the CORS handling of the converted routes (%s), and the documents do not show its result; convert Envoy's configuration of the proxy (its /config_dump) instead, or leave the patch out of the input if it does not change CORS",
					ef.id, i, p.ApplyTo, p.GetPatch().GetOperation(), why)
			}
		}
	}
}

// patchTouches says what of the converted routes a patch may change, ""
// when nothing.
func (c *converter) patchTouches(p *networking.EnvoyFilter_EnvoyConfigObjectPatch) string {
	value, _ := json.Marshal(p.GetPatch().GetValue())
	merge := p.GetPatch().GetOperation() == networking.EnvoyFilter_Patch_MERGE
	mentions := corsWords.Match(value)
	switch p.ApplyTo {
	case networking.EnvoyFilter_HTTP_FILTER:
		sub := p.GetMatch().GetListener().GetFilterChain().GetFilter().GetSubFilter().GetName()
		switch {
		case sub == corsFilterName || sub == "cors":
			return "it patches the CORS filter, or inserts a filter beside it"
		case mentions:
			return "its value is about the CORS filter"
		}
	case networking.EnvoyFilter_ROUTE_CONFIGURATION:
		if mentions || !merge {
			return "it patches the route configurations"
		}
	case networking.EnvoyFilter_VIRTUAL_HOST, networking.EnvoyFilter_HTTP_ROUTE:
		if !mentions && merge {
			return ""
		}
		vh := p.GetMatch().GetRouteConfiguration().GetVhost()
		if host := vhostHost(vh.GetName(), vh.GetDomainName()); host != "" && !c.convertsHost(host) {
			return ""
		}
		if r := vh.GetRoute().GetName(); r != "" && !c.convertsRoute(r) {
			return ""
		}
		return "it patches their virtual hosts or routes"
	case networking.EnvoyFilter_NETWORK_FILTER, networking.EnvoyFilter_LISTENER, networking.EnvoyFilter_FILTER_CHAIN, networking.EnvoyFilter_EXTENSION_CONFIG:
		if mentions {
			return "its value is about the HTTP filters, the routes or the hosts"
		}
	}
	return ""
}

// vhostHost returns the host of an EnvoyFilter's virtual host match:
// Istio names a virtual host "host:port".
func vhostHost(name, domain string) string {
	if domain != "" {
		return strings.ToLower(domain)
	}
	host, _, _ := strings.Cut(name, ":")
	return strings.ToLower(host)
}

// convertsHost reports whether some converted vhost or HTTPRoute may take
// host.
func (c *converter) convertsHost(host string) bool {
	var domains []string
	for _, vh := range c.vhosts {
		domains = append(domains, vh.domains...)
	}
	for _, r := range c.httpRoutes {
		domains = append(domains, r.hostnames...)
		if len(r.hostnames) == 0 {
			domains = append(domains, "*")
		}
	}
	return slices.ContainsFunc(domains, func(d string) bool { return hostsOverlap(d, host) || d == "*" || host == "*" })
}

// convertsRoute reports whether a converted route is named name.
func (c *converter) convertsRoute(name string) bool {
	for _, vh := range c.vhosts {
		if slices.ContainsFunc(vh.scopes, func(s scope) bool { return s.name == name || strings.HasPrefix(name, s.name+".") }) {
			return true
		}
	}
	return len(c.httpRoutes) > 0 // Istio names Gateway API routes after their own ids
}
