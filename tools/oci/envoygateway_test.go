package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// envoyGatewayMaxWasmSize is the largest module Envoy Gateway reads
// (maxWasmSize, internal/wasm/httpfetcher.go in envoyproxy/gateway).
const envoyGatewayMaxWasmSize = 256 << 20

// envoyGatewayModule is the module Envoy Gateway's image fetcher would
// take from img, following internal/wasm/imagefetcher.go (envoyproxy/gateway
// v1.7 to v1.9): a manifest of Docker's schema 2 media type is read as a
// Docker image; any other first as the compat variant with OCI media
// types (extractOCIStandardImage): at least one layer, the LAST of which
// must be application/vnd.oci.image.layer.v1.tar+gzip, a tar.gz in which
// the first entry whose base name is plugin.wasm is the module, at most
// 256 MiB. (Its last resort, the two-layer oci variant, is not this
// image's layout, so a compat-variant failure is an error here.)
func envoyGatewayModule(img v1.Image) ([]byte, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	if m.MediaType == types.DockerManifestSchema2 {
		return nil, errors.New("a Docker manifest: Envoy Gateway would read it as a Docker image, not this layout")
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if len(layers) == 0 {
		return nil, errors.New("number of layers must be greater than zero")
	}
	layer := layers[len(layers)-1]
	if mt, err := layer.MediaType(); err != nil || mt != types.OCILayer {
		return nil, fmt.Errorf("invalid media type %s (expect %s): %v", mt, types.OCILayer, err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		return nil, fmt.Errorf("failed to parse layer as tar.gz: %w", err)
	}
	tr := tar.NewReader(io.LimitReader(zr, envoyGatewayMaxWasmSize))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New(PluginFile + " not found in the archive")
		}
		if err != nil {
			return nil, err
		}
		if filepath.Base(h.Name) == PluginFile {
			if h.Size > envoyGatewayMaxWasmSize {
				return nil, fmt.Errorf("%s is %d bytes, over %d", PluginFile, h.Size, envoyGatewayMaxWasmSize)
			}
			return io.ReadAll(tr)
		}
	}
}

// hexSHA256 is what Envoy Gateway compares an image's sha256 field with:
// the hex of the manifest digest (actualDigest = img.Digest().Hex in
// imagefetcher.go; the checksum comparison in internal/wasm/cache.go).
var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// The image, pushed to a registry and fetched as Envoy Gateway fetches an
// EnvoyExtensionPolicy's code.image.url (with or without "oci://": Envoy
// Gateway adds it, internal/gatewayapi/envoyextensionpolicy.go; the
// reference parsed by go-containerregistry's name.ParseReference, the
// manifest by remote.Get), yields the module; its manifest digest, without
// "sha256:", is the sha256 to pin, and it is the digest `make oci` prints.
func TestEnvoyGatewayFetch(t *testing.T) {
	module := testmodule.Module(t)
	img, err := ReadLayout(layoutUnderTest(t, module))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tag, err := name.ParseReference(host+"/corswasm/corswasm:v0.1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	for _, url := range []string{host + "/corswasm/corswasm:v0.1.0", "oci://" + host + "/corswasm/corswasm:v0.1.0"} {
		full := url
		if !strings.HasPrefix(full, "oci://") {
			full = "oci://" + full
		}
		ref, err := name.ParseReference(strings.TrimPrefix(full, "oci://"), name.Insecure)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		desc, err := remote.Get(ref)
		if err != nil {
			t.Fatalf("%s: could not fetch manifest: %v", url, err)
		}
		fetched, err := desc.Image()
		if err != nil {
			t.Fatal(err)
		}
		d := digest(t, fetched)
		if d != digest(t, img) || !hexSHA256.MatchString(d.Hex) {
			t.Errorf("%s: manifest digest %s; want %s, 64 hex digits", url, d, digest(t, img))
		}
		got, err := envoyGatewayModule(fetched)
		if err != nil {
			t.Fatalf("%s: Envoy Gateway would refuse the image: %v", url, err)
		}
		if !bytes.Equal(got, module) {
			t.Errorf("%s: Envoy Gateway would load %d bytes; the module is %d", url, len(got), len(module))
		}
	}
}

// envoyGatewayModule refuses what Envoy Gateway's fetcher refuses: a last
// layer of another media type, and a layer without plugin.wasm.
func TestEnvoyGatewayFetchRefuses(t *testing.T) {
	layer := func(file string, mt types.MediaType) v1.Image {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		if err := tw.WriteHeader(&tar.Header{Name: file, Mode: 0o644, Size: 4}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte("\x00asm")); err != nil {
			t.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }, tarball.WithMediaType(mt))
		if err != nil {
			t.Fatal(err)
		}
		img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1), mutate.Addendum{Layer: l, MediaType: mt})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	if got, err := envoyGatewayModule(layer("x/"+PluginFile, types.OCILayer)); err != nil || string(got) != "\x00asm" {
		t.Errorf("plugin.wasm under a directory: %q, %v; want the module (Envoy Gateway matches the base name)", got, err)
	}
	if _, err := envoyGatewayModule(layer("cors.wasm", types.OCILayer)); err == nil {
		t.Error("a layer without plugin.wasm: accepted")
	}
	if _, err := envoyGatewayModule(layer(PluginFile, types.OCIUncompressedLayer)); err == nil {
		t.Error("an uncompressed layer: accepted")
	}
}
