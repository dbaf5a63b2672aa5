//go:build corswasm_release

package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

const version = "v0.0.0-releasetest"

// The command binaries make release builds, by file name, and what their
// headers must say.
var commands = []struct {
	file, goos, goarch string
	elfMachine         elf.Machine
	machoCPU           macho.Cpu
}{
	{"corswasm-linux-amd64", "linux", "amd64", elf.EM_X86_64, 0},
	{"corswasm-linux-arm64", "linux", "arm64", elf.EM_AARCH64, 0},
	{"corswasm-darwin-amd64", "darwin", "amd64", 0, macho.CpuAmd64},
	{"corswasm-darwin-arm64", "darwin", "arm64", 0, macho.CpuArm64},
}

// make release, into a temporary directory and pushing to a registry in
// this process, writes the four commands for their platforms, cors.wasm,
// SHA256SUMS that matches them, and the digest the registry holds the
// image under; the checksum command of docs/development.md accepts the
// assets and refuses a changed one.
func TestMakeRelease(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("make"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("make not found; CI must run the release test")
		}
		t.Skip("make not found")
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	image := host + "/corswasm/corswasm:" + version

	dir := filepath.Join(t.TempDir(), "release")
	cmd := exec.Command("make", "--no-print-directory", "-C", root, "release",
		"RELEASE="+dir, "VERSION="+version, "IMAGE="+image)
	// Not the jobserver of a make running this test.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "MAKEFLAGS=") || strings.HasPrefix(kv, "MFLAGS=") || strings.HasPrefix(kv, "MAKELEVEL=")
	})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}

	for _, c := range commands {
		checkCommand(t, filepath.Join(dir, c.file), c.goos, c.goarch, c.elfMachine, c.machoCPU)
	}
	wasm, err := os.ReadFile(filepath.Join(dir, "cors.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) || !bytes.Contains(wasm, []byte(version)) {
		t.Errorf("cors.wasm is not a Wasm module stamped %s", version)
	}

	// SHA256SUMS names every asset, each with its checksum.
	sums := checksums(t, filepath.Join(dir, "SHA256SUMS"))
	want := []string{"cors.wasm", "cors.wasm.oci-digest"}
	for _, c := range commands {
		want = append(want, c.file)
	}
	slices.Sort(want)
	var got []string
	for file, sum := range sums {
		got = append(got, file)
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Error(err)
			continue
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("SHA256SUMS: %s %s; the file's is %x", sum, file, h)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("SHA256SUMS names %q; want %q", got, want)
	}

	// The digest make release printed and wrote is the pushed manifest's,
	// and the image under it holds this cors.wasm.
	m := regexp.MustCompile(`(?m)^pushed ` + regexp.QuoteMeta(image) + `: image (sha256:[0-9a-f]{64})$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("make release printed no pushed digest:\n%s", out)
	}
	printed := string(m[1])
	tagRef, err := name.ParseReference(image, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(tagRef)
	if err != nil {
		t.Fatalf("the registry has no %s: %v", image, err)
	}
	if desc.Digest.String() != printed {
		t.Errorf("make release printed %s; the registry's manifest for %s is %s", printed, image, desc.Digest)
	}
	pin, err := os.ReadFile(filepath.Join(dir, "cors.wasm.oci-digest"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(pin)), host+"/corswasm/corswasm@"+desc.Digest.String(); got != want {
		t.Errorf("cors.wasm.oci-digest holds %q; want %q", got, want)
	}
	digestRef, err := name.NewDigest(strings.TrimSpace(string(pin)), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(digestRef)
	if err != nil {
		t.Fatal(err)
	}
	if pulled := pluginWasm(t, img); !bytes.Equal(pulled, wasm) {
		t.Errorf("the pushed image's plugin.wasm (%d bytes) is not the released cors.wasm (%d bytes)", len(pulled), len(wasm))
	}

	checkDocumentedVerification(t, root, dir)
}

// checkCommand checks that file is an executable for goos/goarch, built
// without cgo, with -trimpath, stamped with version.
func checkCommand(t *testing.T, file, goos, goarch string, machine elf.Machine, cpu macho.Cpu) {
	t.Helper()
	switch goos {
	case "linux":
		f, err := elf.Open(file)
		if err != nil {
			t.Errorf("%s: not ELF: %v", file, err)
			return
		}
		defer f.Close()
		if f.Machine != machine || f.Type != elf.ET_EXEC {
			t.Errorf("%s: ELF %s %s; want %s %s", file, f.Type, f.Machine, elf.ET_EXEC, machine)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an interpreter); want a static binary", file)
			}
		}
	case "darwin":
		f, err := macho.Open(file)
		if err != nil {
			t.Errorf("%s: not Mach-O: %v", file, err)
			return
		}
		defer f.Close()
		if f.Cpu != cpu || f.Type != macho.TypeExec {
			t.Errorf("%s: Mach-O %s %s; want %s %s", file, f.Type, f.Cpu, macho.TypeExec, cpu)
		}
	}
	info, err := buildinfo.ReadFile(file)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0", "-trimpath": "true"} {
		if settings[key] != want {
			t.Errorf("%s: built with %s=%q; want %q", file, key, settings[key], want)
		}
	}
	// -trimpath leaves -ldflags out of the build information: the stamp
	// is read from the binary, and from the command itself where it runs.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(version)) {
		t.Errorf("%s: not stamped with %s", file, version)
	}
	if goos == runtime.GOOS && goarch == runtime.GOARCH {
		out, err := exec.Command(file, "version").CombinedOutput()
		if err != nil || !strings.Contains(string(out), version) {
			t.Errorf("%s version: %v\n%s; want %s", file, err, out, version)
		}
	}
	if info.Path != "github.com/corswasm/corswasm/cmd/corswasm" {
		t.Errorf("%s: is %s; want the corswasm command", file, info.Path)
	}
}

// checksums reads a sha256sum file: file name to checksum.
func checksums(t *testing.T, file string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  ([^/\s]+)$`)
	sums := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("SHA256SUMS: not a sha256sum line: %q", l)
		}
		sums[m[2]] = m[1]
	}
	return sums
}

// pluginWasm returns the plugin.wasm of the image's one layer, as Istio
// reads it.
func pluginWasm(t *testing.T, img v1.Image) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("the image has %d layers (%v); want 1", len(layers), err)
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("the image's layer holds no plugin.wasm")
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "plugin.wasm" {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}

// checkDocumentedVerification runs the checksum command the Releasing
// section of docs/development.md shows, in the release directory: it
// accepts the assets, and refuses them once one has changed.
func checkDocumentedVerification(t *testing.T, root, dir string) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, "docs", "development.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Releasing\n")
	if !ok {
		t.Fatal("docs/development.md has no Releasing section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	m := regexp.MustCompile("(?m)^(sha256sum .*)$").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("docs/development.md, Releasing: shows no sha256sum command")
	}
	check := func() ([]byte, error) {
		cmd := exec.Command("sh", "-c", m[1])
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	if out, err := check(); err != nil {
		t.Errorf("%s: %v\n%s", m[1], err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "corswasm-linux-amd64"), []byte("changed"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := check(); err == nil {
		t.Errorf("%s accepts a changed corswasm-linux-amd64:\n%s", m[1], out)
	}
}
