package configsource

import (
	"net/url"
	"path"
	"strings"
)

// CorswasmModule reports whether a plugin's module, as its document names
// it, is corswasm's: its name (see moduleName) is "cors.wasm", what `make
// build` writes and the README's Envoy example mounts, or contains
// "corswasm", as the README's image (oci://…/corswasm:TAG) does.
func CorswasmModule(kind Kind, module string) bool {
	name := strings.ToLower(moduleName(kind, module))
	return name == "cors.wasm" || strings.Contains(name, "corswasm")
}

// moduleName is the name a module reference gives the module: the last
// path segment of a file name or of an http(s):// or file:// URL's path,
// or the last segment of an OCI image's repository, without its tag or
// digest. A WasmPlugin's url without a scheme is an OCI image, as Istio
// reads it ("If no scheme is present, defaults to oci://",
// extensions/v1alpha1/wasm.proto in istio/api), and so is an
// EnvoyExtensionPolicy's image url (Envoy Gateway prefixes "oci://",
// internal/gatewayapi/envoyextensionpolicy.go in envoyproxy/gateway).
func moduleName(kind Kind, module string) string {
	module = strings.TrimSpace(module)
	scheme, rest, hasScheme := strings.Cut(module, "://")
	switch {
	case hasScheme && strings.EqualFold(scheme, "oci"), !hasScheme && (kind == WasmPlugin || kind == EnvoyExtensionPolicy):
		if !hasScheme {
			rest = module
		}
		return imageName(rest)
	case hasScheme:
		u, err := url.Parse(module)
		if err != nil {
			return ""
		}
		return path.Base(u.Path)
	}
	return path.Base(module)
}

// imageName is the last segment of an OCI image reference's repository:
// "corswasm" for "ghcr.io/corswasm/corswasm:v0.1.0" or
// "registry:5000/corswasm@sha256:…". A tag follows the last ":" of the
// last segment; a registry's port comes before a "/".
func imageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	last := ref[strings.LastIndex(ref, "/")+1:]
	last, _, _ = strings.Cut(last, ":")
	return last
}
