//go:build wasip1

package abi

//go:wasmimport env proxy_get_property
func proxyGetProperty(pathData *byte, pathSize uint32, returnData, returnSize *uint32) uint32

// Property returns the value of the property at path, whose segments are
// joined by NUL bytes ("xds\x00route_name"), as Envoy's getProperty splits
// them (source/extensions/common/wasm/context.cc). A string attribute comes
// as its bytes. found is false when the host has no value (Envoy answers
// NotFound for an unknown attribute and for one the stream lacks). The
// string shares the host-filled buffer, valid until the running callback
// returns (HostOwned tells such strings).
func Property(path string) (value string, found bool, err error) {
	pp, pn := stringArg(path)
	resetResult()
	return stringResult(proxyGetProperty(pp, pn, &retAddr, &retSize))
}
