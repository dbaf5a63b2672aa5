//go:build !wasip1

package wasmhost

import "strings"

// proxyGetProperty(path, pathSize, returnData, returnSize) answers a
// request's attributes, as Config.Properties gives them. Envoy
// (source/extensions/common/wasm/context.cc, Context::getProperty) splits
// the path at NUL bytes and walks the segments from an attribute root
// ("xds", then "route_name"); a string value is returned as its bytes. A
// single segment holding a dot ("xds.route_name" sent without NULs) names
// no attribute there, so it is NotFound here too. Outside a request (the
// root context) Envoy has no stream info: NotFound.
func proxyGetProperty(v *vm, s []uint64) {
	path, ok := v.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := v.activeStream()
	if st == nil || path == "" || strings.Contains(path, ".") {
		s[0] = statusNotFound
		return
	}
	value, found := st.properties[strings.ReplaceAll(path, "\x00", ".")]
	if !found {
		s[0] = statusNotFound
		return
	}
	s[0] = uint64(v.copyOut([]byte(value), uint32(s[2]), uint32(s[3])))
}
