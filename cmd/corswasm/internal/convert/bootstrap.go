package convert

import (
	"fmt"
	"slices"
	"strconv"
)

// Type URLs of the bootstrap parts read.
const (
	hcmType        = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
	corsFilterCfgT = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"
)

// connectionManager is an HTTP connection manager of a bootstrap's
// static listeners.
type connectionManager struct {
	from string
	hcm  hcm
	cfg  map[string]any // its typed_config
	// corsNames are the names of its CORS filters.
	corsNames []string
}

// bootstrap converts the route configurations of an Envoy bootstrap's
// static listeners' HTTP connection managers, inline (route_config) or
// given in another document (rds.route_config_name), knowing from each
// connection manager whether it runs the CORS filter at all. What the
// input does not hold (listeners from LDS, route configurations from RDS
// or SRDS) is refused where CORS may depend on it: converting without it
// would leave those requests to the disabled top level, where Envoy gave
// them CORS handling.
func (c *converter) bootstrap(obj map[string]any) error {
	c.sources = append(c.sources, "Envoy bootstrap")
	c.kinds["envoy"] = true
	if dyn, _ := field(obj, "dynamic_resources").(map[string]any); field(dyn, "lds_config") != nil {
		c.refuse("the bootstrap's listeners come from LDS (dynamic_resources.lds_config), which are not in the input; give the listeners and their route configurations (Envoy's /config_dump has them)")
	}
	cms := connectionManagers(obj)
	if len(cms) == 0 {
		c.note("the bootstrap has no static listener with an HTTP connection manager: it holds no routes to convert")
	}
	for i := range cms {
		cm := &cms[i]
		done := c.about([]parent{cm.hcm.parent})
		if len(cm.corsNames) > 1 {
			c.refuse("%s runs %d CORS filters (%s): each reads its own per-route configurations and acts on the same requests; corswasm is one filter", cm.from, len(cm.corsNames), quoteAll(cm.corsNames))
		}
		if cm.hcm.name == "" {
			c.parentNotes[cm.hcm.parent] = append(c.parentNotes[cm.hcm.parent], fmt.Sprintf("%s has no CORS filter (envoy.filters.http.cors) among its http_filters: Envoy does no CORS handling there, whatever its routes say; neither does the configuration", cm.from))
		}
		rds, _ := field(cm.cfg, "rds").(map[string]any)
		name, _ := field(rds, "route_config_name").(string)
		switch rc, _ := field(cm.cfg, "route_config").(map[string]any); {
		case rc != nil:
			if err := c.routeConfiguration(rc, &cm.hcm); err != nil {
				return fmt.Errorf("%s route_config: %w", cm.from, err)
			}
		case rds != nil && c.routeConfigs[name] != nil:
			if err := c.routeConfiguration(c.routeConfigs[name], &cm.hcm); err != nil {
				return fmt.Errorf("route configuration %q: %w", name, err)
			}
		case cm.hcm.name == "":
		case rds != nil:
			c.refuse("%s takes route configuration %q from RDS, and it is not in the input: give it as another FILE (Envoy's /config_dump has it)", cm.from, name)
		case field(cm.cfg, "scoped_routes") != nil:
			c.refuse("%s takes its routes from scoped route configurations (scoped_routes), which corswasm cannot convert", cm.from)
		}
		done()
	}
	return nil
}

