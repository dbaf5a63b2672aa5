package main

import (
	"bytes"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// build writes a layout and prints the digest a WasmPlugin pins; push sends
// that layout to a registry (in process, on 127.0.0.1), where it is found
// under the same digest.
func TestBuildAndPush(t *testing.T) {
	dir := t.TempDir()
	module := filepath.Join(dir, "cors.wasm")
	if err := os.WriteFile(module, []byte("\x00asm\x01\x00\x00\x00not really a module"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	layout := filepath.Join(dir, "oci")
	if err := run([]string{"build", "-module", module, "-out", layout, "-tag", "v0.0.1"}, &out); err != nil {
		t.Fatal(err)
	}
	built := out.String()
	i := strings.Index(built, "image sha256:")
	if i < 0 {
		t.Fatalf("build printed no digest:\n%s", built)
	}
	dgst := strings.Fields(built[i+len("image "):])[0]
	if !strings.Contains(built, "WasmPlugin: sha256: "+strings.TrimPrefix(dgst, "sha256:")) {
		t.Errorf("build does not print the sha256 to pin:\n%s", built)
	}

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	out.Reset()
	// go-containerregistry speaks plain http to a registry on 127.0.0.1.
	if err := run([]string{"push", "-layout", layout, "-image", host + "/corswasm:v0.0.1"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pushed "+host+"/corswasm:v0.0.1: image "+dgst) {
		t.Errorf("push printed:\n%s", out.String())
	}
	ref, err := name.NewDigest(host+"/corswasm@"+dgst, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Image(ref); err != nil {
		t.Errorf("the pushed image is not in the registry by digest: %v", err)
	}
	if err := run([]string{"push", "-layout", layout}, &out); err == nil || !strings.Contains(err.Error(), "-image") {
		t.Errorf("push without -image: %v", err)
	}
}
