// Package oci packages the filter module as an OCI image that Istio's
// WasmPlugin pulls (url: oci://REGISTRY/NAME:TAG), and Envoy Gateway's
// EnvoyExtensionPolicy (code.image.url), without Docker.
//
// Istio's image fetcher (istio/istio pkg/wasm/imagefetcher.go) accepts
// three layouts: a Docker image whose single layer
// (application/vnd.docker.image.rootfs.diff.tar.gzip) is a tar.gz holding
// plugin.wasm; the same with OCI media types (the "compat" variant of the
// Wasm image specification, solo-io/wasm spec/spec-compat.md), which it
// tries first for an OCI manifest; and the "oci" variant, whose module is a
// raw application/vnd.module.wasm.content.layer.v1+wasm layer beside an
// application/vnd.module.wasm.config.v1+json one — two layers, which
// Istio requires.
//
// Image builds the compat variant with OCI media types: an OCI manifest
// (application/vnd.oci.image.manifest.v1+json) with the annotation
// module.wasm.image/variant=compat that the specification asks for, an OCI
// config (application/vnd.oci.image.config.v1+json), and exactly one layer,
// application/vnd.oci.image.layer.v1.tar+gzip, a tar.gz holding only
// plugin.wasm. It uses only standard media types, so every registry stores
// it and standard tools (crane, skopeo, docker pull) handle it; it is what
// `FROM scratch` + `COPY cors.wasm /plugin.wasm` produces, less the
// timestamps.
//
// The image is reproducible: the tar entry, the gzip stream and the config
// carry fixed times and owners, so the same module always gives the same
// digest. That digest (without "sha256:") is what a WasmPlugin's sha256
// field pins for an oci:// url: Istio compares it with the manifest's
// digest (pkg/wasm/cache.go). Envoy Gateway's fetcher (internal/wasm in
// envoyproxy/gateway) reads the same layouts, takes the module from the
// last layer of a compat-variant image, and pins the manifest digest too
// (envoygateway_test.go).
package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Names of the image's parts.
const (
	// PluginFile is the module's name in the layer, as Istio looks for it.
	PluginFile = "plugin.wasm"
	// VariantAnnotation marks the manifest of a compat-variant image.
	VariantAnnotation = "module.wasm.image/variant"
	// VariantCompat is its value.
	VariantCompat = "compat"
	// RefNameAnnotation names an image in an OCI layout's index.
	RefNameAnnotation = "org.opencontainers.image.ref.name"
)

// epoch is the time every part of the image carries.
var epoch = time.Unix(0, 0).UTC()

// Image returns the image of a module.
func Image(module []byte) (v1.Image, error) {
	gz, err := pluginLayer(module)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("the layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "corswasm: " + PluginFile},
	})
	if err != nil {
		return nil, fmt.Errorf("appending the layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "wasm", "wasip1"
	cf.Created = v1.Time{Time: epoch}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, err
	}
	return mutate.Annotations(img, map[string]string{VariantAnnotation: VariantCompat}).(v1.Image), nil
}

// pluginLayer is the layer's content: a tar holding module as plugin.wasm,
// owned by root, read-only, dated at the epoch, gzip-compressed without a
// name or time in the gzip header.
func pluginLayer(module []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: PluginFile, Size: int64(len(module)), Mode: 0o444,
		ModTime: epoch, Format: tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(module); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteLayout writes img as an OCI image layout in dir (replacing what dir
// held), named tag in its index.
func WriteLayout(dir string, img v1.Image, tag string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	var opts []layout.Option
	if tag != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{RefNameAnnotation: tag}))
	}
	return p.AppendImage(img, opts...)
}

// ReadLayout returns the one image of the OCI layout in dir.
func ReadLayout(dir string) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("%s holds %d images; want 1 (write it with `make oci`)", dir, len(m.Manifests))
	}
	return idx.Image(m.Manifests[0].Digest)
}
