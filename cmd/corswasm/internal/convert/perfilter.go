package convert

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Envoy reads a typed_per_filter_config entry by its type, whatever the
// name it is under (PerFilterConfigs in source/common/router/
// per_filter_config.cc): a FilterConfig disables the filter of that name
// (its config then ignored), enables it explicitly (an empty config), or
// wraps a configuration; any other entry is a configuration, unwrapped
// from a TypedStruct (Config::Utility::translateOpaqueConfig in
// source/common/config/utility.cc reads xds.type.v3.TypedStruct and
// udpa.type.v1.TypedStruct as the message their type_url names) and made
// by the filter factory of its type (getFactoryByType). The CORS filter
// then reads the configurations under its name (see filtername.go); an
// entry under its name that holds another filter's configuration still
// enables it there ("If a filter is explicitly configured we treat it as
// enabled").

// Type URLs of the TypedStruct wrappers Envoy unwraps.
const (
	xdsTypedStruct  = "type.googleapis.com/xds.type.v3.TypedStruct"
	udpaTypedStruct = "type.googleapis.com/udpa.type.v1.TypedStruct"
)

// foreignEntry is a typed_per_filter_config entry the converter does not
// read: another filter's configuration, by its type.
type foreignEntry struct {
	// at is where the map is in the document ("virtual_hosts[0].routes[1]").
	at, name, typ string
}

// readTypedConfigs rewrites every typed_per_filter_config entry of v, an
// Envoy message decoded from YAML or JSON, into what the CORS filter
// reads: a CorsPolicy (unwrapped from a TypedStruct), or a FilterConfig
// that disables the filter (without its config), enables it, or wraps a
// CorsPolicy. It removes the others, whose types this command does not
// link (protojson would refuse them), and returns them.
func readTypedConfigs(v any, at string) []foreignEntry {
	var out []foreignEntry
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			cfgs, ok := val.(map[string]any)
			if !ok || k != "typed_per_filter_config" && k != "typedPerFilterConfig" {
				out = append(out, readTypedConfigs(val, strings.TrimPrefix(at+"."+k, "."))...)
				continue
			}
			for name, cfg := range cfgs {
				entry, ok := corsReadable(cfg)
				if ok {
					cfgs[name] = entry
					continue
				}
				delete(cfgs, name)
				out = append(out, foreignEntry{at: at, name: name, typ: typeOf(cfg)})
			}
		}
	case []any:
		for i, e := range v {
			out = append(out, readTypedConfigs(e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	slices.SortFunc(out, func(a, b foreignEntry) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.name, b.name)) })
	return out
}

// corsReadable returns an entry in the form the CORS filter's reading
// takes, false when it is another filter's configuration.
func corsReadable(cfg any) (map[string]any, bool) {
	m, _ := cfg.(map[string]any)
	switch typeOf(m) {
	case corsFilterType:
		return m, true
	case xdsTypedStruct, udpaTypedStruct:
		return unwrapTypedStruct(m)
	case filterConfigType:
		if disabled, _ := m["disabled"].(bool); disabled {
			// The config is ignored (PerFilterConfigs), whatever it is.
			return map[string]any{"@type": filterConfigType, "disabled": true}, true
		}
		inner, present := m["config"]
		if !present {
			return m, true
		}
		im, _ := inner.(map[string]any)
		switch typeOf(im) {
		case "":
			if len(im) == 0 {
				return m, true // enables the filter explicitly
			}
		case corsFilterType:
			return m, true
		case xdsTypedStruct, udpaTypedStruct:
			if p, ok := unwrapTypedStruct(im); ok {
				out := maps.Clone(m)
				out["config"] = p
				return out, true
			}
		}
	}
	return nil, false
}

// unwrapTypedStruct returns a TypedStruct holding a CorsPolicy as that
// CorsPolicy.
func unwrapTypedStruct(m map[string]any) (map[string]any, bool) {
	url, _ := field(m, "type_url").(string)
	if url != corsFilterType {
		return nil, false
	}
	value, _ := m["value"].(map[string]any)
	p := maps.Clone(value)
	if p == nil {
		p = make(map[string]any)
	}
	p["@type"] = corsFilterType
	return p, true
}

// typeOf returns an entry's "@type".
func typeOf(cfg any) string {
	m, _ := cfg.(map[string]any)
	t, _ := m["@type"].(string)
	return t
}

// foreignUnderCORS refuses the entries the converter did not read that
// are under the CORS filter's name or its canonical name: Envoy enables
// the filter there, and the entry may be one of its configurations in a
// form this command does not read.
func (c *converter) foreignUnderCORS(from string, foreign []foreignEntry, h *hcm) {
	for _, f := range foreign {
		if f.name != h.name && f.name != corsFilterName {
			continue
		}
		at := f.at
		if at != "" {
			at = " " + at
		}
		c.refuse("%s%s: typed_per_filter_config %q has @type %q: it is under the CORS filter's name, which enables the filter there, and the converter reads only a CorsPolicy, a FilterConfig, or a TypedStruct holding a CorsPolicy; write the policy as one of these", from, at, f.name, f.typ)
	}
}
