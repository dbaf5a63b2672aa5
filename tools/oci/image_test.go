package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// checkIstioImage checks img the way Istio's fetcher reads a compat-variant
// image with OCI media types, and returns the module it would load: an OCI
// manifest, exactly one application/vnd.oci.image.layer.v1.tar+gzip layer,
// whose tar.gz holds plugin.wasm. It also requires what this package
// promises beyond that: the variant annotation, an OCI config, and nothing
// else in the layer.
func checkIstioImage(t *testing.T, img v1.Image) []byte {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("manifest %s with config %s; want %s with %s", m.MediaType, m.Config.MediaType, types.OCIManifestSchema1, types.OCIConfigJSON)
	}
	if m.Annotations[VariantAnnotation] != VariantCompat {
		t.Errorf("annotations %v; want %s=%s", m.Annotations, VariantAnnotation, VariantCompat)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers; Istio wants exactly 1", len(layers))
	}
	if mt, err := layers[0].MediaType(); err != nil || mt != types.OCILayer {
		t.Errorf("layer media type %s (%v); want %s", mt, err, types.OCILayer)
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatalf("the layer is not gzip: %v", err)
	}
	tr := tar.NewReader(zr)
	var module []byte
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the layer is not a tar: %v", err)
		}
		if n > 0 || h.Name != PluginFile || h.Typeflag != tar.TypeReg {
			t.Fatalf("layer entry %d is %q (type %c); want only %s", n, h.Name, h.Typeflag, PluginFile)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Mode != 0o444 {
			t.Errorf("%s: time %v, owner %d:%d, mode %o; want the epoch, 0:0, 0444", h.Name, h.ModTime, h.Uid, h.Gid, h.Mode)
		}
		if module, err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "wasip1" || cf.Architecture != "wasm" || len(cf.RootFS.DiffIDs) != 1 {
		t.Errorf("config: os %q, architecture %q, %d diff ids", cf.OS, cf.Architecture, len(cf.RootFS.DiffIDs))
	}
	return module
}

func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The image holds exactly the module, in the layout Istio reads, and the
// same module always gives the same digest.
func TestImage(t *testing.T) {
	module := testmodule.Module(t)
	img, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkIstioImage(t, img); !bytes.Equal(got, module) {
		t.Errorf("the layer's plugin.wasm (%d bytes) is not the module (%d bytes)", len(got), len(module))
	}
	again, err := Image(bytes.Clone(module))
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, again) != digest(t, img) {
		t.Errorf("two builds of one module: %s and %s; want one digest", digest(t, img), digest(t, again))
	}
	other, err := Image(append(bytes.Clone(module), 0))
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, other) == digest(t, img) {
		t.Error("another module gives the same digest")
	}
}

// layoutUnderTest is the layout `make oci` wrote (CORSWASM_OCI_LAYOUT, set
// by `make test`), or, without it, one this test writes the same way.
func layoutUnderTest(t *testing.T, module []byte) string {
	t.Helper()
	if dir := os.Getenv("CORSWASM_OCI_LAYOUT"); dir != "" {
		return dir
	}
	img, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	if err := WriteLayout(dir, img, "test"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The layout is the module's image: pushed to a registry (the real
// registry protocol, in process, on 127.0.0.1) and pulled back by digest,
// it is the same image, and Istio's checks pass.
func TestRegistryRoundTrip(t *testing.T) {
	module := testmodule.Module(t)
	built, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	img, err := ReadLayout(layoutUnderTest(t, module))
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, img) != digest(t, built) {
		t.Fatalf("the layout holds %s; the module's image is %s (was it built from another module?)", digest(t, img), digest(t, built))
	}

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.HasPrefix(host, "127.0.0.1:") {
		t.Fatalf("the registry listens on %s; want 127.0.0.1", host)
	}
	tag, err := name.ParseReference(host+"/corswasm/cors:test", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	byDigest, err := name.NewDigest(host+"/corswasm/cors@"+digest(t, img).String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(byDigest)
	if err != nil {
		t.Fatalf("pull by digest: %v", err)
	}
	if digest(t, pulled) != digest(t, img) {
		t.Errorf("pulled %s; pushed %s", digest(t, pulled), digest(t, img))
	}
	got := checkIstioImage(t, pulled)
	if sha256.Sum256(got) != sha256.Sum256(module) {
		t.Error("the pulled image's plugin.wasm is not the module")
	}
	// The tag names the same manifest.
	if byTag, err := remote.Image(tag); err != nil || digest(t, byTag) != digest(t, img) {
		t.Errorf("pull by tag: %v", err)
	}
}