// connectionManagers returns the HTTP connection managers of a
// bootstrap's static listeners, in order.
func connectionManagers(obj map[string]any) []connectionManager {
	static, _ := field(obj, "static_resources").(map[string]any)
	listeners, _ := field(static, "listeners").([]any)
	var out []connectionManager
	for i, l := range listeners {
		lm, _ := l.(map[string]any)
		lname, _ := lm["name"].(string)
		chains, _ := field(lm, "filter_chains").([]any)
		where := make([]string, len(chains))
		ids := make([]string, len(chains))
		for j, ch := range chains {
			where[j], ids[j] = fmt.Sprintf("filter_chains[%d]", j), strconv.Itoa(j)
			chm, _ := ch.(map[string]any)
			if name, _ := chm["name"].(string); name != "" {
				ids[j] = name
			}
		}
		if d := field(lm, "default_filter_chain"); d != nil {
			chains, where, ids = append(chains, d), append(where, "default_filter_chain"), append(ids, "default")
		}
		for j, ch := range chains {
			chm, _ := ch.(map[string]any)
			filters, _ := field(chm, "filters").([]any)
			for k, f := range filters {
				fm, _ := f.(map[string]any)
				cfg, _ := field(fm, "typed_config").(map[string]any)
				if cfg["@type"] != hcmType {
					continue
				}
				h, names := corsFilters(cfg)
				h.stripAnyPort, _ = field(cfg, "strip_any_host_port").(bool)
				h.stripDot, _ = field(cfg, "strip_trailing_host_dot").(bool)
				if strip, _ := field(cfg, "strip_matching_host_port").(bool); strip {
					h.strippedPort = listenerPort(lm)
				}
				if lname == "" {
					lname = fmt.Sprintf("listeners[%d]", i)
				}
				// A connection manager is its filter chain's last filter:
				// the chain names it.
				h.parent = parent{kind: "listener", name: lname, part: chainPart + ids[j]}
				out = append(out, connectionManager{
					from:      fmt.Sprintf("listener %q (static_resources.listeners[%d]) %s filters[%d], its HTTP connection manager,", lname, i, where[j], k),
					hcm:       h,
					corsNames: names,
					cfg:       cfg,
				})
			}
		}
	}
	// A listener's one connection manager is the listener.
	for i := range out {
		p := &out[i].hcm.parent
		if !slices.ContainsFunc(out, func(o connectionManager) bool { return o.hcm.parent.name == p.name && o.hcm.parent.part != p.part }) {
			p.part = ""
		}
	}
	return out
}

// corsFilters reads the CORS filters among a connection manager's
// http_filters: their names, which per-route configurations are looked
// up by, and whether the first is disabled unless a route enables it.
func corsFilters(cfg map[string]any) (h hcm, names []string) {
	filters, _ := field(cfg, "http_filters").([]any)
	for _, f := range filters {
		fm, _ := f.(map[string]any)
		name, _ := fm["name"].(string)
		tc, present := field(fm, "typed_config").(map[string]any)
		if present && tc["@type"] == corsFilterCfgT || !present && name == corsFilterName {
			if names = append(names, name); len(names) == 1 {
				h.name = name
				h.disabled, _ = fm["disabled"].(bool)
			}
		}
	}
	return h, names
}

// chainPart begins a listener's part: its filter chain's name or index
// (--listener NAME/CHAIN), or "default" for default_filter_chain.
const chainPart = "filter chain "

// rdsNames returns the route configurations a bootstrap's connection
// managers take from RDS.
func rdsNames(obj map[string]any) []string {
	var out []string
	for _, cm := range connectionManagers(obj) {
		rds, _ := field(cm.cfg, "rds").(map[string]any)
		if name, ok := field(rds, "route_config_name").(string); ok {
			out = append(out, name)
		}
	}
	return out
}

// field returns obj's field by its proto name ("route_config") or its
// JSON name ("routeConfig"), as protojson reads either.
func field(obj map[string]any, name string) any {
	if v, ok := obj[name]; ok {
		return v
	}
	camel := []byte{}
	up := false
	for i := 0; i < len(name); i++ {
		switch {
		case name[i] == '_':
			up = true
		case up && name[i] >= 'a' && name[i] <= 'z':
			camel = append(camel, name[i]-'a'+'A')
			up = false
		default:
			camel = append(camel, name[i])
			up = false
		}
	}
	return obj[string(camel)]
}

// listenerPort returns a listener's port (address.socket_address.
// port_value), "" when it has none.
func listenerPort(l map[string]any) string {
	addr, _ := field(l, "address").(map[string]any)
	sock, _ := field(addr, "socket_address").(map[string]any)
	switch p := field(sock, "port_value").(type) {
	case float64:
		return strconv.Itoa(int(p))
	case int:
		return strconv.Itoa(p)
	case string:
		return p
	}
	return ""
}
